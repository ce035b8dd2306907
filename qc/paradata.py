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
    """Seconds per question: measured in the browser where the paradata hold the page's
    per-question log (measured_seconds), else estimated from page-level paradata.

    Without a per-question log the wizard records page_shown/page_submitted per page (a
    definition group, named by its "name" as the paradata's "step"), not per question, so
    each page's time (page_times: summed over visits) is split over the page's questions in
    proportion to their label length (label_chars in the definition's first language; notes
    included, as they are read out too; a page whose labels are all empty splits evenly).
    Consequence: within one page every question gets the same seconds per character, so a
    per-question reading-time check equals a per-page one. Questions of pages never
    submitted are absent.

    Returns {question key (its path, questionnaires.answers.key): seconds}.
    """
    languages = definition.get("languages") or [None]
    seconds = {page.step: page.seconds for page in page_times(paradata)}
    measured = measured_seconds(paradata, definition)
    out: dict[str, float] = {}
    for group in definition.get("groups", []):
        if group.get("name") in measured:
            out.update(measured[group["name"]])
            continue
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


MASK = "•"  # a personal answer's value, never stored (fieldwork.interview.item_events.MASK)
ITEMS = (
    "items"  # the browser's per-question log of one page visit (fieldwork.interview.item_events)
)


def measured_seconds(paradata: list[dict], definition: dict) -> dict[str, dict[str, float]]:
    """{page: {question key: seconds}} measured in the browser, summed over the page's visits
    (left by Next, Back or a language switch), for the pages that have a per-question log.
    A question of the page never touched counts 0 s; questions not on the page are ignored."""
    pages = {group.get("name"): group for group in definition.get("groups", [])}
    out: dict[str, dict[str, float]] = {}
    for event in paradata:
        if event.get("event") != ITEMS or event.get("step") not in pages:
            continue
        group = pages[event["step"]]
        keys = {q["name"]: answers.key(q) for q in group.get("questions", []) if "name" in q}
        page = out.setdefault(event["step"], {})
        for question in group.get("questions", []):
            if question.get("type") not in ("calculate", "note"):
                page.setdefault(answers.key(question), 0.0)
        for name, row in (event.get("q") or {}).items():
            if name in keys and isinstance(row, list) and len(row) == 5:
                page[keys[name]] = page.get(keys[name], 0.0) + float(row[3] or 0) / 1000
    return out


@dataclass(frozen=True)
class ItemSummary:
    """What an interview's per-question logs say beyond times (None: it has none)."""

    pages: int  # page visits with a log
    changes: int  # answers changed after a first answer
    changed_questions: int  # distinct questions whose answer changed
    returns: int  # changes back to an answer given before (A → B → A)
    longest_pause: float  # s, the longest time on a page without any event, in the foreground
    background: float  # s the pages spent in the background
    back: int  # times the interviewer went back a page
    language_switches: int


def item_summary(paradata: list[dict]) -> ItemSummary | None:
    logs = [event for event in paradata if event.get("event") == ITEMS]
    if not logs:
        return None
    changed: set[tuple[str, str]] = set()
    changes = returns = 0
    for log in logs:
        history: dict[str, list] = {}
        for change in log.get("ch") or []:
            _ms, name, old, new = change
            changes += 1
            changed.add((log.get("step", ""), name))
            seen = history.setdefault(name, [old])
            if new != MASK and new in seen[:-1]:
                returns += 1
            seen.append(new)
    return ItemSummary(
        pages=len(logs),
        changes=changes,
        changed_questions=len(changed),
        returns=returns,
        longest_pause=max(float(log.get("gap") or 0) for log in logs) / 1000,
        background=sum(float(log.get("bg") or 0) for log in logs) / 1000,
        back=count_events(paradata, "went_back"),
        language_switches=count_events(paradata, "language_switched"),
    )


# The rule input's columns from per-question logs, with their dtypes.
ITEM_COLUMNS = {
    "item_logged": "bool",
    "item_changes": "float64",
    "item_returns": "float64",
    "longest_pause_seconds": "float64",
}


def item_row(record: dict) -> dict:
    """ITEM_COLUMNS of an interview record: what its per-question logs say (NaN and False
    without them)."""
    summary = item_summary(record.get("paradata") or [])
    nan = float("nan")
    return {
        "item_logged": summary is not None,
        "item_changes": summary.changes if summary else nan,
        "item_returns": summary.returns if summary else nan,
        "longest_pause_seconds": summary.longest_pause if summary else nan,
    }
