"""The one loading layer of qc: interviews (rows in the DB) → the wide frame qc.rules reads.

`interviews_frame(queryset)` makes two queries (the interviews' columns and answers, then the
definitions of the questionnaire versions they use) and never one per interview.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import pandas as pd
from django.db.models import F, QuerySet

from fieldwork.models import Interview
from questionnaires.models import QuestionnaireVersion
from sampling.models import Locality

# Columns besides the scale items. A scale item may not share one of these names.
META_COLUMNS = [
    "duration_seconds",
    "n_answered",
    "interviewer_id",
    "wave_id",
    "street_id",
    "mode",
    "started_at",
    "completed_at",
    "sampled_locality",
    "said_locality",
]

RECORD_FIELDS = [
    "id",
    "questionnaire_version_id",
    "interviewer_id",
    "street_id",
    "mode",
    "started_at",
    "completed_at",
    "duration_seconds",
    "answers",
]


class InterviewsFrame(NamedTuple):
    """What the rules need about a set of interviews.

    df              index interview id ("interview_id"); META_COLUMNS (duration_seconds float
                    s, n_answered int, interviewer_id, wave_id, street_id (nullable ints),
                    mode str, started_at/completed_at datetime64 UTC (NaT when unknown),
                    sampled_locality/said_locality str street codes (the case's sampled
                    street, the street the respondent named; NaN when unknown)) then one
                    column per scale item
                    holding the answer code as a string, NaN when unanswered.
    items           the scale item columns, in questionnaire order.
    excluded_codes  item -> codes whose score is null (don't know, refused).
    code_labels     code -> {"zh", "en"} labels of the scale list most items use, to name an
                    answer in a flag's reason.
    """

    df: pd.DataFrame
    items: list[str]
    excluded_codes: dict[str, frozenset[str]]
    code_labels: dict[str, dict[str, str]]


class Scale(NamedTuple):
    """The scale items of one questionnaire definition."""

    items: list[str]
    excluded_codes: dict[str, frozenset[str]]
    lists: dict[str, str]  # item -> choice list name
    non_note: frozenset[str]  # every question that is not a note


def definition_scale(definition: dict) -> Scale:
    """Scale items: select_one questions with a dimension whose choice list carries scores.

    Raises ValueError when a scale item is named like one of the frame's META_COLUMNS.
    """
    lists = definition.get("choice_lists", {})
    items: list[str] = []
    excluded: dict[str, frozenset[str]] = {}
    item_lists: dict[str, str] = {}
    non_note: set[str] = set()
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            name = question["name"]
            if question.get("type") != "note":
                non_note.add(name)
            choices = lists.get(question.get("list") or "", [])
            if (
                question.get("type") == "select_one"
                and question.get("dimension")
                and any(choice.get("score") is not None for choice in choices)
            ):
                if name in META_COLUMNS:
                    raise ValueError(
                        f"Scale question '{name}' has a name reserved by quality control "
                        f"({', '.join(META_COLUMNS)}); rename it in the questionnaire."
                    )
                items.append(name)
                item_lists[name] = question["list"]
                excluded[name] = frozenset(
                    str(choice["value"]) for choice in choices if choice.get("score") is None
                )
    return Scale(items, excluded, item_lists, frozenset(non_note))


def answer_code(value: Any) -> str | None:
    """A select_one answer as its code string; None when unanswered."""
    if value is None or value == "" or isinstance(value, list | dict):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _duration(record: Mapping[str, Any]) -> float:
    if record.get("duration_seconds") is not None:
        return float(record["duration_seconds"])
    started: datetime | None = record.get("started_at")
    completed: datetime | None = record.get("completed_at")
    if started and completed:
        return (completed - started).total_seconds()
    return float("nan")


def build_frame(
    records: Iterable[Mapping[str, Any]], definitions: Mapping[int, dict]
) -> InterviewsFrame:
    """The wide frame from interview records (dicts with RECORD_FIELDS and wave_id, and
    optionally sampled_locality and said_locality, street codes).

    `definitions` maps questionnaire version id -> definition. Items are the union over the
    versions, in the order first met; an item a version lacks is NaN for its interviews.
    """
    scales = {version_id: definition_scale(d) for version_id, d in definitions.items()}
    items: list[str] = []
    excluded: dict[str, frozenset[str]] = {}
    list_use: Counter[tuple[int, str]] = Counter()
    for version_id, scale in scales.items():
        for item in scale.items:
            if item not in excluded:
                items.append(item)
                excluded[item] = frozenset()
            excluded[item] |= scale.excluded_codes[item]
            list_use[(version_id, scale.lists[item])] += 1

    rows: list[dict[str, Any]] = []
    ids: list[int] = []
    codes: dict[str, list[str | None]] = {item: [] for item in items}
    for record in records:
        answers = record.get("answers") or {}
        scale = scales[record["questionnaire_version_id"]]
        ids.append(record["id"])
        rows.append(
            {
                "duration_seconds": _duration(record),
                "n_answered": sum(
                    1
                    for name, value in answers.items()
                    if name in scale.non_note and is_answered(value)
                ),
                "interviewer_id": record.get("interviewer_id"),
                "wave_id": record.get("wave_id"),
                "street_id": record.get("street_id"),
                "mode": record.get("mode"),
                "started_at": record.get("started_at"),
                "completed_at": record.get("completed_at"),
                "sampled_locality": record.get("sampled_locality"),
                "said_locality": record.get("said_locality"),
            }
        )
        for item in items:
            codes[item].append(answer_code(answers.get(item)) if item in scale.lists else None)

    index = pd.Index(ids, dtype="int64", name="interview_id")
    meta = pd.DataFrame(rows, index=index, columns=META_COLUMNS)
    meta = meta.astype(
        {
            "duration_seconds": "float64",
            "n_answered": "int64",
            "interviewer_id": "Int64",
            "wave_id": "Int64",
            "street_id": "Int64",
        }
    )
    for column in ("started_at", "completed_at"):
        meta[column] = pd.to_datetime(meta[column], utc=True)
    for column in ("sampled_locality", "said_locality"):
        meta[column] = meta[column].astype("str")
    item_frame = pd.DataFrame(
        {item: pd.Series(codes[item], index=index, dtype="str") for item in items}, index=index
    )
    df = pd.concat([meta, item_frame], axis=1)

    code_labels: dict[str, dict[str, str]] = {}
    if list_use:
        (version_id, list_name), _count = list_use.most_common(1)[0]
        for choice in definitions[version_id]["choice_lists"][list_name]:
            code_labels[str(choice["value"])] = dict(choice.get("label") or {})
    return InterviewsFrame(df, items, excluded, code_labels)


def interviews_frame(interviews: QuerySet[Interview]) -> InterviewsFrame:
    """The wide frame for a queryset of interviews, in two queries."""
    records = list(
        interviews.values(
            *RECORD_FIELDS,
            wave_id=F("case__wave_id"),
            sampled_locality=F("case__street__code"),
            said_locality=F("street__code"),
        )
    )
    version_ids = {record["questionnaire_version_id"] for record in records}
    definitions = dict(
        QuestionnaireVersion.objects.filter(id__in=version_ids).values_list("id", "definition")
    )
    return build_frame(records, definitions)


def interview_frame(interview: Interview) -> InterviewsFrame:
    """The frame for one interview object, as it is in memory (no query for the answers;
    one for the street codes)."""
    record = {field: getattr(interview, field) for field in RECORD_FIELDS}
    record["wave_id"] = interview.case.wave_id
    sampled_id, said_id = interview.case.street_id, interview.street_id
    codes = dict(
        Locality.objects.filter(id__in={sampled_id, said_id} - {None}).values_list("id", "code")
    )
    record["sampled_locality"] = codes.get(sampled_id)
    record["said_locality"] = codes.get(said_id)
    version = interview.questionnaire_version
    return build_frame([record], {version.id: version.definition})
