"""Timing rules: too short an interview (absolute and against the wave's median), questions
answered faster than they can be read out, interviews started outside working hours, and
interviews of one interviewer overlapping in time. Pure: no Django.
"""

from collections.abc import Mapping
from datetime import time

import numpy as np
import pandas as pd

from qc.rules import (
    FAST_ITEMS,
    OFF_HOURS,
    OVERLAPPING,
    RUSHED,
    RUSHED_RELATIVE,
    Reason,
    empty_result,
    has_columns,
    id_list,
    rule_result,
)

SECONDS_SUFFIX = "__seconds"  # <question>__seconds: the time spent on a question


def rushed(
    df: pd.DataFrame, *, seconds_per_item: float = 3.0, floor_seconds: float = 60.0
) -> pd.DataFrame:
    """Interviews shorter than max(floor_seconds, n_answered × seconds_per_item).

    An interview whose duration is unknown (NaN) does not fire: there is nothing to judge.
    The reason shows the duration rounded down and the expectation rounded up, so the two
    numbers never read as equal.
    """
    if df.empty:
        return empty_result()
    duration = df["duration_seconds"].astype("float64")
    answered = df["n_answered"].astype("int64")
    expected = np.maximum(float(floor_seconds), answered * float(seconds_per_item))
    fired = duration < expected  # NaN compares False
    if not fired.any():
        return empty_result()
    took = np.floor(duration[fired]).astype("int64")
    need = np.ceil(expected[fired]).astype("int64")
    reasons = [
        (
            f"访问用时 {t} 秒，已答 {n} 题，应至少 {e} 秒",
            f"Interview took {t} s for {n} answered questions; at least {e} s expected",
            {"duration_seconds": int(t), "n_answered": int(n), "expected_seconds": int(e)},
        )
        for t, n, e in zip(took, answered[fired], need, strict=True)
    ]
    return rule_result(RUSHED, took.index, reasons)


def rushed_relative(
    df: pd.DataFrame, *, fraction: float = 0.4, min_interviews: int = 20
) -> pd.DataFrame:
    """Interviews shorter than `fraction` × the median duration of their wave in the frame.

    The median is over the frame's interviews of the same wave_id (all rows when there is no
    wave_id column; rows with a missing wave form one group) with a known duration; a group
    with fewer than `min_interviews` known durations has no median and never fires.
    """
    if not has_columns(df, "duration_seconds"):
        return empty_result()
    duration = df["duration_seconds"].astype("float64")
    if "wave_id" in df.columns:
        groups = df["wave_id"].astype("object").where(df["wave_id"].notna(), "__none__")
    else:
        groups = pd.Series(0, index=df.index)
    grouped = duration.groupby(groups, sort=False)
    median = grouped.transform("median")
    known = grouped.transform("count")
    limit = median * float(fraction)
    fired = (known >= min_interviews) & (duration < limit)
    if not fired.any():
        return empty_result()
    reasons = []
    for t, m, n in zip(duration[fired], median[fired], known[fired], strict=True):
        took, med, pct = int(np.floor(t)), int(round(m)), round(100 * float(fraction))
        reasons.append(
            (
                f"访问用时 {took} 秒，不到同期 {n} 份访问中位用时 {med} 秒的 {pct}%",
                f"Interview took {took} s, under {pct}% of the median {med} s "
                f"of {n} interviews in the wave",
                {
                    "duration_seconds": float(t),
                    "median_seconds": float(m),
                    "fraction": float(fraction),
                    "n_interviews": int(n),
                },
            )
        )
    return rule_result(RUSHED_RELATIVE, duration.index[fired.to_numpy()], reasons)


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as err:
        raise ValueError(f"'{text}' is not a time of day like 08:00") from err


def _local(values: pd.Series, timezone: str) -> pd.Series:
    """Datetimes in local time: aware ones converted to `timezone`, naive ones kept."""
    stamps = pd.to_datetime(values)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert(timezone)
    return stamps


def off_hours(
    df: pd.DataFrame,
    *,
    start: str = "08:00",
    end: str = "21:30",
    timezone: str = "Asia/Shanghai",
) -> pd.DataFrame:
    """Interviews started before `start` or after `end`, local time in `timezone`.

    Starting exactly at `start` or `end` does not fire. A naive started_at is taken to be
    local time already. Raises ValueError when start or end is not a time of day.
    """
    earliest, latest = _clock(start), _clock(end)
    if not has_columns(df, "started_at"):
        return empty_result()
    local = _local(df["started_at"], timezone)
    seconds = (
        local.dt.hour * 3600 + local.dt.minute * 60 + local.dt.second + local.dt.microsecond / 1e6
    )
    low = earliest.hour * 3600 + earliest.minute * 60 + earliest.second
    high = latest.hour * 3600 + latest.minute * 60 + latest.second
    fired = ((seconds < low) | (seconds > high)).fillna(False).astype(bool)
    if not fired.any():
        return empty_result()
    reasons = []
    for stamp in local[fired]:
        at = stamp.strftime("%H:%M")
        reasons.append(
            (
                f"访问开始于当地时间 {at}，不在 {start}–{end} 之间",
                f"Interview started at {at} local time, outside {start}–{end}",
                {"started_local": stamp.isoformat(), "start": start, "end": end},
            )
        )
    return rule_result(OFF_HOURS, df.index[fired.to_numpy()], reasons)


