"""The interview's path through a questionnaire definition. Pure: no Django.

Answers are `{question_name: value}`; a repeat group's answer is a list of row dicts under the
group's name (`{"household": [{"member_age": 34}, ...]}`). The definition's shape is
documented in questionnaires.xlsform (and /work/notes/contract5.md for repeats, calculates and
defaults). Paradata is a list of events `{"event": ..., "step": ..., "at": ISO}`.
"""

import math
from datetime import date, datetime

from fieldwork.dispositions import (
    BREAK_OFF,
    COMPLETE,
    NO_ELIGIBLE_RESPONDENT,
    PARTIAL,
    RESPONDENT_REFUSAL,
)
from questionnaires import logic
from questionnaires.logic import ExpressionError, is_relevant

# Question types that are never a form field: notes are read out, calculates are computed.
NOT_ASKED = ("note", "calculate")

# A page left open longer than this (a break, a crash, an abandoned browser) counts for this
# much: interview duration measures time spent interviewing, not wall-clock time.
MAX_PAGE_SECONDS = 20 * 60


def is_shown(element: dict, answers: dict, *, today: date | None = None) -> bool:
    """Whether a page or question is on the path, given the answers so far.

    The import refuses expressions the parser cannot read; one stored before a rule was
    added (too deep, too long) hides its page or question rather than stopping the interview,
    as the page form does.
    """
    try:
        return is_relevant(element, answers, today=today)
    except (ValueError, TypeError, ArithmeticError):  # ExpressionError is a ValueError
        return False


def relevant_groups(definition: dict, answers: dict) -> list[dict]:
    return [group for group in definition["groups"] if is_shown(group, answers)]


def relevant_questions(group: dict, answers: dict) -> list[dict]:
    """The questions of a page to ask (not notes, not calculates), given the answers so far."""
    return [q for q in group["questions"] if q["type"] not in NOT_ASKED and is_shown(q, answers)]


def is_repeat(group: dict) -> bool:
    return bool(group.get("repeat"))


def compute_text(expression: str, answers: dict, *, today: date | None = None) -> str | None:
    """`expression` evaluated against `answers` as a calculate's stored value (None if empty).

    An expression that cannot be evaluated for these answers (the parser has already checked
    its syntax) gives no value rather than stopping the interview.
    """
    try:
        text = logic.as_text(logic.compute(expression, answers, today=today))
    except (ExpressionError, ValueError, TypeError, ArithmeticError):
        return None
    return text or None


def row_count(expression: str, answers: dict, *, maximum: int, today: date | None = None) -> int:
    """A roster's number of rows from its `count` expression, within 0..maximum."""
    text = compute_text(expression, answers, today=today)
    try:
        rows = math.floor(float(text)) if text is not None else 0
    except ValueError:
        rows = 0
    return max(0, min(rows, maximum))


def settle(definition: dict, answers: dict, *, today: date | None = None) -> dict:
    """The answers to store after a page: off-path answers dropped, calculates recomputed.

    Walks the questionnaire in order, so a calculate sees the calculates before it. A calculate
    is computed only while its page and itself are on the path; an empty result is not stored.
    Inside a repeat, each row's calculates see that row's values.
    """
    calculate_names = {
        q["name"]
        for group in definition["groups"]
        for q in group["questions"]
        if q["type"] == "calculate" and not is_repeat(group)
    }
    given = {name: value for name, value in answers.items() if name not in calculate_names}
    kept: dict = {}
    visited: set[str] = set()  # names already kept or dropped: a dropped answer is gone

    def context() -> dict:
        return {k: v for k, v in given.items() if k not in visited} | kept

    for group in definition["groups"]:
        if not is_shown(group, context(), today=today):
            visited.update(q["name"] for q in group["questions"])
            visited.add(group["name"])
            continue
        if is_repeat(group):
            rows = given.get(group["name"])
            if isinstance(rows, list):
                rows = [row for row in rows if isinstance(row, dict)]
                repeat = group["repeat"]
                if repeat.get("count"):
                    # A roster sized by an answer that has since shrunk loses its extra rows.
                    maximum = int(repeat.get("max") or 20)
                    rows = rows[: row_count(repeat["count"], context(), maximum=maximum)]
                kept[group["name"]] = [_settle_row(group, context(), row, today) for row in rows]
            visited.add(group["name"])
            continue
        for question in group["questions"]:
            name = question["name"]
            relevant = is_shown(question, context(), today=today)
            visited.add(name)
            if not relevant:
                continue
            if question["type"] == "calculate":
                value = compute_text(question.get("calculation") or "", context(), today=today)
                if value is not None:
                    kept[name] = value
            elif name in given:
                kept[name] = given[name]
    return kept


