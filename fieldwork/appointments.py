"""When an appointment may be made: not in the past, inside the wave's calling windows, not
beyond the horizon. Pure: no Django; messages are made with common.translatable so the page
shows them in the reader's language."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from common.translatable import Translatable, gettext_noop
from fieldwork.scheduling import (
    APPOINTMENT_LEAD,
    HARD_GRACE,
    SOFT_DEFAULT_WINDOW,
    CallingRules,
    format_windows,
    in_calling_window,
)

# A minute's grace: the form was filled in a moment ago.
PAST_GRACE = timedelta(minutes=1)
HORIZON = timedelta(days=60)


def appointment_problem(
    *,
    at: datetime,
    window_end: datetime | None,
    rules: CallingRules,
    now: datetime,
    last_day: datetime | None = None,
) -> Translatable | None:
    """Why an appointment at `at` (aware) cannot be made, or None when it can.

    Refused: a time already past; a time outside the calling windows of its local day (the
    windows are named, so the interviewer can offer another time); a soft window ending before
    it starts; a time more than HORIZON ahead or after the fieldwork's `last_day` (aware end).
    """
    local = at.astimezone(ZoneInfo(rules.timezone))
    when = local.strftime("%Y-%m-%d %H:%M")
    if at < now - PAST_GRACE:
        return Translatable(
            gettext_noop("%(when)s has already passed: choose a time to come."), when=when
        )
    if window_end is not None and window_end <= at:
        return Translatable(gettext_noop("The window must end after the appointment time."))
    if at > now + HORIZON or (last_day is not None and at > last_day):
        return Translatable(gettext_noop("%(when)s is after the end of fieldwork."), when=when)
    if not in_calling_window(at, rules):
        windows = rules.weekend_windows if local.weekday() >= 5 else rules.weekday_windows
        if not windows:
            return Translatable(gettext_noop("%(when)s: no calls are made on that day."), when=when)
        return Translatable(
            gettext_noop("%(when)s is outside the calling windows of that day (%(windows)s)."),
            when=when,
            windows=format_windows(windows),
        )
    return None


DUE, UPCOMING, MISSED = "due", "upcoming", "missed"


def appointment_state(
    *, at: datetime, kind: str, window_end: datetime | None, now: datetime
) -> str:
    """DUE when the scheduler would call it now, UPCOMING before, MISSED after its time.

    The same spans as fieldwork.scheduling: a hard appointment from APPOINTMENT_LEAD before its
    time to HARD_GRACE after; a soft one inside its window (SOFT_DEFAULT_WINDOW without an end).
    """
    if kind == "soft":
        start, end = at, window_end or at + SOFT_DEFAULT_WINDOW
    else:
        start, end = at - APPOINTMENT_LEAD, at + HARD_GRACE
    if now < start:
        return UPCOMING
    return DUE if now <= end else MISSED
