"""The rules' input: interview records (plain dicts) and questionnaire definitions → the wide
frame qc.rules reads, with the questionnaire facts the rules need. Pure: no Django, no I/O;
qc.loaders feeds it from the database, the qc_check command from a CSV.

`run_frame_rules(frame, config)` runs every rule with the questionnaire facts the frame carries.

Phone numbers and addresses never enter the frame: they arrive as `phone_key`/`household_key`,
keyed hashes of the normalised number/address (common.personal), only ever compared for equality.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import pandas as pd

from qc.paradata import ITEM_COLUMNS, item_row, question_seconds
from qc.rules import RuleConfig
from qc.rules.engine import run_rules
from qc.rules.timing import SECONDS_SUFFIX
from qc.scale import META_COLUMNS, Scale, definition_scale
from questionnaires import answers as A
from questionnaires.xpath import ExpressionError, evaluate
from sampling.household import sex_code

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
    "paradata",
]


class InterviewsFrame(NamedTuple):
    """What the rules need about a set of interviews.

    df              index interview id ("interview_id"); META_COLUMNS (duration_seconds float
                    s, n_answered int, interviewer_id, wave_id, street_id (nullable ints),
                    mode str, started_at/completed_at datetime64 UTC (NaT when unknown),
                    sampled_locality/said_locality str street codes (the case's sampled
                    street, the street the respondent named; NaN when unknown),
                    sampled_locality_name/said_locality_name their names (None when not
                    given)) then one
                    column per scale item
                    holding the answer code as a string, NaN when unanswered.
    items           the scale item columns, in questionnaire order.
    excluded_codes  item -> codes whose score is null (don't know, refused).
    code_labels     code -> {"zh", "en"} labels of the scale list most items use, to name an
                    answer in a flag's reason.
    scores          item -> {code: score 0-100} for the substantive codes.
    dimensions      item -> dimension name.
    reading_chars   question -> characters of its label (qc.paradata.label_chars), for every
                    question with a `<name>__seconds` column in df.
    open_items      text questions, each a df column holding the answer text (NaN: none).
    batteries       page (group) name -> its scale items, for straight-lining per page.

    Besides META_COLUMNS and the items, df holds `<question>__seconds` (float s, NaN when
    unknown; from paradata split by label length, qc.paradata.question_seconds, or given in
    the record's "question_seconds") when any interview has timings, and the open_items.
    phone_key/household_key are str hashes (NaN when unknown); qc_check_failures a list of
    {"question", "zh", "en"} per interview (the definition's `qc_check` expressions that
    evaluated false on an answered question).
    """

    df: pd.DataFrame
    items: list[str]
    excluded_codes: dict[str, frozenset[str]]
    code_labels: dict[str, dict[str, str]]
    scores: dict[str, dict[str, float]] = {}
    dimensions: dict[str, str] = {}
    reading_chars: dict[str, int] = {}
    open_items: list[str] = []
    batteries: dict[str, list[str]] = {}


def qc_check_failures(
    scale: Scale, answers: Mapping[str, Any], named: Mapping[str, Any] | None = None
) -> list[dict]:
    """The definition's qc_check expressions that are false for these answers (stored by
    path; `named`: the same by name, as expressions read them), evaluated only on answered
    questions: [{"question", "zh", "en"}] with the check's message.

    An expression that cannot be evaluated on these answers (a type clash the parser could
    not foresee) is not a failure: QC reports what the answers show, not broken checks.
    """
    failures = []
    for question in scale.checks:
        value = A.get(answers, question)
        if not is_answered(value):
            continue
        try:
            passed = evaluate(question["qc_check"], dict(named or answers), value)
        except (ExpressionError, TypeError, ValueError, ZeroDivisionError):
            continue
        if not passed:
            message = question.get("qc_check_message") or {}
            zh = message.get("zh") or next(iter(message.values()), None)
            failures.append({"question": question["name"], "zh": zh, "en": message.get("en")})
    return failures


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


class _Facts(NamedTuple):
    """The questionnaire facts of several versions merged (see InterviewsFrame)."""

    items: list[str]
    excluded: dict[str, frozenset[str]]
    scores: dict[str, dict[str, float]]
    dimensions: dict[str, str]
    open_items: list[str]
    batteries: dict[str, list[str]]
    reading: dict[str, int]
    list_use: Counter[tuple[int, str]]  # (version id, choice list) -> scale items using it


def _merged_facts(scales: Mapping[int, Scale]) -> _Facts:
    """The union over the versions' scales, items in the order first met."""
    facts = _Facts([], {}, {}, {}, [], {}, {}, Counter())
    for version_id, scale in scales.items():
        for item in scale.items:
            if item not in facts.excluded:
                facts.items.append(item)
                facts.excluded[item] = frozenset()
            if item in scale.dimensions:
                facts.dimensions.setdefault(item, scale.dimensions[item])
            facts.excluded[item] |= scale.excluded_codes[item]
            if scale.scores.get(item):
                facts.scores[item] = facts.scores.get(item, {}) | scale.scores[item]
            facts.list_use[(version_id, scale.lists[item])] += 1
        facts.open_items.extend([n for n in scale.open_items if n not in facts.open_items])
        for name, members in scale.batteries.items():
            battery = facts.batteries.setdefault(name, [])
            battery += [item for item in members if item not in battery]
        for name, chars in scale.reading_chars.items():
            facts.reading.setdefault(name, chars)
    return facts


def _meta_row(
    record: Mapping[str, Any], answers: Mapping[str, Any], scale: Scale, named: Mapping[str, Any]
) -> dict:
    """The record's META_COLUMNS values."""
    return {
        "duration_seconds": _duration(record),
        "n_answered": sum(
            1 for name, value in answers.items() if name in scale.non_note and is_answered(value)
        ),
        "interviewer_id": record.get("interviewer_id"),
        "wave_id": record.get("wave_id"),
        "street_id": record.get("street_id"),
        "mode": record.get("mode"),
        "started_at": record.get("started_at"),
        "completed_at": record.get("completed_at"),
        "sampled_locality": record.get("sampled_locality"),
        "said_locality": record.get("said_locality"),
        "sampled_locality_name": record.get("sampled_locality_name"),
        "said_locality_name": record.get("said_locality_name"),
        "phone_key": record.get("phone_key"),
        "household_key": record.get("household_key"),
        "qc_check_failures": qc_check_failures(scale, answers, named) if scale.checks else [],
        "speech_share": _share(record.get("speech_share")),
        **_curbstoning_counts(answers, scale),
        **_respondent(record, answers, scale),
        **item_row(record),
    }


def _curbstoning_counts(answers: Mapping[str, Any], scale: Scale) -> dict[str, int]:
    """Questions asked with an "other" choice and answered "other"; whole-number answers and
    those that are multiples of 5 (0 aside) (qc.risk.curbstoning)."""
    asked = other = given = rounded = 0
    for key, codes in scale.other_codes.items():
        value = answers.get(key)
        if is_answered(value):
            asked += 1
            chosen = value if isinstance(value, list) else [value]
            other += any(str(code) in codes for code in chosen)
    for key in scale.numbers:
        try:
            number = float(answers.get(key))
        except (TypeError, ValueError):
            continue
        if number.is_integer() and number != 0:
            given += 1
            rounded += number % 5 == 0
    return {
        "other_answers": other,
        "other_asked": asked,
        "numbers_rounded": rounded,
        "numbers_given": given,
    }


def _share(value: Any) -> float:
    """A share 0-1 as a float; NaN when missing."""
    return float("nan") if value is None else float(value)


def _respondent(record: Mapping[str, Any], answers: Mapping[str, Any], scale: Scale) -> dict:
    """The selected household member (record["selected"]: {"sex", "age"} or None) beside the
    interview's own `sex` and `age` answers; NaN where unknown."""
    selected = record.get("selected") or {}
    said_age = answers.get(scale.age_key) if scale.age_key else None
    try:
        said_age = float(said_age)
    except (TypeError, ValueError):
        said_age = float("nan")
    return {
        "selected_sex": sex_code(selected.get("sex")),
        "selected_age": float(selected["age"]) if selected.get("age") is not None else float("nan"),
        "said_sex": sex_code(answers.get(scale.sex_key)) if scale.sex_key else None,
        "said_age": said_age,
    }


def _answered_seconds(
    record: Mapping[str, Any], answers: Mapping[str, Any], definition: dict
) -> dict[str, float]:
    """Seconds per question: given in the record, else estimated from its paradata."""
    if record.get("question_seconds") is not None:
        timed = dict(record["question_seconds"])
    elif record.get("paradata"):
        timed = question_seconds(record["paradata"], definition)
    else:
        timed = {}
    # Only answered questions count as timed: a skipped one was not read out.
    return {name: t for name, t in timed.items() if is_answered(answers.get(name))}


class _Values(NamedTuple):
    """The records' values, column by column, in record order."""

    ids: list[int]
    meta: list[dict[str, Any]]  # one _meta_row per record
    codes: dict[str, list[str | None]]  # item -> answer codes
    texts: dict[str, list[str | None]]  # open question -> answer texts
    timings: list[dict[str, float]]  # one _answered_seconds per record


def _values(
    records: Iterable[Mapping[str, Any]],
    scales: Mapping[int, Scale],
    definitions: Mapping[int, dict],
    facts: _Facts,
) -> _Values:
    values = _Values(
        [], [], {item: [] for item in facts.items}, {n: [] for n in facts.open_items}, []
    )
    for record in records:
        answers = record.get("answers") or {}
        version_id = record["questionnaire_version_id"]
        scale = scales[version_id]
        values.ids.append(record["id"])
        named = A.scope(answers, definitions[version_id]) if scale.checks else {}
        values.meta.append(_meta_row(record, answers, scale, named))
        for item in facts.items:
            code = answer_code(answers.get(item)) if item in scale.lists else None
            values.codes[item].append(code)
        for name in facts.open_items:
            value = answers.get(name)
            values.texts[name].append(str(value) if is_answered(value) else None)
        values.timings.append(_answered_seconds(record, answers, definitions[version_id]))
    return values


def _meta_frame(rows: list[dict[str, Any]], index: pd.Index) -> pd.DataFrame:
    """META_COLUMNS with their dtypes: nullable ints, UTC datetimes, codes and keys as str."""
    meta = pd.DataFrame(rows, index=index, columns=META_COLUMNS)
    meta = meta.astype(
        {
            "duration_seconds": "float64",
            "n_answered": "int64",
            "interviewer_id": "Int64",
            "wave_id": "Int64",
            "street_id": "Int64",
            "selected_age": "float64",
            "speech_share": "float64",
            "said_age": "float64",
            **ITEM_COLUMNS,
        }
    )
    for column in ("started_at", "completed_at"):
        meta[column] = pd.to_datetime(meta[column], utc=True)
    for column in ("sampled_locality", "said_locality", "phone_key", "household_key"):
        meta[column] = meta[column].astype("str")
    return meta


def _answer_frames(values: _Values, index: pd.Index, timed_names: list[str]) -> list[pd.DataFrame]:
    """The item codes, the open answers' texts and the `<question>__seconds` columns."""
    items = pd.DataFrame(
        {item: pd.Series(codes, index=index, dtype="str") for item, codes in values.codes.items()},
        index=index,
    )
    texts = pd.DataFrame(
        {name: pd.Series(t, index=index, dtype="object") for name, t in values.texts.items()},
        index=index,
    )
    seconds = pd.DataFrame(
        {
            f"{name}{SECONDS_SUFFIX}": pd.Series(
                [t.get(name, float("nan")) for t in values.timings], index=index, dtype="float64"
            )
            for name in timed_names
        },
        index=index,
    )
    return [items, texts, seconds]


def _code_labels(
    list_use: Counter[tuple[int, str]], definitions: Mapping[int, dict]
) -> dict[str, dict[str, str]]:
    """code -> {"zh", "en"} of the choice list most scale items use."""
    code_labels: dict[str, dict[str, str]] = {}
    if list_use:
        (version_id, list_name), _count = list_use.most_common(1)[0]
        for choice in definitions[version_id]["choice_lists"][list_name]:
            code_labels[str(choice["value"])] = dict(choice.get("label") or {})
    return code_labels


def build_frame(
    records: Iterable[Mapping[str, Any]], definitions: Mapping[int, dict]
) -> InterviewsFrame:
    """The wide frame from interview records (dicts with RECORD_FIELDS and wave_id, and
    optionally sampled_locality and said_locality, street codes, and their names
    (sampled_locality_name, said_locality_name: what a flag's reason names); selected, the household
    member a door-to-door selection chose ({"sex": "M"/"F", "age"}); phone_key and
    household_key, the keyed hashes of the sampled unit's number and address
    (common.personal: the numbers never reach QC); question_seconds {question: s}, which
    takes the place of the paradata's estimate).

    `definitions` maps questionnaire version id -> definition. Items are the union over the
    versions, in the order first met; an item a version lacks is NaN for its interviews.
    """
    scales = {version_id: definition_scale(d) for version_id, d in definitions.items()}
    facts = _merged_facts(scales)
    values = _values(records, scales, definitions, facts)
    # Ids are whole numbers in the database, any text in a delivered file (I0018).
    numeric = all(isinstance(i, int) for i in values.ids)
    index = pd.Index(values.ids, dtype="int64" if numeric else "object", name="interview_id")
    timed_names = [name for name in facts.reading if any(name in t for t in values.timings)]
    df = pd.concat(
        [_meta_frame(values.meta, index), *_answer_frames(values, index, timed_names)], axis=1
    )
    return InterviewsFrame(
        df,
        facts.items,
        facts.excluded,
        _code_labels(facts.list_use, definitions),
        facts.scores,
        facts.dimensions,
        {name: facts.reading[name] for name in timed_names},
        facts.open_items,
        facts.batteries,
    )


def run_frame_rules(frame: InterviewsFrame, config: RuleConfig) -> pd.DataFrame:
    """qc.rules.engine.run_rules on a frame, with every questionnaire fact the frame carries."""
    return run_rules(
        frame.df,
        items=frame.items,
        excluded_codes=frame.excluded_codes,
        config=config,
        code_labels=frame.code_labels,
        scores=frame.scores,
        dimensions=frame.dimensions,
        reading_chars=frame.reading_chars,
        open_items=frame.open_items,
        batteries=frame.batteries,
    )
