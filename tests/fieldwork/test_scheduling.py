"""The call scheduler's rules on small literal frames: no database."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from fieldwork import scheduling
from fieldwork.scheduling import CallingRules, ScheduleError, parse_windows

SH = ZoneInfo("Asia/Shanghai")
NAT = pd.NaT


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in the week of Monday 2026-11-23 (day 0 = Monday … 6 = Sunday)."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=SH)


def case(case_id: int, **overrides) -> dict:
    row = {
        "case_id": case_id,
        "released": True,
        "attempts": 0,
        "last_attempt_at": NAT,
        "last_outcome": "",
        "day_parts_tried": 0,
        "appointment_at": NAT,
        "appointment_kind": "",
        "appointment_end": NAT,
        "quota_full": False,
        "mine": False,
    }
    row.update(overrides)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    for column in ("last_attempt_at", "appointment_at", "appointment_end"):
        df[column] = pd.to_datetime(df[column], utc=True)
    return df


def ranked(df: pd.DataFrame, now: datetime, rules: CallingRules | None = None) -> list:
    result = scheduling.eligible_cases(df, rules or CallingRules(), now)
    return list(zip(result["case_id"], result["reason"], strict=True))


def test_windows_parse_and_a_bad_window_is_named():
    windows = parse_windows("09:00-12:00, 14:00-21:00")
    assert [(w.start.hour, w.end.hour) for w in windows] == [(9, 12), (14, 21)]
    with pytest.raises(ScheduleError, match="9-12"):
        parse_windows("9-12")
    with pytest.raises(ScheduleError, match="same"):
        parse_windows("10:00-10:00")


def test_outside_the_calling_windows_nothing_is_due():
    df = frame(case(1))
    assert ranked(df, at(0, 13)) == []  # Monday lunch break
    assert ranked(df, at(0, 8, 59)) == []
    assert ranked(df, at(0, 9)) == [(1, "Fresh case")]
    assert ranked(df, at(0, 21)) == []  # windows are half-open: 21:00 is outside


def test_weekend_windows_apply_on_saturday_and_sunday():
    df = frame(case(1))
    assert ranked(df, at(5, 9, 30)) == []  # weekend starts at 10:00
    assert ranked(df, at(6, 10, 30)) == [(1, "Fresh case")]
    assert ranked(df, at(5, 20, 30)) == []  # weekend ends at 20:00, weekdays at 21:00


def test_a_window_crossing_midnight_belongs_to_the_day_it_starts():
    # Friday 20:00–01:00 (a weekday window) still covers Saturday 00:30; Saturday has none.
    rules = CallingRules(
        weekday_windows=parse_windows("20:00-01:00"), weekend_windows=parse_windows("")
    )
    df = frame(case(1))
    assert ranked(df, at(4, 23, 30), rules) == [(1, "Fresh case")]
    assert ranked(df, at(5, 0, 30), rules) == [(1, "Fresh case")]
    assert ranked(df, at(5, 1, 0), rules) == []
    assert ranked(df, at(5, 23, 0), rules) == []  # Saturday evening: no weekend window
    assert ranked(df, at(0, 0, 30), rules) == []  # Monday 00:30 comes from Sunday: none


def test_local_time_is_shanghai_whatever_the_zone_of_now():
    df = frame(case(1))
    utc_now = datetime(2026, 11, 23, 1, 30, tzinfo=ZoneInfo("UTC"))  # 09:30 in Shanghai
    assert ranked(df, utc_now) == [(1, "Fresh case")]
    with pytest.raises(ScheduleError, match="timezone-aware"):
        scheduling.eligible_cases(df, CallingRules(), datetime(2026, 11, 23, 10))  # noqa: DTZ001


def test_unreleased_and_exhausted_cases_are_never_due():
    df = frame(case(1, released=False), case(2, attempts=5), case(3, attempts=4))
    assert [cid for cid, _ in ranked(df, at(0, 10))] == [3]


def test_minimum_gap_and_the_shorter_gap_after_busy():
    now = at(0, 15)
    df = frame(
        case(1, attempts=1, last_attempt_at=now - timedelta(minutes=60), last_outcome="3.13"),
        case(2, attempts=1, last_attempt_at=now - timedelta(minutes=20), last_outcome="3.12"),
        case(3, attempts=1, last_attempt_at=now - timedelta(minutes=10), last_outcome="3.12"),
        case(4, attempts=1, last_attempt_at=now - timedelta(minutes=121), last_outcome="3.13"),
    )
    assert ranked(df, now) == [(2, "Busy: retry"), (4, "Callback")]


def test_day_part_rotation_prefers_a_part_not_yet_tried_then_fresh_sample():
    now = at(0, 19)  # evening
    morning, evening = scheduling.DAY_PART_BITS["morning"], scheduling.DAY_PART_BITS["evening"]
    long_ago = now - timedelta(days=1)
    df = frame(
        case(1, attempts=1, last_attempt_at=long_ago, day_parts_tried=evening),
        case(2),
        case(3, attempts=1, last_attempt_at=long_ago, day_parts_tried=morning),
    )
    assert [cid for cid, _ in ranked(df, now)] == [3, 2, 1]


def test_hard_appointment_is_called_at_its_time_even_outside_windows():
    appointment = at(0, 22)  # after the weekday window closes
    df = frame(
        case(1, attempts=1, appointment_at=appointment, appointment_kind="hard"),
        case(2),
    )
    assert ranked(df, at(0, 19)) == [(2, "Fresh case")]  # held until its time
    assert ranked(df, at(0, 21, 56)) == [(1, "Hard appointment")]  # 5 minutes early is fine
    assert ranked(df, at(0, 22, 20)) == [(1, "Hard appointment")]


def test_soft_appointment_is_due_within_its_window_and_first():
    df = frame(
        case(
            1,
            attempts=2,
            last_attempt_at=at(0, 9),
            appointment_at=at(0, 14),
            appointment_end=at(0, 18),
            appointment_kind="soft",
        ),
        case(2, mine=True),
    )
    assert [cid for cid, _ in ranked(df, at(0, 11))] == [2]
    assert ranked(df, at(0, 17, 59))[0] == (1, "Soft appointment")


def test_missed_appointments_come_back_before_other_callbacks():
    # Every appointment is in the past: they are missed, due again within calling windows.
    now = at(1, 10)
    df = frame(
        case(
            1,
            attempts=1,
            last_attempt_at=at(0, 9),
            appointment_at=at(0, 15),
            appointment_kind="hard",
        ),
        case(
            2,
            attempts=1,
            last_attempt_at=at(0, 9),
            appointment_at=at(0, 16),
            appointment_kind="soft",
        ),
        case(3, attempts=1, last_attempt_at=at(0, 9)),
    )
    assert ranked(df, now) == [
        (1, "Missed appointment"),
        (2, "Missed appointment"),
        (3, "Callback"),
    ]
    assert ranked(df, at(1, 13)) == []  # missed appointments wait for a calling window too


def test_cases_in_full_quota_cells_come_last():
    df = frame(case(1, quota_full=True), case(2), case(3, quota_full=True, mine=True))
    assert ranked(df, at(0, 10)) == [(2, "Fresh case"), (3, "Quota full"), (1, "Quota full")]


def test_ties_prefer_my_cases_then_fewer_attempts_then_the_longest_wait():
    now = at(2, 10)
    df = frame(
        case(1, attempts=2, last_attempt_at=at(0, 15), day_parts_tried=2),
        case(2, attempts=1, last_attempt_at=at(1, 15), day_parts_tried=2),
        case(3, attempts=1, last_attempt_at=at(0, 15), day_parts_tried=2),
        case(4, attempts=2, last_attempt_at=at(0, 15), day_parts_tried=2, mine=True),
    )
    assert [cid for cid, _ in ranked(df, now)] == [4, 3, 2, 1]


def test_no_candidates_gives_an_empty_table_and_missing_columns_are_named():
    empty = frame(case(1)).iloc[0:0]
    result = scheduling.eligible_cases(empty, CallingRules(), at(0, 10))
    assert result.empty and list(result.columns) == ["case_id", "tier", "reason"]
    with pytest.raises(ScheduleError, match="day_parts_tried"):
        scheduling.eligible_cases(
            frame(case(1)).drop(columns="day_parts_tried"), CallingRules(), at(0, 10)
        )


def test_day_parts_follow_local_hours():
    assert scheduling.day_part(at(0, 11, 59)) == "morning"
    assert scheduling.day_part(at(0, 12)) == "afternoon"
    assert scheduling.day_part(at(0, 18)) == "evening"
    assert scheduling.day_part(at(0, 2)) == "evening"  # the night counts as evening


# Who calls: cross-region calling (异地交叉调查) and language routing (2.33).

CROSS = CallingRules(cross_region=True)


def routed(df: pd.DataFrame, caller: scheduling.Caller, rules: CallingRules = CROSS) -> list:
    return scheduling.eligible_cases(df, rules, at(0, 10), caller)["case_id"].tolist()


def test_cross_region_calling_never_gives_a_case_in_the_home_county():
    # given cases in counties 7 and 8, one of them the interviewer's own
    df = frame(case(1, county=7), case(2, county=8), case(3, county=7, mine=True), case(4))
    from_7 = scheduling.Caller(home_county=7)
    # when / then: under cross-region calling county 7's cases go, even the one they hold
    assert routed(df, from_7) == [2, 4]
    # without it (or for an interviewer whose county is unknown) every case may be called
    assert routed(df, from_7, CallingRules()) == [3, 1, 2, 4]
    assert routed(df, scheduling.Caller()) == [3, 1, 2, 4]


def test_a_language_case_goes_only_to_a_speaker():
    df = frame(
        case(1, attempts=1, last_outcome="2.33", language="cantonese", last_attempt_at=at(0, 7)),
        case(2, attempts=1, last_outcome="2.33", language="minnan", last_attempt_at=at(0, 7)),
        case(3),
    )
    speaker = scheduling.Caller(languages=frozenset({"mandarin", "cantonese"}))
    assert routed(df, speaker) == [1, 3]
    assert routed(df, scheduling.Caller(languages=frozenset({"mandarin"}))) == [3]


def test_the_pure_rules_agree_with_the_ranking_of_a_few_candidates():
    # rank_candidates (what the database queue ranks) applies the same caller rules
    now = at(0, 10)
    candidates = [
        scheduling.Candidate(case_id=1, attempts=0, county=7),
        scheduling.Candidate(case_id=2, attempts=0, county=8, language="wu"),
        scheduling.Candidate(case_id=3, attempts=0, county=8),
    ]
    caller = scheduling.Caller(home_county=7, languages=frozenset({"mandarin"}))
    assert [c.case_id for _k, c in scheduling.rank_candidates(candidates, CROSS, now, caller)] == [
        3
    ]
    speaker = scheduling.Caller(home_county=8, languages=frozenset({"wu"}))
    assert [c.case_id for _k, c in scheduling.rank_candidates(candidates, CROSS, now, speaker)] == [
        1
    ]
