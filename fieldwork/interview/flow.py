"""The interview's path through a questionnaire definition. Pure: no Django.

Answers are stored by question path and read and written only through questionnaires.answers
(a repeat's answer is a list of rows under the repeat's path, nested repeats inside rows).
Expressions see the answers by name (answers.scope): `is_shown` and `compute_text` take that
scope; the other functions take the stored answers. The definition's shape is documented in
questionnaires.xlsform. Paradata is a list of events `{"event": ..., "step": ..., "at": ISO}`.
"""

import math
from dataclasses import replace
from datetime import date, datetime

from fieldwork.dispositions import (
    BREAK_OFF,
    COMPLETE,
    NO_ELIGIBLE_RESPONDENT,
    PARTIAL,
    RESPONDENT_REFUSAL,
)
from questionnaires import answers as A
from questionnaires import xpath
from questionnaires.xpath import ExpressionError, Interview, is_relevant

# Question types that are never a form field: notes are read out, calculates are computed.
NOT_ASKED = ("note", "calculate")

# A page left open longer than this (a break, a crash, an abandoned browser) counts for this
# much: interview duration measures time spent interviewing, not wall-clock time.
MAX_PAGE_SECONDS = 20 * 60


def is_shown(element: dict, named: dict, *, today: date | None = None,
             interview: Interview | None = None) -> bool:  # fmt: skip
    """Whether a page or question is on the path, given the answers so far (by name).

    An expression the interview cannot evaluate (ODK functions it does not run yet, listed
    as a warning at import; or one stored before a limit was added) hides its page or
    question rather than stopping the interview, as the page form does.
    """
    try:
        return is_relevant(element, named, today=today, interview=interview)
    except (ValueError, TypeError, ArithmeticError):  # ExpressionError is a ValueError
        return False


def relevant_groups(definition: dict, answers: dict) -> list[dict]:
    named = A.scope(answers, definition)
    return [group for group in definition["groups"] if is_shown(group, named)]


def is_asked(question: dict) -> bool:
    """A question the interviewer asks: not a note or calculate, not device metadata, not a
    type kept in the definition but not asked (rank; or one stored before location and media
    questions were asked)."""
    return question["type"] not in NOT_ASKED and question.get("kind", "asked") == "asked"


def relevant_questions(group: dict, named: dict) -> list[dict]:
    """The questions of a page to ask (not notes, not calculates), given the answers by name."""
    return [q for q in group["questions"] if is_asked(q) and is_shown(q, named)]


def expression_context(definition: dict, *, today: date | None = None, now: datetime | None = None,
                       started: datetime | None = None, seed: str = "", case_id: str = "",
                       language: str | None = None, data=None) -> Interview:  # fmt: skip
    """What the form's expressions read besides the answers: the clock, the interview's seed
    for random(), the case's public id (SurveyCTO's caseid), the choice lists (instance() and
    jr:choice-name in `language`) and the attached files (`data`: name → rows)."""
    lists: dict[str, str] = {}

    def collect(items: list[dict]) -> None:
        for item in items:
            if item.get("list"):
                lists.setdefault(item["name"], item["list"])
            collect(item.get("questions") or [])

    collect(definition["groups"])
    return Interview(today=today, now=now, started=started, seed=seed, case_id=case_id,
                     language=language, choice_lists=definition.get("choice_lists") or {},
                     question_lists=lists, data=data if data is not None else {})  # fmt: skip


def is_repeat(group: dict) -> bool:
    return bool(group.get("repeat"))


def compute_text(expression: str, named: dict, *, today: date | None = None,
                 interview: Interview | None = None, current=None) -> str | None:  # fmt: skip
    """`expression` evaluated against the answers (by name) as a calculate's stored value
    (None if empty).

    An expression that cannot be evaluated for these answers (the parser has already checked
    its syntax) gives no value rather than stopping the interview. `current` is the value
    stored before (`.`, which once() keeps).
    """
    try:
        value = xpath.compute(expression, named, current, today=today, interview=interview)
        text = xpath.as_text(value)
    except (ExpressionError, ValueError, TypeError, ArithmeticError):
        return None
    return text or None


def row_count(expression: str, named: dict, *, maximum: int, today: date | None = None,
              interview: Interview | None = None) -> int:  # fmt: skip
    """A roster's number of rows from its `count` expression, within 0..maximum."""
    text = compute_text(expression, named, today=today, interview=interview)
    try:
        rows = math.floor(float(text)) if text is not None else 0
    except ValueError:
        rows = 0
    return max(0, min(rows, maximum))


def settle(definition: dict, answers: dict, *, today: date | None = None,
           interview: Interview | None = None, previous: dict | None = None) -> dict:  # fmt: skip
    """The answers to store after a page: off-path answers dropped, calculates recomputed.

    Walks the questionnaire in order, so a calculate sees the calculates before it. A calculate
    is computed only while its page and itself are on the path; an empty result is not stored.
    Inside a repeat, each row's calculates see that row's values and its position (`..`).
    `interview` gives expressions the rest of the interview (see questionnaires.xpath);
    `previous` are the answers stored before, whose calculates once() keeps.
    """
    return _walk(definition, answers, today=today, recompute=True, interview=interview,
                 previous=answers if previous is None else previous)  # fmt: skip


def prune(definition: dict, answers: dict) -> dict:
    """Drop answers to questions that are no longer on the respondent's path.

    Going back and changing an answer can skip pages answered before; their answers must not
    reach QC or scoring.
    """
    return _walk(definition, answers, today=None, recompute=False, interview=None, previous={})


