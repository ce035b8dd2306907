"""Per-question paradata from the browser: checked, masked and summarised into one compact event.

static/js/item_paradata.js keeps, for the page on screen, a log of what happened to each
question and puts it in the form's hidden field ITEMS_FIELD, so it travels with the page's
submission and through the offline queue like any answer. The browser sends JSON:

    {"v": 1, "d": ms the page was on screen until submitted, "lang": questionnaire language,
     "e": [[ms, code, question, value?], ...]}

with `ms` counted from the page being shown on the browser's monotonic clock
(performance.now(): a wrong wall clock on the tablet changes nothing) and codes
    s  the question became visible (on showing the page, or when its relevance opened it)
    f  the question got the focus
    a  the question was answered or its answer changed (value: the new answer)
    h  the page went to the background (another app, the screen locked)
    v  the page came back

Nothing the browser sends is trusted beyond sanity: the text is bounded (MAX_CHARS), the events
too (MAX_EVENTS), times must be whole milliseconds in order within [0, MAX_PAGE_MS], questions
must be on the page, and values are kept only for questions whose answers are codes or numbers
(choice, integer, decimal, date); everything else (names, phone numbers, free text) is masked
(MASK), only the fact of a change kept. A log that fails a check is refused as a whole and
noted as such (summarise returns (None, reason)); the page's answers are saved regardless.

The stored event (one per page visit, appended to Interview.paradata):

    {"event": "items", "step": page, "at": server time, "lang": code, "ms": page ms,
     "q": {question: [shown ms, first focus ms, first answer ms, active ms, changes]},
     "ch": [[ms, question, old, new], ...], "gap": longest ms without any event,
     "bg": ms in the background, "end": "next" | "back" | "language"}

Active time: each interval between two events is given to the question of the later event
when that is a focus or an answer (the time before touching a question is spent reading it);
the interval after the last event goes to the last question touched; time in the background
goes to nobody (an interval it interrupts resumes when the page comes back), so the questions'
times add up to the page's time less its time in the background. Pure: no Django.
"""

import json
from typing import Any

ITEMS_FIELD = "item_paradata"
MAX_CHARS = 64_000
MAX_EVENTS = 800
MAX_PAGE_MS = 6 * 3600 * 1000  # a page on screen longer than six hours is not believable
MAX_VALUE_CHARS = 80
MASK = "•"
CODES = frozenset("sfahv")
VALUE_TYPES = frozenset(
    {"select_one", "select_multiple", "integer", "decimal", "date", "rank", "range"}
)
# Questions whose values identify the respondent whatever their type.
PERSONAL_WORDS = ("phone", "mobile", "tel", "name", "address", "id_card", "电话", "姓名", "地址")
ENDINGS = ("next", "back", "language")


class Refused(ValueError):
    """The browser's log failed a check: the reason, in plain words for the paradata."""


def _is_personal(question: dict) -> bool:
    if question.get("type") not in VALUE_TYPES:
        return True
    name = str(question.get("name", "")).lower()
    return any(word in name for word in PERSONAL_WORDS)


