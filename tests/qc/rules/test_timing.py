"""qc.rules.timing (rushed, rushed_relative, off_hours, overlapping, fast_items) on small
literal frames, checked against naive loops."""

import json
from datetime import UTC, datetime, timedelta
from itertools import combinations
from statistics import median

import numpy as np
import pandas as pd
import pytest

from qc import rules
from qc.rules import timing

NAN = np.nan


ITEMS = ["a", "b", "c", "d"]


def frame(rows: dict[int, tuple]) -> pd.DataFrame:
    """{id: (duration, n_answered, a, b, c, d)} -> the rules' input frame."""
    df = pd.DataFrame.from_dict(
        rows, orient="index", columns=["duration_seconds", "n_answered", *ITEMS]
    )
    df.index.name = "interview_id"
    return df.astype({"duration_seconds": "float64", "n_answered": "int64"})


def naive_rushed(df, seconds_per_item, floor_seconds) -> set[int]:
    fired = set()
    for interview_id, row in df.iterrows():
        duration = row["duration_seconds"]
        if duration == duration and duration < max(
            floor_seconds, row["n_answered"] * seconds_per_item
        ):
            fired.add(interview_id)
    return fired


def _df(columns: dict, ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(ids, dtype="int64", name="interview_id"))


def naive_fast_items(df, reading_chars, cps, min_items, max_share) -> dict[int, tuple]:
    fired = {}
    for interview_id, row in df.iterrows():
        timed = fast = 0
        for q, chars in reading_chars.items():
            seconds = row.get(f"{q}__seconds", NAN)
            if seconds == seconds:
                timed += 1
                fast += seconds < chars / cps
        if timed >= min_items and fast / timed > max_share:
            fired[interview_id] = (timed, fast)
    return fired


def naive_rushed_relative(df, fraction, min_interviews) -> set[int]:
    fired = set()
    waves = {}
    for interview_id, row in df.iterrows():
        wave = row["wave_id"] if row["wave_id"] == row["wave_id"] else None
        waves.setdefault(wave, []).append((interview_id, row["duration_seconds"]))
    for members in waves.values():
        known = [d for _i, d in members if d == d]
        if len(known) < min_interviews:
            continue
        limit = fraction * median(known)
        fired |= {i for i, d in members if d == d and d < limit}
    return fired


def _utc(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2025, 5, day, hour, minute, tzinfo=UTC)


def naive_overlapping(df) -> dict[int, list[int]]:
    fired: dict[int, list[int]] = {}
    rows = list(df.iterrows())
    for (i, a), (j, b) in combinations(rows, 2):
        if a["interviewer_id"] != b["interviewer_id"]:
            continue
        if a["started_at"] < b["completed_at"] and b["started_at"] < a["completed_at"]:
            fired.setdefault(i, []).append(j)
            fired.setdefault(j, []).append(i)
    return {k: sorted(v) for k, v in fired.items()}


def test_rushed_threshold_edges_match_naive_loop():
    # Given floor 60 s and 3 s per item: 10 answered -> 60 s, 30 answered -> 90 s expected
    df = frame(
        {
            1: (59, 10, "5", "5", "5", "5"),  # just under the floor: fires
            2: (60, 10, "5", "5", "5", "5"),  # exactly the floor: does not fire
            3: (89.5, 30, NAN, NAN, NAN, NAN),  # under n × 3 s: fires
            4: (90, 30, NAN, NAN, NAN, NAN),  # exactly n × 3 s: does not fire
            5: (NAN, 30, NAN, NAN, NAN, NAN),  # unknown duration: does not fire
            6: (0, 0, NAN, NAN, NAN, NAN),  # nothing answered, 0 s: under the floor
        }
    )
    # When
    result = timing.rushed(df, seconds_per_item=3.0, floor_seconds=60)
    # Then
    assert set(result.index) == naive_rushed(df, 3.0, 60) == {1, 3, 6}
    assert (result["rule"] == rules.RUSHED).all()