def _settle_row(group: dict, answers: dict, row: dict, today: date | None) -> dict:
    kept: dict = {}
    for question in group["questions"]:
        name = question["name"]
        context = logic.row_scope(answers, row | kept)
        if not is_shown(question, context, today=today):
            continue
        if question["type"] == "calculate":
            value = compute_text(question.get("calculation") or "", context, today=today)
            if value is not None:
                kept[name] = value
        elif name in row and question["type"] != "note":
            kept[name] = row[name]
    return kept


def scale_item_names(definition: dict) -> set[str]:
    """Questions that feed scores: tagged with a dimension and answered on a scored list."""
    lists = definition["choice_lists"]
    return {
        q["name"]
        for group in definition["groups"]
        for q in group["questions"]
        if q.get("dimension")
        and q.get("list") in lists
        and any(choice.get("score") is not None for choice in lists[q["list"]])
    }


def prune(definition: dict, answers: dict) -> dict:
    """Drop answers to questions that are no longer on the respondent's path.

    Going back and changing an answer can skip pages answered before; their answers must not
    reach QC or scoring.
    """
    kept: dict = {}
    visited: set[str] = set()  # names already kept or dropped: a dropped answer is gone

    def context() -> dict:
        return {k: v for k, v in answers.items() if k not in visited} | kept

    for group in definition["groups"]:
        if not is_shown(group, context()):
            visited.update(q["name"] for q in group["questions"])
            visited.add(group["name"])
            continue
        if is_repeat(group):
            rows = answers.get(group["name"])
            if isinstance(rows, list):
                scope = context()
                kept[group["name"]] = [
                    {
                        q["name"]: row[q["name"]]
                        for q in group["questions"]
                        if q["name"] in row and is_shown(q, scope | row)
                    }
                    for row in rows
                ]
            visited.add(group["name"])
            continue
        for question in group["questions"]:
            name = question["name"]
            relevant = is_shown(question, context())
            visited.add(name)
            if name in answers and relevant:
                kept[name] = answers[name]
    return kept


def outcome(definition: dict, answers: dict) -> str:
    """The AAPOR code an interview ends with once no page is left to ask.

    Reaching any scored item makes it a complete interview; otherwise the respondent either
    declined at the consent question or was screened out as not eligible.
    """
    reached = {
        q["name"] for group in relevant_groups(definition, answers) for q in group["questions"]
    }
    if reached & scale_item_names(definition):
        return COMPLETE
    if answers.get("consent") == "no":
        return RESPONDENT_REFUSAL
    return NO_ELIGIBLE_RESPONDENT


def page_seconds(paradata: list[dict]) -> dict[str, float]:
    """Seconds per page, summed over visits: each submission minus the latest showing of it.

    Each visit counts at most MAX_PAGE_SECONDS, so a crash or a lunch break in the middle of
    an interview does not inflate its duration.
    """
    shown_at: dict[str, datetime] = {}
    per_page: dict[str, float] = {}
    for event in paradata:
        step = event.get("step")
        try:
            at = datetime.fromisoformat(event["at"])
        except (KeyError, TypeError, ValueError):
            continue  # paradata from elsewhere may carry unreadable times: skip, don't guess
        if event["event"] == "page_shown":
            shown_at[step] = at
        elif event["event"] == "page_submitted" and step in shown_at:
            seconds = min(max((at - shown_at.pop(step)).total_seconds(), 0.0), MAX_PAGE_SECONDS)
            per_page[step] = per_page.get(step, 0.0) + seconds
    return per_page


def active_seconds(paradata: list[dict]) -> int:
    """Time spent interviewing, in whole seconds."""
    return round(sum(page_seconds(paradata).values()))


def stop_code(definition: dict, answers: dict) -> str:
    """The code of an interview stopped midway (the respondent asked to continue later).

    Our rule for AAPOR's partial (1.2): the respondent answered every key item, i.e. every
    scored item still on their path; anything less is a break-off (2.12). A partial is usable
    for scoring; a break-off is not.
    """
    on_path = {
        q["name"]
        for group in relevant_groups(definition, answers)
        for q in relevant_questions(group, answers)
    }
    key_items = scale_item_names(definition) & on_path
    if key_items and all(answers.get(name) not in (None, "", []) for name in key_items):
        return PARTIAL
    return BREAK_OFF
