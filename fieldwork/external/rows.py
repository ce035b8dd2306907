"""Another system's export, row by row → what an interview stores. Pure: no Django.

Each cell is checked against its question (a choice of its list, a whole number, a date …);
every problem names the file's row (the header is row 1), the column and the question, and
nothing is kept from a file with problems. Unanswered: an empty cell, and `n/a`, which Ona
and formhub write for a question that was not relevant.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

import pandas as pd

from common.logs import masked
from common.translatable import Translatable, gettext_noop
from fieldwork.external import columns as cols
from fieldwork.external.columns import Mapping

MISSING = {"", "n/a"}
TRUE = {"1", "true", "yes", "y"}
FALSE = {"0", "false", "no", "n", ""}
SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
MAX_PROBLEMS = 200  # a file with a million bad cells reports the first ones


@dataclass
class ExternalRow:
    """One interview of the export. `number` is its row in the file (the header is row 1)."""

    number: int
    external_id: str
    answers: dict = field(default_factory=dict)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    submitted_at: datetime | None = None
    duration_seconds: int | None = None
    interviewer: str = ""
    locality: str = ""


class CellError(ValueError):
    """What is wrong with one cell, as a Translatable (the column and row are added)."""


def _problem(row: int, column: str, what: str) -> Translatable:
    return Translatable(gettext_noop("Row %(row)s, column %(column)s: %(what)s"),
                        row=row, column=column, what=what)  # fmt: skip


def read_rows(
    frame: pd.DataFrame, mapping: Mapping, *, zone: tzinfo, day_first: bool = False
) -> tuple[list[ExternalRow], list[Translatable]]:
    """`frame`: the file as read by common.tables (str cells, columns by header name).
    `zone` is the time zone of times written without one. `day_first` reads 9/10/2015 as
    9 October (else September 10, as Excel in English and the systems' US exports write)."""
    rows: list[ExternalRow] = []
    problems: list[Translatable] = []
    seen: dict[str, int] = {}
    options = {key: _options(q, mapping) for key, q in mapping.questions.items()}
    # whole columns as lists once: a frame's rows as dicts cost more than the checks
    cells = {column: frame[column].tolist() for column in mapping.targets}
    for index in range(len(frame)):
        number = index + 2
        row = ExternalRow(number=number, external_id="")
        flags: dict[str, list[str]] = {}
        for column, target in mapping.targets.items():
            text = str(cells[column][index]).strip()
            try:
                _apply(row, flags, target, text, (mapping, options), zone, day_first)
            except CellError as error:
                problems.append(_problem(number, column, error.args[0]))
        for key, chosen in flags.items():
            if chosen:  # the 0/1 columns; a space-separated column of the same question wins
                row.answers.setdefault(key, chosen)
        _check_identity(row, seen, problems)
        _derive_times(row)
        rows.append(row)
        if len(problems) >= MAX_PROBLEMS:
            break
    return rows, problems


def _check_identity(row: ExternalRow, seen: dict[str, int], problems: list) -> None:
    if not row.external_id:
        problems.append(Translatable(gettext_noop("Row %(row)s has no interview id."),
                                     row=row.number))  # fmt: skip
    elif row.external_id in seen:
        problems.append(Translatable(gettext_noop(
            "Row %(row)s repeats the interview id %(id)s of row %(first)s."),
            row=row.number, id=row.external_id, first=seen[row.external_id]))  # fmt: skip
    else:
        seen[row.external_id] = row.number


def _derive_times(row: ExternalRow) -> None:
    """The completion time is the device's end, else the submission; the duration the
    system's own, else end − start."""
    row.completed_at = row.completed_at or row.submitted_at
    if row.duration_seconds is None and row.started_at and row.completed_at:
        seconds = (row.completed_at - row.started_at).total_seconds()
        row.duration_seconds = int(seconds) if seconds >= 0 else None
    if row.started_at is None:
        row.started_at = row.completed_at


def _apply(row, flags, target, text, lookups, zone, day_first) -> None:
    mapping, options = lookups
    kind = target.kind
    if kind == cols.ID:
        row.external_id = text.removeprefix("uuid:")
    elif kind == cols.INTERVIEWER:
        row.interviewer = text
    elif kind == cols.LOCALITY:
        row.locality = text
    elif kind == cols.SUBMITTED:
        at = _moment(text, UTC if target.choice == "utc" else zone) if text else None
        row.submitted_at = at
    elif kind == cols.STARTED and text:
        row.started_at = _moment(text, zone)
    elif kind == cols.ENDED and text:
        row.completed_at = _moment(text, zone)
    elif kind == cols.DURATION and text:
        row.duration_seconds = _whole(text)
    elif kind == cols.CHOICE_FLAG:
        chosen = flags.setdefault(target.key, [])
        if _flag(text):
            chosen.append(target.choice)
    elif kind == cols.ANSWER:
        question = mapping.questions[target.key]
        value = (
            None
            if text.lower() in MISSING
            else _value(question, text, options[target.key], day_first)
        )
        if value is not None:
            row.answers[target.key] = value
        _meta_time(row, question, text, zone)


def _meta_time(row: ExternalRow, question: dict, text: str, zone: tzinfo) -> None:
    """The form's own start and end questions are the interview's times too."""
    if text and question.get("type") == "start":
        row.started_at = _moment(text, zone)
    elif text and question.get("type") == "end":
        row.completed_at = _moment(text, zone)


def _flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE or lowered in MISSING:
        return False
    raise CellError(Translatable(gettext_noop("%(value)s is neither 1 nor 0"), value=masked(text)))


def _moment(text: str, zone: tzinfo) -> datetime:
    try:
        moment = pd.Timestamp(text.replace(" ", "T", 1) if "T" not in text else text)
    except (ValueError, TypeError):
        raise CellError(Translatable(gettext_noop("%(value)s is not a date and time"),
                                     value=masked(text))) from None  # fmt: skip
    if pd.isna(moment):
        raise CellError(
            Translatable(gettext_noop("%(value)s is not a date and time"), value=masked(text))
        )
    if moment.tzinfo is None:
        moment = moment.tz_localize(zone)
    return moment.tz_convert(UTC).to_pydatetime()


def _whole(text: str) -> int:
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if number != number or not number.is_integer():
        raise CellError(
            Translatable(gettext_noop("%(value)s is not a whole number"), value=masked(text))
        )
    return int(number)


def _value(question: dict, text: str, options: dict[str, str], day_first: bool):
    kind = question.get("type")
    if kind == "select_one":
        return _choice(question, text, options)
    if kind == "select_multiple":
        return _choices(question, text, options)
    if kind == "integer":
        return _whole(text)
    if kind in ("decimal", "range"):
        try:
            return float(text)
        except ValueError:
            raise CellError(Translatable(gettext_noop("%(value)s is not a number"),
                                         value=masked(text))) from None  # fmt: skip
    if kind == "date":
        return _date(text, day_first).isoformat()
    return text


def _options(question: dict, mapping: Mapping) -> dict[str, str]:
    """Choice values, and their labels in every language, lower-cased → value."""
    lists = mapping.lists
    options: dict[str, str] = {}
    for choice in lists.get(question.get("list") or "", []):
        value = str(choice["value"])
        for text in cols._texts(choice.get("label")):
            options.setdefault(text.lower(), value)
    for choice in lists.get(question.get("list") or "", []):
        options[str(choice["value"]).lower()] = str(choice["value"])
    return options


def _not_a_choice(question: dict, text: str) -> CellError:
    return CellError(Translatable(gettext_noop(
        "%(value)s is not a choice of question %(question)s"),
        value=masked(text), question=question["name"]))  # fmt: skip


def _choice(question: dict, text: str, options: dict[str, str]) -> str:
    if not options:  # a list from an attached file: the value as written
        return text
    found = options.get(text.lower())
    if found is None:
        raise _not_a_choice(question, text)
    return found


def _choices(question: dict, text: str, options: dict[str, str]) -> list[str]:
    if not options:
        return text.split()
    whole = options.get(text.lower())
    if whole is not None:  # one choice by its label, spaces and all
        return [whole]
    chosen = []
    for token in text.split():
        found = options.get(token.lower())
        if found is None:
            raise _not_a_choice(question, token)
        if found not in chosen:
            chosen.append(found)
    return chosen


def _date(text: str, day_first: bool) -> date:
    match = SLASH_DATE.match(text)
    try:
        if match:
            first, second, year = (int(g) for g in match.groups())
            day, month = (first, second) if day_first else (second, first)
            return date(year, month, day)
        return date.fromisoformat(text[:10])
    except ValueError:
        raise CellError(Translatable(gettext_noop("%(value)s is not a date"),
                                     value=masked(text))) from None  # fmt: skip
