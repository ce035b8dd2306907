"""The variables of a wave's respondent-level export, from its questionnaire definition.
Pure: no Django.

One *level* per file: the interviews (one row each) and one per repeat at any depth (one row
per repeat row, keyed by interview_id and the row number of every enclosing repeat). A
variable has one name in every format (CSV, XLSX, SPSS, Stata), at most 32 characters of
[A-Za-z0-9_] and unique in its file, so one script reads any of them; the codebook maps each
name to the question's path.

Answers exported, by question type:
    select_one (and its _external / _from_file forms with a known list) → categorical: the
        choice's value in CSV/XLSX, an integer code with value labels in SPSS/Stata (the
        value itself where every value of the list is an integer, else 1…k in list order)
    select_multiple → the original (space-separated values) and one 0/1 column per choice
    integer, decimal, range → numeric; date, datetime → dates; text → open answers (phone
        numbers masked); time, calculate, acknowledge, locality and the rest → text
Withheld (listed in the codebook with the reason): notes; location, media and barcode
questions and device metadata (personal data: exact positions, photos and recordings, ID
numbers, device and phone identifiers).
"""

import re
from dataclasses import asdict, dataclass, field

__all__ = ["Level", "Variable", "build_levels", "choice_codes", "short_name", "unique_names"]

NAME_LIMIT = 32
INTERVIEWS = "interviews"
CATEGORICAL, INDICATOR, NUMERIC, STRING, OPEN, DATE, DATETIME = (
    "categorical",
    "indicator",
    "numeric",
    "string",
    "open",
    "date",
    "datetime",
)
_SELECT_ONE = {"select_one", "select_one_external", "select_one_from_file"}
_SELECT_MULTIPLE = {"select_multiple", "select_multiple_from_file"}
_NUMERIC = {"integer", "decimal", "range"}
_WITHHELD = {
    "geopoint": "location",
    "geotrace": "location",
    "geoshape": "location",
    "start-geopoint": "location",
    "background-geopoint": "location",
    "image": "media",
    "audio": "media",
    "video": "media",
    "file": "media",
    "background-audio": "media",
    "barcode": "identifier",
}
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_]+")


@dataclass
class Variable:
    """One column: `name` in every file, `label` {form language: text}, `kind` (CATEGORICAL,
    INDICATOR, NUMERIC, STRING, OPEN, DATE, DATETIME), `source` (interview, locality, weight,
    qc, answer, key), the question's `path` and `question_type` for answers, `values` the
    categories [{"code": int, "value": str, "label": {language: text}}], `choice` the choice
    an INDICATOR stands for (`of` its question's column)."""

    name: str
    label: dict
    kind: str
    source: str
    path: str | None = None
    question_type: str | None = None
    values: list = field(default_factory=list)
    choice: str | None = None
    of: str | None = None

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value not in (None, [])}


@dataclass
class Level:
    """One file of the export: `file` ("interviews" or "repeat_<name>"), the repeat's `path`
    (None for the interviews), `keys` the row keys, `variables` the answer columns."""

    file: str
    path: str | None
    label: dict
    keys: list[str]
    variables: list[Variable] = field(default_factory=list)
    withheld: list[dict] = field(default_factory=list)


