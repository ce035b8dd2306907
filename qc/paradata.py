"""Summaries of an interview's paradata. Pure: no Django.

Paradata is a list of events `{"event": ..., "at": ISO 8601, "step": page name, ...}`, in the
order they happened; fieldwork writes "started", "page_shown", "page_submitted",
"answer_changed" and "finished". Events without a "step" or with an unreadable time are
ignored here.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from fieldwork.interview.flow import page_seconds
from questionnaires import answers


@dataclass(frozen=True)
class PageTime:
    step: str
    visits: int  # how many times the page was submitted
    seconds: float  # summed over visits: each submission minus the latest showing of it


def _at(event: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(event["at"])
    except (KeyError, TypeError, ValueError):
        return None


def page_times(paradata: list[dict]) -> list[PageTime]:
    """Time on each page, in the order pages were first submitted.

    Seconds follow fieldwork's own measure of interview duration
    (fieldwork.interview.flow.page_seconds), so the pages add up to the interview's duration.
    A submission without an earlier showing of the same page counts as a visit of unknown
    length: 0 s.
    """
    seconds = page_seconds(paradata)
    visits = Counter(
        event["step"]
        for event in paradata
        if event.get("event") == "page_submitted" and event.get("step")
    )
    return [PageTime(step, count, seconds.get(step, 0.0)) for step, count in visits.items()]


def elapsed_seconds(paradata: list[dict]) -> float | None:
    """Wall-clock seconds from the first to the last timed event; None without two of them."""
    times = [at for at in (_at(event) for event in paradata) if at is not None]
    if len(times) < 2:
        return None
    return (max(times) - min(times)).total_seconds()


def count_events(paradata: list[dict], event: str) -> int:
    return sum(1 for item in paradata if item.get("event") == event)


def label_chars(question: dict, language: str | None = None) -> int:
    """Characters to read out for a question: its label (and hint) in `language` (the first
    label language when None or absent), without whitespace."""
    chars = 0
    for key in ("label", "hint"):
        text = question.get(key) or {}
        if isinstance(text, dict):
            text = text.get(language) if language in text else next(iter(text.values()), "")
        chars += len("".join(str(text or "").split()))
    return chars


def question_seconds(paradata: list[dict], definition: dict) -> dict[str, float]:
    """Seconds per question, estimated from page-level paradata.

    The wizard records page_shown/page_submitted per page (a definition group, named by its
    "name" as the paradata's "step"), not per question, so each page's time (page_times: summed
    over visits) is split over the page's questions in proportion to their label length
    (label_chars in the definition's first language; notes included, as they are read out
    too; a page whose labels are all empty splits evenly). Consequence: within one page every
    question gets the same seconds per character, so a per-question reading-time check equals
    a per-page one. Questions of pages never submitted are absent.

    Returns {question key (its path, questionnaires.answers.key): seconds}.
    """
    languages = definition.get("languages") or [None]
    seconds = {page.step: page.seconds for page in page_times(paradata)}
    out: dict[str, float] = {}
    for group in definition.get("groups", []):
        if group.get("name") not in seconds:
            continue
        questions = [q for q in group.get("questions", []) if q.get("type") != "calculate"]
        if not questions:
            continue
        weights = [label_chars(q, languages[0]) for q in questions]
        total = sum(weights)
        page = seconds[group["name"]]
        for question, weight in zip(questions, weights, strict=True):
            share = weight / total if total else 1 / len(questions)
            out[answers.key(question)] = page * share
    return out