_EPOCH = pd.Timestamp(0, tz="UTC")


def overlapping(df: pd.DataFrame) -> pd.DataFrame:
    """Interviews whose [started_at, completed_at] overlaps another of the same interviewer.

    Both fire, each naming the other(s). Intervals that only touch (one ends when the other
    starts) do not overlap; interviews with a missing time or interviewer are not compared.
    """
    if not has_columns(df, "interviewer_id", "started_at", "completed_at"):
        return empty_result()
    start = pd.to_datetime(df["started_at"], utc=True)
    end = pd.to_datetime(df["completed_at"], utc=True)
    usable = start.notna() & end.notna() & df["interviewer_id"].notna()
    if usable.sum() < 2:
        return empty_result()
    frame = pd.DataFrame(
        {
            "who": df["interviewer_id"][usable],
            # Seconds since the epoch: the two columns may hold different datetime units.
            "start": (start[usable] - _EPOCH).dt.total_seconds(),
            "end": (end[usable] - _EPOCH).dt.total_seconds(),
        }
    )
    ids_fired: list = []
    reasons: list[Reason] = []
    for _who, group in frame.groupby("who", sort=False):
        if len(group) < 2:
            continue
        s, e = group["start"].to_numpy(), group["end"].to_numpy()
        overlap = (s[:, None] < e[None, :]) & (s[None, :] < e[:, None])
        np.fill_diagonal(overlap, False)
        ids = group.index.to_numpy()
        for row in np.flatnonzero(overlap.any(axis=1)):
            others = sorted(i.item() if isinstance(i, np.generic) else i for i in ids[overlap[row]])
            ids_fired.append(ids[row])
            reasons.append(
                (
                    f"与同一访员的访问 {id_list(others)} 时间重叠",
                    f"Overlaps in time with interview(s) {id_list(others)} of the same interviewer",
                    {"overlaps_with": others},
                )
            )
    if not ids_fired:
        return empty_result()
    return rule_result(OVERLAPPING, pd.Index(ids_fired, name="interview_id"), reasons)


def fast_items(
    df: pd.DataFrame,
    *,
    reading_chars: Mapping[str, int],
    chars_per_second: float = 6.0,
    min_items: int = 5,
    max_share: float = 0.5,
) -> pd.DataFrame:
    """Interviews where most timed questions took less time than reading them aloud.

    Reads `<question>__seconds` (float s, NaN when unknown) for each question of
    `reading_chars` (question -> characters of its label to read out). A question is too
    fast when its seconds < chars / `chars_per_second`. Fires when at least `min_items`
    questions are timed and the share of too-fast ones is above `max_share`.
    """
    timed_questions = [
        q for q, chars in reading_chars.items() if f"{q}{SECONDS_SUFFIX}" in df.columns and chars
    ]
    if df.empty or not timed_questions:
        return empty_result()
    seconds = df[[f"{q}{SECONDS_SUFFIX}" for q in timed_questions]].astype("float64").to_numpy()
    need = np.array([reading_chars[q] for q in timed_questions], dtype="float64")
    need = need / float(chars_per_second)
    timed = ~np.isnan(seconds)
    fast = timed & (seconds < need[None, :])
    n_timed, n_fast = timed.sum(axis=1), fast.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n_fast / n_timed
    fired = (n_timed >= min_items) & (share > max_share)
    if not fired.any():
        return empty_result()
    names = np.array(timed_questions, dtype=object)
    cps = float(chars_per_second)
    reasons = []
    for row in np.flatnonzero(fired):
        k, f, s = int(n_timed[row]), int(n_fast[row]), float(share[row])
        reasons.append(
            (
                f"{k} 道计时题中 {f} 道用时短于读完题目所需时间（按每秒 {cps:g} 字计）",
                f"{f} of {k} timed questions took less time than reading them aloud "
                f"({cps:g} characters/s)",
                {
                    "n_timed": k,
                    "n_fast": f,
                    "share": round(s, 4),
                    "chars_per_second": cps,
                    "fast_questions": [str(q) for q in names[fast[row]]],
                },
            )
        )
    return rule_result(FAST_ITEMS, df.index[fired], reasons)
