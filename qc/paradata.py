"""Summaries of an interview's paradata. Pure: no Django.

Paradata is a list of events `{"event": ..., "at": ISO 8601, "step": page name, ...}`, in the
order they happened; fieldwork writes "started", "page_shown", "page_submitted",
"answer_changed" and "finished". Events without a "step" or with an unreadable time are
ignored here.
"""

from dataclasses import dataclass
from datetime import datetime


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

    A submission without an earlier showing of the same page (paradata written before page
    events existed, or lost) is counted as a visit of unknown length: 0 s.
    """
    shown_at: dict[str, datetime] = {}
    seconds: dict[str, float] = {}
    visits: dict[str, int] = {}
    for event in paradata:
        step, at = event.get("step"), _at(event)
        if not step or at is None:
            continue
        if event.get("event") == "page_shown":
            shown_at[step] = at
        elif event.get("event") == "page_submitted":
            started = shown_at.pop(step, None)
            spent = max((at - started).total_seconds(), 0.0) if started else 0.0
            seconds[step] = seconds.get(step, 0.0) + spent
            visits[step] = visits.get(step, 0) + 1
    return [PageTime(step, visits[step], seconds[step]) for step in seconds]


def elapsed_seconds(paradata: list[dict]) -> float | None:
    """Wall-clock seconds from the first to the last timed event; None without two of them."""
    times = [at for at in (_at(event) for event in paradata) if at is not None]
    if len(times) < 2:
        return None
    return (max(times) - min(times)).total_seconds()


def count_events(paradata: list[dict], event: str) -> int:
    return sum(1 for item in paradata if item.get("event") == event)
