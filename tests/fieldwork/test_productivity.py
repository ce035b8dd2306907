"""Productivity per interviewer and per shift, checked against hand-worked figures."""

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from fieldwork.productivity import OUTSIDE, assign_shifts, summarise
from fieldwork.scheduling import CallingRules, parse_windows

SH = ZoneInfo("Asia/Shanghai")
# Monday windows 09:00-12:00 and 20:00-01:00 (crossing midnight); weekends none
RULES = CallingRules(weekday_windows=parse_windows("09:00-12:00,20:00-01:00"), weekend_windows=())


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)  # 23 = Monday


def test_shifts_follow_the_windows_and_a_night_belongs_to_the_evening_before():
    times = pd.Series(
        [at(23, 9, 30), at(23, 12, 0), at(23, 21), at(24, 0, 30), at(28, 0, 30), at(29, 10)]
    )
    shifts = assign_shifts(times, RULES)
    assert shifts["shift"].tolist() == [
        "09:00-12:00",
        OUTSIDE,  # the window ends at 12:00
        "20:00-01:00",
        "20:00-01:00",  # Tuesday 00:30 is Monday evening's shift
        "20:00-01:00",  # Saturday 00:30: Friday evening's (a weekday window)
        OUTSIDE,  # Sunday has no windows
    ]
    assert [str(d) for d in shifts["day"]] == [
        "2026-11-23",
        "2026-11-23",
        "2026-11-23",
        "2026-11-23",
        "2026-11-27",
        "2026-11-29",
    ]


@pytest.fixture
def work():
    attempts = pd.DataFrame(
        {
            "interviewer": [1, 1, 1, 1, 1, 2, 2],
            "started_at": [
                at(23, 9, 0),
                at(23, 9, 20),
                at(23, 10, 0),
                at(23, 11, 0),
                at(23, 20, 0),
                at(23, 9, 0),
                at(23, 9, 10),
            ],
            "disposition": ["3.13", "1.1", "2.112", "2.21", "1.1", "3.12", "2.111"],
        }
    )
    interviews = pd.DataFrame(
        {
            "interviewer": [1, 1],
            "completed_at": [at(23, 9, 30), at(23, 20, 12)],
            "duration_seconds": [600.0, 720.0],
        }
    )
    return attempts, interviews


def test_per_interviewer_by_hand(work):
    table = summarise(*work, RULES, ["interviewer"]).set_index("interviewer")
    one = table.loc[1]
    # contacts: 1.1, 2.112, 2.21, 1.1 = 4; refusals 1 → 25 %
    assert (one["attempts"], one["contacts"], one["completes"]) == (5, 4, 2)
    # morning shift 09:00→11:00 = 2 h; evening 20:00→20:12 = 0.2 h, at least 0.25 h
    assert one["hours"] == pytest.approx(2.25)
    assert one["completes_per_hour"] == pytest.approx(2 / 2.25)
    assert one["median_minutes"] == pytest.approx(11.0)
    assert one["refusal_rate"] == pytest.approx(0.25)
    two = table.loc[2]
    # 3.12 busy is no contact; 2.111 is a contact and a refusal; 10 minutes → a quarter hour
    assert (two["attempts"], two["contacts"], two["completes"]) == (2, 1, 0)
    assert two["hours"] == pytest.approx(0.25) and two["refusal_rate"] == pytest.approx(1.0)
    assert np.isnan(two["median_minutes"])


def test_per_shift_splits_the_day(work):
    table = summarise(*work, RULES, ["day", "shift", "interviewer"])
    rows = {(r["shift"], r["interviewer"]): r for r in table.to_dict("records")}
    assert rows[("09:00-12:00", 1)]["completes"] == 1 and rows[("20:00-01:00", 1)]["completes"] == 1
    assert rows[("09:00-12:00", 1)]["attempts"] == 4 and rows[("20:00-01:00", 1)]["attempts"] == 1
    assert rows[("20:00-01:00", 1)]["hours"] == pytest.approx(0.25)