def _walk(definition: dict, answers: dict, *, today: date | None, recompute: bool,
          interview: Interview | None, previous: dict) -> dict:  # fmt: skip
    calculates = {
        A.key(q)
        for page, q in A.questions(definition)
        if q["type"] == "calculate" and not is_repeat(page)
    }
    given = {k: v for k, v in answers.items() if not (recompute and k in calculates)}
    kept: dict = {}
    visited: set[str] = set()  # keys already kept or dropped: a dropped answer is gone

    formed_from: dict | None = None  # the answers the scope was last formed from
    formed: dict = {}

    def context() -> dict:
        # Most questions change nothing the expressions read (an answer moves from given to
        # kept unchanged), so the scope is formed again only when the answers differ.
        nonlocal formed_from, formed
        current = {k: v for k, v in given.items() if k not in visited} | kept
        if current != formed_from:
            formed_from, formed = current, A.scope(current, definition)
        return formed

    for group in definition["groups"]:
        if not is_shown(group, context(), today=today, interview=interview):
            visited.update(A.key(q) for q in group["questions"])
            visited.add(A.key(group))
            continue
        if is_repeat(group):
            if A.has(given, group):
                rows = A.rows(given, group)
                repeat = group["repeat"]
                if recompute and repeat.get("count"):
                    # A roster sized by an answer that has since shrunk loses its extra rows.
                    maximum = int(repeat.get("max") or 20)
                    rows = rows[: row_count(repeat["count"], context(), maximum=maximum,
                                            today=today, interview=interview)]  # fmt: skip
                named = context()
                before = A.rows(previous, group)
                A.put(kept, group, [_row(group["questions"], named, row, today, recompute,
                                         at_row(interview, number), _nth(before, number))
                                    for number, row in enumerate(rows, start=1)])  # fmt: skip
            visited.add(A.key(group))
            continue
        for question in group["questions"]:
            relevant = is_shown(question, context(), today=today, interview=interview)
            visited.add(A.key(question))
            if not relevant:
                continue
            if recompute and question["type"] == "calculate":
                value = compute_text(
                    question.get("calculation") or "",
                    context(),
                    today=today,
                    interview=interview,
                    current=A.get(previous, question),
                )
                if value is not None:
                    A.put(kept, question, value)
            elif A.has(given, question):
                A.put(kept, question, A.get(given, question))
    for question in definition.get("metadata") or ():  # recorded by the device: kept as given
        if A.has(given, question):
            A.put(kept, question, A.get(given, question))
    return kept


def at_row(interview: Interview | None, number: int) -> Interview:
    """The interview as seen from row `number` (1-based) of a roster: position(..) is it."""
    interview = interview or Interview()
    return replace(interview, positions=(*interview.positions, number))


def _nth(rows: list[dict], number: int) -> dict:
    return rows[number - 1] if number <= len(rows) else {}


def _row(items: list[dict], named: dict, row: dict, today: date | None, recompute: bool,
         interview: Interview, before: dict) -> dict:  # fmt: skip
    """One roster row settled: its questions on the path kept, its calculates recomputed (once()
    keeps what the row stored `before`, the same row as stored before the page), the rows of a
    roster nested in it settled in turn."""
    kept: dict = {}
    for item in items:
        context = A.row_scope(named, items, {**row, **kept})
        if not is_shown(item, context, today=today, interview=interview):
            continue
        if item.get("type") == "repeat" and "questions" in item:
            if A.has(row, item):
                rows = enumerate(A.rows(row, item), start=1)
                earlier = A.rows(before, item)
                A.put(kept, item, [_row(item["questions"], context, inner, today, recompute,
                                        at_row(interview, number), _nth(earlier, number))
                                   for number, inner in rows])  # fmt: skip
        elif recompute and item["type"] == "calculate":
            current = A.get(before, item) if A.has(before, item) else A.get(row, item)
            value = compute_text(item.get("calculation") or "", context, today=today,
                                 interview=interview, current=current)  # fmt: skip
            if value is not None:
                A.put(kept, item, value)
        elif A.has(row, item) and item["type"] != "note":
            A.put(kept, item, A.get(row, item))
    return kept


def scale_item_keys(definition: dict) -> set[str]:
    """Questions that feed scores: tagged with a dimension and answered on a scored list."""
    lists = definition["choice_lists"]
    return {
        A.key(q)
        for page, q in A.questions(definition)
        if q.get("dimension")
        and q.get("list") in lists
        and any(choice.get("score") is not None for choice in lists[q["list"]])
    }


def consent_refused(definition: dict, answers: dict) -> bool:
    """Whether the respondent answered the consent question with anything but consent: the
    question marked `consent` in the form, or, in forms from before the marker, the question
    named consent answered "no"."""
    marked = definition.get("consent")
    for _page, question in A.questions(definition):
        if marked and A.key(question) == marked:
            value = A.get(answers, question)
            return value not in (None, "") and value != question.get("consent")
        if not marked and question["name"] == "consent":
            return A.get(answers, question) == "no"
    return False


def outcome(definition: dict, answers: dict) -> str:
    """The AAPOR code an interview ends with once no page is left to ask.

    Reaching any scored item makes it a complete interview; otherwise the respondent either
    declined at the consent question or was screened out as not eligible.
    """
    reached = {
        A.key(q) for group in relevant_groups(definition, answers) for q in group["questions"]
    }
    if reached & scale_item_keys(definition):
        return COMPLETE
    if consent_refused(definition, answers):
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
    named = A.scope(answers, definition)
    on_path = {
        A.key(q)
        for group in relevant_groups(definition, answers)
        for q in relevant_questions(group, named)
    }
    key_items = scale_item_keys(definition) & on_path
    if key_items and all(answers.get(item) not in (None, "", []) for item in key_items):
        return PARTIAL
    return BREAK_OFF