def short_name(text: str, used: set[str], limit: int = NAME_LIMIT) -> str:
    """`text` as a Stata/SPSS name (letters, digits, _; not starting with a digit; at most
    `limit` characters), made unique among `used` (case-insensitively: SPSS ignores case)
    by a numbered suffix; the name is added to `used`."""
    base = _NAME_CHARS.sub("_", text).strip("_") or "v"
    if not re.match(r"[A-Za-z]", base):
        base = "v_" + base
    name, n = base[:limit], 2
    while name.lower() in used:
        suffix = f"_{n}"
        name, n = base[: limit - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def unique_names(texts: list[str], reserved: set[str] | None = None) -> list[str]:
    """short_name of each text in order, unique among themselves and `reserved`."""
    used = {name.lower() for name in reserved or set()}
    return [short_name(text, used) for text in texts]


def choice_codes(choices: list[dict]) -> list[dict]:
    """[{"code", "value", "label"}] for a choice list: the value as its code where every value
    of the list is an integer (so 5 stays 5 and 9 = don't know stays 9), else 1…k."""
    values = [str(choice["value"]) for choice in choices]
    integers = all(re.fullmatch(r"-?\d{1,9}", value) for value in values)
    if integers and len(set(int(v) for v in values)) == len(values):
        codes = [int(value) for value in values]
    else:
        codes = list(range(1, len(values) + 1))
    return [
        {"code": code, "value": value, "label": dict(choice.get("label") or {})}
        for code, value, choice in zip(codes, values, choices, strict=True)
    ]


def _kind(question: dict, lists: dict) -> str | None:
    kind = question.get("type", "")
    if kind in _SELECT_ONE:
        return CATEGORICAL if question.get("list") in lists else STRING
    if kind in _SELECT_MULTIPLE:
        return STRING
    if kind in _NUMERIC:
        return NUMERIC
    if kind == "date":
        return DATE
    if kind == "datetime":
        return DATETIME
    if kind == "text":
        return OPEN
    return STRING


def withheld_reason(question: dict) -> str | None:
    """Why a question is left out of the export, or None when it is exported."""
    kind = question.get("type", "")
    if kind == "note" or question.get("kind") == "metadata":
        return "metadata" if kind != "note" else "note"
    if kind in _WITHHELD:
        return _WITHHELD[kind]
    if question.get("kind") == "deferred":
        return "media" if kind in ("image", "audio", "video", "file") else "not exported"
    return None


def _walk(definition: dict) -> list[tuple[str | None, dict, list[dict]]]:
    """(repeat path or None, repeat item, its questions) for every level, outermost first;
    a repeat split over several pages is one level."""
    levels: dict[str | None, tuple[dict, list[dict]]] = {None: ({}, [])}

    def add(path: str | None, item: dict, questions: list[dict]) -> None:
        if path not in levels:
            levels[path] = (item, [])
        for question in questions:
            if question.get("type") == "repeat" and "questions" in question:
                add(question.get("path") or question["name"], question, question["questions"])
            else:
                levels[path][1].append(question)

    for page in definition.get("groups", []):
        path = (page.get("path") or page.get("name")) if page.get("repeat") else None
        add(path, page, page.get("questions", []))
    return [(path, item, questions) for path, (item, questions) in levels.items()]


def _answer_variables(questions: list[dict], lists: dict, used: set[str]) -> tuple[list, list]:
    variables, withheld, seen = [], [], set()
    for question in questions:
        path = question.get("path") or question["name"]
        if path in seen:
            continue
        seen.add(path)
        reason = withheld_reason(question)
        if reason:
            if reason != "note":
                withheld.append({"path": path, "type": question.get("type"), "reason": reason})
            continue
        kind = _kind(question, lists)
        values = choice_codes(lists[question["list"]]) if kind == CATEGORICAL else []
        variable = Variable(
            name=short_name(question["name"], used),
            label=dict(question.get("label") or {}),
            kind=kind,
            source="answer",
            path=path,
            question_type=question.get("type"),
            values=values,
        )
        variables.append(variable)
        if question.get("type") in _SELECT_MULTIPLE and question.get("list") in lists:
            for option in choice_codes(lists[question["list"]]):
                variables.append(
                    Variable(
                        name=short_name(f"{question['name']}_{option['value']}", used),
                        label=_indicator_label(question.get("label") or {}, option["label"]),
                        kind=INDICATOR,
                        source="answer",
                        path=path,
                        question_type=question.get("type"),
                        choice=option["value"],
                        of=variable.name,
                    )
                )
    return variables, withheld


def _indicator_label(question: dict, choice: dict) -> dict:
    return {
        language: f"{text}: {choice.get(language, '')}".strip()
        for language, text in question.items()
    }


def build_levels(definition: dict, reserved: list[str]) -> list[Level]:
    """Every level of the export with its answer variables; `reserved` are the interview
    file's own columns (ids, localities, weights, flags), which answers never shadow."""
    lists = definition.get("choice_lists", {})
    found = _walk(definition)
    paths = [path for path, _, _ in found if path is not None]
    file_names = unique_names([f"repeat_{path.rsplit('/', 1)[-1]}" for path in paths])
    files = dict(zip(paths, file_names, strict=True))
    levels = []
    for path, item, questions in found:
        if path is None:
            used = {name.lower() for name in reserved}
            keys = ["interview_id"]
        else:
            keys = ["interview_id", *(_row_key(files[p]) for p in _enclosing(path, paths))]
            used = {key.lower() for key in keys}
        variables, withheld = _answer_variables(questions, lists, used)
        levels.append(
            Level(
                file=INTERVIEWS if path is None else files[path],
                path=path,
                label=dict(item.get("label") or {}),
                keys=keys,
                variables=variables,
                withheld=withheld,
            )
        )
    return levels


def _row_key(file_name: str) -> str:
    """The row number column of a repeat's file ("repeat_hh" → "hh_row")."""
    return short_name(file_name.removeprefix("repeat_") + "_row", set())


def _enclosing(path: str, paths: list[str]) -> list[str]:
    """The repeats enclosing `path` (outermost first), `path` itself last."""
    return sorted((p for p in paths if path == p or path.startswith(p + "/")), key=len)