def test_rushed_reason_states_duration_and_expectation():
    df = frame({7: (95, 42, NAN, NAN, NAN, NAN)})
    result = timing.rushed(df)
    assert result.loc[7, "reason_en"] == (
        "Interview took 95 s for 42 answered questions; at least 126 s expected"
    )
    assert result.loc[7, "reason"] == "访问用时 95 秒，已答 42 题，应至少 126 秒"


def test_rushed_reason_never_shows_equal_numbers_for_fractions():
    # 125.6 s against 125.7 s expected must not read "125 s ... at least 125 s"
    df = frame({1: (125.6, 1, NAN, NAN, NAN, NAN)})
    result = timing.rushed(df, seconds_per_item=125.7, floor_seconds=0)
    assert "took 125 s" in result.loc[1, "reason_en"]
    assert "at least 126 s" in result.loc[1, "reason_en"]


def test_fast_items_matches_naive_loop():
    rng = np.random.default_rng(5)
    chars = {f"q{i}": int(c) for i, c in enumerate(rng.integers(6, 40, 10))}
    seconds = rng.uniform(0.5, 8, (80, 10))
    seconds[rng.random((80, 10)) < 0.2] = NAN
    df = _df({f"q{i}__seconds": seconds[:, i] for i in range(10)}, list(range(1, 81)))
    for cps, least, share in [(6.0, 5, 0.5), (4.0, 3, 0.3), (6.0, 9, 0.0)]:
        result = timing.fast_items(
            df, reading_chars=chars, chars_per_second=cps, min_items=least, max_share=share
        )
        expected = naive_fast_items(df, chars, cps, least, share)
        assert expected and set(result.index) == set(expected)
        for interview_id, (timed, fast) in expected.items():
            details = json.loads(result.loc[interview_id, "details"])
            assert (details["n_timed"], details["n_fast"]) == (timed, fast)


def test_fast_items_edges_and_reason():
    # 12 characters at 6 per second need 2 s: 1.9 s is fast, 2.0 s is not.
    chars = {"a": 12, "b": 12, "c": 12, "d": 12}
    df = _df(
        {
            "a__seconds": [1.9, 2.0, 1.0, NAN],
            "b__seconds": [1.9, 2.0, 1.0, 1.0],
            "c__seconds": [1.9, 1.9, 5.0, 1.0],
            "d__seconds": [5.0, 1.9, 5.0, 1.0],
        },
        [1, 2, 3, 4],
    )
    result = timing.fast_items(df, reading_chars=chars, min_items=4, max_share=0.5)
    # 1: 3 of 4 fast (fires); 2: 2 of 4 (= 0.5, not above); 3: 2 of 4; 4: only 3 timed
    assert list(result.index) == [1]
    assert result.loc[1, "reason_en"] == (
        "3 of 4 timed questions took less time than reading them aloud (6 characters/s)"
    )
    assert json.loads(result.loc[1, "details"])["fast_questions"] == ["a", "b", "c"]
    assert result.loc[1, "severity"] == rules.MEDIUM


def test_fast_items_without_seconds_columns_returns_nothing():
    df = _df({"a": ["4"]}, [1])
    assert timing.fast_items(df, reading_chars={"a": 30}).empty


def test_rushed_relative_matches_naive_loop_per_wave():
    rng = np.random.default_rng(3)
    n = 90
    durations = rng.uniform(50, 700, n)
    durations[::13] = NAN
    waves = np.where(np.arange(n) < 45, 1.0, 2.0)
    waves[-25:] = NAN  # wave 2 keeps 20 rows: below min_interviews=21 once NaN durations go
    df = _df({"duration_seconds": durations, "wave_id": waves}, list(range(1, n + 1)))
    for fraction, least in [(0.4, 20), (0.6, 10), (0.6, 21)]:
        result = timing.rushed_relative(df, fraction=fraction, min_interviews=least)
        assert set(result.index) == naive_rushed_relative(df, fraction, least)
    assert not timing.rushed_relative(df, fraction=0.6, min_interviews=10).empty


