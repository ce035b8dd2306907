"""Summaries of an interview's paradata. Pure: no Django.

Paradata is a list of events `{"event": ..., "at": ISO 8601, "step": page name, ...}`, in the
order they happened; fieldwork writes "started", "page_shown", "page_submitted",
"answer_changed" and "finished". Events without a "step" or with an unreadable time are
ignored here.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from fieldwork.flow import page_seconds


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

    Seconds follow fieldwork's own measure of interview duration (fieldwork.flow.page_seconds),
    so the pages add up to the interview's duration. A submission without an earlier showing
    of the same page counts as a visit of unknown length: 0 s.
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
