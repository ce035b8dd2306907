"""Which question or which fact of an interview each column of another system's export holds.
Pure: no Django.

ODK Central, Kobo (and Ona/formhub before it) and SurveyCTO export one row per submission.
A question's column is its path with the groups (`grp/q1`; Kobo can separate groups with `-`,
or leave them out), or its label when the export was made with labels. A select_multiple is
one column of space-separated choices and/or a 0/1 column per choice (`q/choice`). The
systems add their own columns: ids (`KEY`, `meta/instanceID`, `_uuid`, `_id`), the
submission time (`SubmissionDate`, `_submission_time`), the device's start and end, SurveyCTO's
`duration`, who submitted (`username`, `_submitted_by`) and bookkeeping that is not an answer.
"""

from collections import Counter
from dataclasses import dataclass

from common.translatable import Translatable, gettext_noop
from questionnaires import answers

# Kinds of column (Target.kind).
ANSWER = "answer"
CHOICE_FLAG = "choice_flag"  # one choice of a select_multiple, 0/1
ID = "id"
SUBMITTED = "submitted"
STARTED = "started"
ENDED = "ended"
DURATION = "duration"
INTERVIEWER = "interviewer"
LOCALITY = "locality"
IGNORED = "ignored"

# The systems' own columns, by lower-case name, in order of preference within a kind.
ID_COLUMNS = ("key", "meta/instanceid", "meta-instanceid", "meta_instanceid", "instanceid",
              "_uuid", "_id")  # fmt: skip
META_COLUMNS = {
    "_submission_time": SUBMITTED,  # Kobo's and Ona's, in UTC without saying so
    "submissiondate": SUBMITTED,
    "start": STARTED,
    "starttime": STARTED,
    "end": ENDED,
    "endtime": ENDED,
    "duration": DURATION,
    "_duration": DURATION,
    "username": INTERVIEWER,
    "_submitted_by": INTERVIEWER,
}
BOOKKEEPING = {
    "_index", "_validation_status", "_notes", "_status", "_tags", "_version", "__version__",
    "_xform_id_string", "_attachments", "_geolocation", "_parent_table_name", "_parent_index",
    "formdef_version", "review_quality", "review_status", "review_comments", "reviewstatus",
    "_last_edited_by", "_media_count", "_total_media", "_media_all_received", "instancename",
    "meta/instancename", "meta-instancename", "meta/deprecatedid", "meta/audit", "caseid",
    "_edited", "_date_modified", "_review_status", "_review_comment",
}  # fmt: skip
GEO_PARTS = ("latitude", "longitude", "altitude", "precision", "accuracy")
NOT_ANSWERS = {"note", "begin group", "end group", "repeat"}


@dataclass(frozen=True)
class Target:
    """What one column holds: `kind` (see above), the question's key for an answer or a
    choice flag, and the choice's value for a flag."""

    kind: str
    key: str = ""
    choice: str = ""


@dataclass(frozen=True)
class Mapping:
    """Each column's target (by the column's name as in the file), and the questions by key."""

    targets: dict[str, Target]
    questions: dict[str, dict]
    lists: dict[str, list[dict]]

    def columns(self, kind: str) -> list[str]:
        return [column for column, target in self.targets.items() if target.kind == kind]


class _Lookup:
    """Questions (outside repeats: an export's repeats are separate sheets) by path, by a name
    only they have and by any of their labels."""

    def __init__(self, definition: dict):
        self.questions: dict[str, dict] = {}
        for page, question in answers.questions(definition):
            if page.get("repeat") or question.get("type") in NOT_ANSWERS:
                continue
            self.questions[answers.key(question)] = question
        names = Counter(q["name"] for q in self.questions.values())
        self.by_name = {
            q["name"].lower(): k for k, q in self.questions.items() if names[q["name"]] == 1
        }
        labels: dict[str, set[str]] = {}
        for k, q in self.questions.items():
            for text in _texts(q.get("label")):
                labels.setdefault(text.lower(), set()).add(k)
        self.by_label = {text: next(iter(keys)) for text, keys in labels.items() if len(keys) == 1}
        self.by_path = {k.lstrip("/").lower(): k for k in self.questions}

    def find(self, column: str) -> str | None:
        text = column.strip().lower()
        for candidate in (text, text.replace("-", "/"), text.replace(".", "/")):
            if candidate in self.by_path:
                return self.by_path[candidate]
        last = text.replace("-", "/").rsplit("/", 1)[-1]
        return self.by_name.get(text) or self.by_label.get(text) or self.by_name.get(last)


def _texts(label) -> list[str]:
    if isinstance(label, dict):
        return [str(v).strip() for v in label.values() if str(v).strip()]
    return [str(label).strip()] if label and str(label).strip() else []


def choice_lists(definition: dict) -> dict[str, list[dict]]:
    return definition.get("choice_lists", {}) or {}