def test_rushed_relative_threshold_edges_and_reason():
    # 20 interviews; median 500, limit 200: 199 fires, 200 does not.
    durations = [199.0, 200.0] + [500.0] * 18
    df = _df({"duration_seconds": durations}, list(range(1, 21)))
    result = timing.rushed_relative(df)
    assert list(result.index) == [1]
    assert result.loc[1, "severity"] == rules.MEDIUM
    assert "500" in result.loc[1, "reason"] and "40%" in result.loc[1, "reason_en"]
    assert json.loads(result.loc[1, "details"])["median_seconds"] == 500.0
    # 19 interviews are too few for the median.
    assert timing.rushed_relative(df.iloc[:19]).empty


def test_off_hours_edges_in_shanghai_time():
    # Shanghai is UTC+8: 08:00 local = 00:00 UTC, 21:30 local = 13:30 UTC.
    starts = [
        _utc(0, 0) - timedelta(seconds=1),  # 07:59:59 fires
        _utc(0, 0),  # 08:00 does not
        _utc(13, 30),  # 21:30 does not
        _utc(13, 30) + timedelta(seconds=1),  # 21:30:01 fires
        _utc(4),  # 12:00 does not
        None,  # unknown does not
    ]
    df = _df({"started_at": pd.to_datetime(starts, utc=True)}, [1, 2, 3, 4, 5, 6])
    result = timing.off_hours(df)
    assert list(result.index) == [1, 4]
    assert result.loc[1, "severity"] == rules.LOW
    assert "07:59" in result.loc[1, "reason"] and "21:30" in result.loc[4, "reason_en"]
    # Configurable window and zone.
    # (row 1 is 23:59:59 UTC the day before)
    assert list(timing.off_hours(df, start="00:00", end="12:00", timezone="UTC").index) == [1, 3, 4]


def test_off_hours_naive_times_are_local_and_bad_times_are_refused():
    df = _df({"started_at": pd.to_datetime(["2025-05-01 07:00", "2025-05-01 09:00"])}, [1, 2])
    assert list(timing.off_hours(df).index) == [1]
    with pytest.raises(ValueError, match="25:00"):
        timing.off_hours(df, end="25:00")


def test_overlapping_matches_naive_loop():
    rng = np.random.default_rng(11)
    n = 60
    start = pd.Timestamp("2025-05-01T01:00Z") + pd.to_timedelta(rng.integers(0, 600, n), "min")
    # Seconds as floats give the end a finer datetime unit than the start: compared correctly.
    end = start + pd.to_timedelta(rng.integers(5, 30, n) * 60.0 + 0.5, "s")
    assert start.dtype != end.dtype
    who = rng.integers(1, 5, n)
    df = _df({"interviewer_id": who, "started_at": start, "completed_at": end}, list(range(n)))
    result = timing.overlapping(df)
    expected = naive_overlapping(df)
    assert expected  # the random data has overlaps
    assert set(result.index) == set(expected)
    for interview_id, others in expected.items():
        assert json.loads(result.loc[interview_id, "details"])["overlaps_with"] == others


def test_overlapping_touching_other_interviewer_and_unknown_do_not_fire():
    df = _df(
        {
            "interviewer_id": [1, 1, 1, 2, 1],
            "started_at": pd.to_datetime([_utc(1), _utc(2), _utc(2, 30), _utc(2, 10), None]),
            "completed_at": pd.to_datetime([_utc(2), _utc(3), _utc(2, 40), _utc(2, 20), None]),
        },
        [1, 2, 3, 4, 5],
    )
    result = timing.overlapping(df)
    # 1 ends when 2 starts (touching); 4 is another interviewer's; 5 has no times.
    assert list(result.index) == [2, 3]
    assert "#3" in result.loc[2, "reason"] and "#2" in result.loc[3, "reason_en"]
    assert set(result["severity"]) == {rules.HIGH}