def _value(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    text = " ".join(str(v) for v in raw) if isinstance(raw, list) else str(raw)
    return text[:MAX_VALUE_CHARS]


def _parse(text: str) -> dict:
    if len(text) > MAX_CHARS:
        raise Refused(f"over {MAX_CHARS} characters")
    try:
        data = json.loads(text)
    except ValueError as error:
        raise Refused("not JSON") from error
    if not isinstance(data, dict) or data.get("v") != 1:
        raise Refused("not version 1")
    events = data.get("e")
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        raise Refused(f"events missing or over {MAX_EVENTS}")
    return data


def _whole_ms(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise Refused(f"{what} is not a time")
    ms = int(value)
    if not 0 <= ms <= MAX_PAGE_MS:
        raise Refused(f"{what} out of range")
    return ms


def _events(data: dict, questions: dict[str, dict]) -> tuple[int, list[tuple]]:
    """The page's length and its events as (ms, code, question, value), checked."""
    page_ms = _whole_ms(data.get("d"), "page time")
    out: list[tuple] = []
    last = 0
    for event in data["e"]:
        if not isinstance(event, list) or len(event) < 2:
            raise Refused("malformed event")
        ms = _whole_ms(event[0], "event time")
        code = event[1]
        if code not in CODES:
            raise Refused("unknown event")
        if ms < last or ms > page_ms:
            raise Refused("events out of order")
        last = ms
        name = event[2] if len(event) > 2 else None
        if code in "sfa":
            if name not in questions:
                continue  # a question of a roster row, or not on this page: not kept
            out.append((ms, code, name, _value(event[3] if len(event) > 3 else None)))
        else:
            out.append((ms, code, None, None))
    return page_ms, out


def _active(page_ms: int, events: list[tuple]) -> tuple[dict[str, int], int, int]:
    """Active ms per question, the longest gap and the ms in the background."""
    active: dict[str, int] = {}
    mark, hidden_since, background, gap, last_touched = 0, None, 0, 0, None
    for ms, code, name, _value in events:
        if code == "h":
            if hidden_since is None:
                hidden_since = ms
            continue
        if code == "v":
            if hidden_since is not None:  # the clock of the interval under way resumes
                background += ms - hidden_since
                mark += ms - hidden_since
                hidden_since = None
            continue
        if hidden_since is not None:
            continue  # a change while hidden (autofill): its time is the background's
        gap = max(gap, ms - mark)
        if code in "fa":
            active[name] = active.get(name, 0) + ms - mark
            last_touched = name
            mark = ms
    end = hidden_since if hidden_since is not None else page_ms
    if hidden_since is not None:  # submitted from the background (an offline queue sending)
        background += page_ms - hidden_since
    gap = max(gap, end - mark)
    if last_touched is not None:
        active[last_touched] += end - mark
    return active, gap, background


def _per_question(
    events: list[tuple], active: dict[str, int], previous: dict, personal: set[str]
) -> tuple:
    def shown(name: str, value: str | None) -> str | None:
        return MASK if name in personal and value is not None else value

    questions: dict[str, list] = {}
    changes: list[list] = []
    current = dict(previous)
    for ms, code, name, value in events:
        if name is None:
            continue
        row = questions.setdefault(name, [None, None, None, 0, 0])
        if code == "s" and row[0] is None:
            row[0] = ms
        elif code == "f" and row[1] is None:
            row[1] = ms
        elif code == "a":
            old = current.get(name)
            if old == value:
                continue
            if row[2] is None and old is None:
                row[2] = ms
            else:
                row[4] += 1
                changes.append([ms, name, shown(name, old), shown(name, value)])
            current[name] = value
    for name, ms in active.items():
        questions.setdefault(name, [None, None, None, 0, 0])[3] = ms
    return questions, changes


def summarise(
    text: str | None,
    *,
    questions: dict[str, dict],
    previous: dict[str, Any] | None = None,
    end: str = "next",
) -> tuple[dict | None, str | None]:
    """The compact record of one page visit from the browser's log, or (None, why refused).

    `questions`: the page's questions by name (their type decides what is masked);
    `previous`: the answers the page opened with, by name, so that changing a saved answer
    counts as a change and not as a first answer. (None, None) when the browser sent nothing.
    The record lacks "event", "step" and "at", which the caller adds.
    """
    if not text:
        return None, None
    try:
        data = _parse(text)
        page_ms, events = _events(data, questions)
    except Refused as refused:
        return None, str(refused)
    opened = {name: _value(value) for name, value in (previous or {}).items() if name in questions}
    personal = {name for name, question in questions.items() if _is_personal(question)}
    active, gap, background = _active(page_ms, events)
    per_question, changes = _per_question(events, active, opened, personal)
    language = data.get("lang")
    return {
        "lang": language[:16] if isinstance(language, str) else "",
        "ms": page_ms,
        "q": per_question,
        "ch": changes,
        "gap": gap,
        "bg": background,
        "end": end if end in ENDINGS else "next",
    }, None