def _choice_flag(column: str, lookup: _Lookup, lists: dict) -> Target | None:
    """`q/choice` (or `q-choice`, `q.choice`, a label and a choice label) of a select_multiple."""
    text = column.strip()
    for separator in ("/", "-", "."):
        if separator not in text:
            continue
        head, tail = text.rsplit(separator, 1)
        key = lookup.find(head)
        question = lookup.questions.get(key) if key else None
        if not question or question.get("type") != "select_multiple":
            continue
        for choice in lists.get(question.get("list") or "", []):
            value = str(choice["value"])
            names = {value.lower(), *(t.lower() for t in _texts(choice.get("label")))}
            if tail.strip().lower() in names:
                return Target(CHOICE_FLAG, key, value)
    return None


def _geo_part(column: str, lookup: _Lookup) -> bool:
    """A geopoint's latitude … precision, which the export adds beside the point itself
    (`_gps_latitude`, `grp/_gps_latitude`, SurveyCTO's `gps-Latitude`)."""
    text = column.strip().lower()
    for part in GEO_PARTS:
        for suffix in (f"_{part}", f"-{part}"):
            if text.endswith(suffix):
                key = lookup.find(text.removesuffix(suffix).replace("/_", "/").lstrip("_"))
                if key and lookup.questions[key].get("type") == "geopoint":
                    return True
    return False


def map_columns(
    header: list[str],
    definition: dict,
    *,
    id_column: str = "",
    interviewer_column: str = "",
    locality_column: str = "",
) -> tuple[Mapping, list[Translatable]]:
    """Each column's target, and the problems: a chosen column missing, no id column, two
    columns for one question, columns that are neither a question nor the system's own
    (their names, to drop from the file or to say where they belong)."""
    lookup = _Lookup(definition)
    lists = choice_lists(definition)
    chosen = {id_column: ID, interviewer_column: INTERVIEWER, locality_column: LOCALITY}
    problems: list[Translatable] = []
    for name, _kind in chosen.items():
        if name and name not in header:
            problems.append(Translatable(gettext_noop("The file has no column %(column)s."),
                                         column=name))  # fmt: skip
    targets: dict[str, Target] = {}
    unknown: list[str] = []
    for column in header:
        targets[column] = _target(column, chosen, lookup, lists)
        if targets[column].kind == "":
            unknown.append(column)
    _one_id(targets, id_column)
    _one_interviewer(targets, interviewer_column)
    problems += _doubled(targets)
    if not any(t.kind == ID for t in targets.values()):
        problems.append(Translatable(gettext_noop(
            "The file has no interview id column (KEY, meta/instanceID, _uuid or _id): "
            "choose the column that identifies each interview.")))  # fmt: skip
    if unknown:
        problems.append(Translatable(gettext_noop(
            "These columns are not questions of the questionnaire nor columns the collecting "
            "system adds: %(columns)s. Import the questionnaire the data was collected with, "
            "or leave them out."), columns=", ".join(unknown)))  # fmt: skip
    kept = {c: t for c, t in targets.items() if t.kind}
    return Mapping(targets=kept, questions=lookup.questions, lists=lists), problems


def _target(column: str, chosen: dict, lookup: _Lookup, lists: dict) -> Target:
    if column in chosen and column:
        return Target(chosen[column])
    text = column.strip().lower()
    key = lookup.find(column)
    if key is not None:
        return Target(ANSWER, key)
    if text in ID_COLUMNS:
        return Target(ID, choice=text)  # the preference among id columns, resolved below
    if text in META_COLUMNS:
        return Target(META_COLUMNS[text], choice="utc" if text == "_submission_time" else "")
    if text in BOOKKEEPING or text.startswith("_attachments") or text.endswith("_url"):
        return Target(IGNORED)
    flag = _choice_flag(column, lookup, lists)
    if flag is not None:
        return flag
    if _geo_part(column, lookup):
        return Target(IGNORED)
    return Target("")


def _one_id(targets: dict[str, Target], chosen: str) -> None:
    """The chosen id column, else the most telling of the systems' ids; the others ignored."""
    ids = [c for c, t in targets.items() if t.kind == ID]
    if chosen in ids:
        keep = chosen
    elif ids:
        keep = min(ids, key=lambda c: ID_COLUMNS.index(targets[c].choice)
                   if targets[c].choice in ID_COLUMNS else -1)  # fmt: skip
    else:
        return
    for column in ids:
        targets[column] = Target(ID) if column == keep else Target(IGNORED)


def _one_interviewer(targets: dict[str, Target], chosen: str) -> None:
    columns = [c for c, t in targets.items() if t.kind == INTERVIEWER]
    keep = chosen if chosen in columns else (columns[0] if columns else None)
    for column in columns:
        if column != keep:
            targets[column] = Target(IGNORED)


def _doubled(targets: dict[str, Target]) -> list[Translatable]:
    seen: dict[tuple, str] = {}
    problems = []
    for column, target in targets.items():
        if target.kind not in (ANSWER, CHOICE_FLAG, SUBMITTED, STARTED, ENDED, DURATION):
            continue
        marker = (target.kind, target.key, target.choice)
        if marker in seen:
            problems.append(Translatable(gettext_noop(
                "Columns %(first)s and %(second)s both hold %(what)s."),
                first=seen[marker], second=column, what=target.key or target.kind))  # fmt: skip
        else:
            seen[marker] = column
    return problems
