"""The interview's path through a questionnaire definition. Pure: no Django.

Answers are `{question_name: value}`; the definition's shape is documented in
questionnaires.xlsform. Paradata is a list of events `{"event": ..., "step": ..., "at": ISO}`.
"""

from datetime import datetime

from fieldwork.dispositions import COMPLETE, NO_ELIGIBLE_RESPONDENT
from questionnaires.logic import is_relevant

RESPONDENT_REFUSAL = "2.112"

# A page left open longer than this (a break, a crash, an abandoned browser) counts for this
# much: interview duration measures time spent interviewing, not wall-clock time.
MAX_PAGE_SECONDS = 20 * 60


def relevant_groups(definition: dict, answers: dict) -> list[dict]:
    return [group for group in definition["groups"] if is_relevant(group, answers)]


def relevant_questions(group: dict, answers: dict) -> list[dict]:
    return [q for q in group["questions"] if q["type"] != "note" and is_relevant(q, answers)]


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
    for group in definition["groups"]:
        if not is_relevant(group, kept | answers):
            continue
        for question in group["questions"]:
            name = question["name"]
            if name in answers and is_relevant(question, kept | answers):
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


PARTIAL = "1.2"
BREAK_OFF = "2.12"


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
