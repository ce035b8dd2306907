"""When an appointment may be made, and whether it is due: hand-worked cases."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fieldwork.appointments import DUE, MISSED, UPCOMING, appointment_problem, appointment_state
from fieldwork.scheduling import CallingRules

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # a Monday
RULES = CallingRules()  # weekdays 09:00-12:00, 14:00-21:00; weekends 10:00-12:00, 14:00-20:00


def problem(at, window_end=None, last_day=None):
    found = appointment_problem(
        at=at, window_end=window_end, rules=RULES, now=NOW, last_day=last_day
    )
    return None if found is None else str(found)


def test_a_time_in_a_window_later_today_is_accepted():
    assert problem(datetime(2026, 11, 23, 19, 0, tzinfo=SH)) is None


def test_a_past_time_is_refused_with_the_time_named():
    assert problem(datetime(2020, 1, 1, 3, 0, tzinfo=SH)) == (
        "2020-01-01 03:00 has already passed: choose a time to come."
    )


def test_three_in_the_morning_is_refused_with_the_days_windows():
    assert problem(datetime(2026, 11, 24, 3, 0, tzinfo=SH)) == (
        "2026-11-24 03:00 is outside the calling windows of that day (09:00-12:00,14:00-21:00)."
    )


def test_a_saturday_is_checked_against_the_weekend_windows():
    saturday_1930 = datetime(2026, 11, 28, 19, 30, tzinfo=SH)
    assert problem(saturday_1930) is None
    assert "(10:00-12:00,14:00-20:00)" in problem(saturday_1930 + timedelta(hours=1))


def test_after_the_end_of_fieldwork_or_the_horizon_is_refused():
    at = datetime(2026, 11, 25, 19, 0, tzinfo=SH)
    assert "after the end of fieldwork" in problem(at, last_day=at - timedelta(days=1))
    assert "after the end of fieldwork" in problem(NOW + timedelta(days=61))


def test_a_soft_window_must_end_after_it_starts():
    at = datetime(2026, 11, 23, 19, 0, tzinfo=SH)
    assert problem(at, window_end=at) == "The window must end after the appointment time."


def test_a_minute_of_grace_for_the_time_it_took_to_fill_the_form():
    assert problem(NOW - timedelta(seconds=50)) is None


@pytest.mark.parametrize(
    ("kind", "minutes_from_at", "end_minutes", "state"),
    [
        ("hard", -6, None, UPCOMING),  # before the 5-minute lead
        ("hard", -5, None, DUE),
        ("hard", 30, None, DUE),  # the 30-minute grace
        ("hard", 31, None, MISSED),
        ("soft", -1, None, UPCOMING),
        ("soft", 119, None, DUE),  # a soft window of 2 hours without an end
        ("soft", 121, None, MISSED),
        ("soft", 170, 180, DUE),  # its own end
    ],
)
def test_appointment_state_follows_the_schedulers_spans(kind, minutes_from_at, end_minutes, state):
    at = datetime(2026, 11, 23, 19, 0, tzinfo=SH)
    end = at + timedelta(minutes=end_minutes) if end_minutes else None
    now = at + timedelta(minutes=minutes_from_at)
    assert appointment_state(at=at, kind=kind, window_end=end, now=now) == state
