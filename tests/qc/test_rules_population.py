"""The rules added for the issue's wider checks, on small literal frames against naive loops."""

import json
import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import combinations
from statistics import median

import numpy as np
import pandas as pd
import pytest

from qc import rules

NAN = np.nan
ITEMS = [f"q{i}" for i in range(12)]


def _df(columns: dict, ids: list[int]) -> pd.DataFrame:
    df = pd.DataFrame(columns, index=pd.Index(ids, dtype="int64", name="interview_id"))
    return df


def _utc(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2025, 5, day, hour, minute, tzinfo=UTC)


# rushed_relative -----------------------------------------------------------------------------


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


def test_rushed_relative_matches_naive_loop_per_wave():
    rng = np.random.default_rng(3)
    n = 90
    durations = rng.uniform(50, 700, n)
    durations[::13] = NAN
    waves = np.where(np.arange(n) < 45, 1.0, 2.0)
    waves[-25:] = NAN  # wave 2 keeps 20 rows: below min_interviews=21 once NaN durations go
    df = _df({"duration_seconds": durations, "wave_id": waves}, list(range(1, n + 1)))
    for fraction, least in [(0.4, 20), (0.6, 10), (0.6, 21)]:
        result = rules.rushed_relative(df, fraction=fraction, min_interviews=least)
        assert set(result.index) == naive_rushed_relative(df, fraction, least)
    assert not rules.rushed_relative(df, fraction=0.6, min_interviews=10).empty


def test_rushed_relative_threshold_edges_and_reason():
    # 20 interviews; median 500, limit 200: 199 fires, 200 does not.
    durations = [199.0, 200.0] + [500.0] * 18
    df = _df({"duration_seconds": durations}, list(range(1, 21)))
    result = rules.rushed_relative(df)
    assert list(result.index) == [1]
    assert result.loc[1, "severity"] == rules.MEDIUM
    assert "500" in result.loc[1, "reason"] and "40%" in result.loc[1, "reason_en"]
    assert json.loads(result.loc[1, "details"])["median_seconds"] == 500.0
    # 19 interviews are too few for the median.
    assert rules.rushed_relative(df.iloc[:19]).empty


# item_nonresponse ----------------------------------------------------------------------------


def naive_item_nonresponse(df, items, excluded, max_share, min_items) -> dict[int, tuple]:
    fired = {}
    for interview_id, row in df.iterrows():
        answered = [row[i] for i in items if isinstance(row[i], str)]
        dk = [code for code in answered if code in excluded]
        if len(answered) >= min_items and len(dk) / len(answered) > max_share:
            fired[interview_id] = (len(answered), len(dk))
    return fired


def test_item_nonresponse_matches_naive_loop():
    rng = np.random.default_rng(5)
    codes = np.array(["1", "2", "3", "8", "9", None], dtype=object)
    values = codes[rng.integers(0, 6, size=(200, len(ITEMS)))]
    df = _df({item: values[:, j] for j, item in enumerate(ITEMS)}, list(range(1, 201)))
    for share, least in [(0.5, 5), (0.3, 8), (0.0, 1)]:
        result = rules.item_nonresponse(
            df, items=ITEMS, excluded_codes={"8", "9"}, max_share=share, min_items=least
        )
        expected = naive_item_nonresponse(df, ITEMS, {"8", "9"}, share, least)
        assert set(result.index) == set(expected)
        for interview_id, (answered, dk) in expected.items():
            details = json.loads(result.loc[interview_id, "details"])
            assert (details["n_items"], details["n_dont_know"]) == (answered, dk)


def test_item_nonresponse_fires_above_the_share_not_at_it():
    half = ["9"] * 5 + ["1"] * 5 + [None, None]
    more = ["9"] * 6 + ["1"] * 4 + [None, None]
    df = _df({item: [half[j], more[j]] for j, item in enumerate(ITEMS)}, [1, 2])
    result = rules.item_nonresponse(df, items=ITEMS, excluded_codes={"9"})
    assert list(result.index) == [2]
    assert "6 of 10" in result.loc[2, "reason_en"]
    # Per-item excluded codes: "9" is a real answer for every item but q0.
    per_item = {item: ({"9"} if item == "q0" else set()) for item in ITEMS}
    assert rules.item_nonresponse(df, items=ITEMS, excluded_codes=per_item).empty


# off_hours -----------------------------------------------------------------------------------


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
    result = rules.off_hours(df)
    assert list(result.index) == [1, 4]
    assert result.loc[1, "severity"] == rules.LOW
    assert "07:59" in result.loc[1, "reason"] and "21:30" in result.loc[4, "reason_en"]
    # Configurable window and zone.
    # (row 1 is 23:59:59 UTC the day before)
    assert list(rules.off_hours(df, start="00:00", end="12:00", timezone="UTC").index) == [1, 3, 4]


def test_off_hours_naive_times_are_local_and_bad_times_are_refused():
    df = _df({"started_at": pd.to_datetime(["2025-05-01 07:00", "2025-05-01 09:00"])}, [1, 2])
    assert list(rules.off_hours(df).index) == [1]
    with pytest.raises(ValueError, match="25:00"):
        rules.off_hours(df, end="25:00")


# overlapping ---------------------------------------------------------------------------------


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


def test_overlapping_matches_naive_loop():
    rng = np.random.default_rng(11)
    n = 60
    start = pd.Timestamp("2025-05-01T01:00Z") + pd.to_timedelta(rng.integers(0, 600, n), "min")
    # Seconds as floats give the end a finer datetime unit than the start: compared correctly.
    end = start + pd.to_timedelta(rng.integers(5, 30, n) * 60.0 + 0.5, "s")
    assert start.dtype != end.dtype
    who = rng.integers(1, 5, n)
    df = _df({"interviewer_id": who, "started_at": start, "completed_at": end}, list(range(n)))
    result = rules.overlapping(df)
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
    result = rules.overlapping(df)
    # 1 ends when 2 starts (touching); 4 is another interviewer's; 5 has no times.
    assert list(result.index) == [2, 3]
    assert "#3" in result.loc[2, "reason"] and "#2" in result.loc[3, "reason_en"]
    assert set(result["severity"]) == {rules.HIGH}


# duplicate_answers ---------------------------------------------------------------------------


def naive_chance(df, items, k_default=5) -> dict[str, float]:
    """Per item Σ p_c² with p_c = (n_c + 1) / (N + K), K = max(codes seen, k_default)."""
    chance = {}
    for x in items:
        seen = [v for v in df[x] if isinstance(v, str)]
        counts = Counter(seen)
        k = max(len(counts), k_default)
        total = len(seen) + k
        probs = [(n + 1) / total for n in counts.values()] + [1 / total] * (k - len(counts))
        chance[x] = sum(p * p for p in probs)
    return chance


def binomial_tail(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def naive_duplicates(df, items, min_share, min_items, alpha=0.001) -> dict[int, set[int]]:
    chance = naive_chance(df, items)
    per_interviewer = Counter(df["interviewer_id"])
    fired: dict[int, set[int]] = {}
    for (i, a), (j, b) in combinations(list(df.iterrows()), 2):
        if a["interviewer_id"] != b["interviewer_id"]:
            continue
        common = [x for x in items if isinstance(a[x], str) and isinstance(b[x], str)]
        same = [x for x in common if a[x] == b[x]]
        if len(common) < min_items or len(same) / len(common) < min_share:
            continue
        p0 = sum(chance[x] for x in common) / len(common)
        m = per_interviewer[a["interviewer_id"]]
        if binomial_tail(len(same), len(common), p0) <= alpha / (m * (m - 1) / 2):
            fired.setdefault(i, set()).add(j)
            fired.setdefault(j, set()).add(i)
    return fired


def test_duplicate_answers_matches_naive_loop():
    rng = np.random.default_rng(7)
    n = 40
    base = rng.choice(["1", "2", "3", "4", "5"], size=(4, len(ITEMS)))
    values = base[rng.integers(0, 4, n)].astype(object)  # copies of four answer vectors
    noise = rng.random((n, len(ITEMS)))
    values[noise < 0.05] = "9"
    values[(noise >= 0.05) & (noise < 0.1)] = None
    values[noise > 0.93] = rng.choice(["1", "2", "3", "4", "5"], size=int((noise > 0.93).sum()))
    who = rng.integers(1, 4, n)
    df = _df(
        {"interviewer_id": who} | {x: values[:, j] for j, x in enumerate(ITEMS)},
        list(range(1, n + 1)),
    )
    sizes = []
    for share, least, alpha in [(0.85, 10, 0.001), (0.7, 8, 0.05), (1.0, 11, 0.001)]:
        result = rules.duplicate_answers(
            df, items=ITEMS, min_share=share, min_items=least, alpha=alpha
        )
        expected = naive_duplicates(df, ITEMS, share, least, alpha)
        assert expected
        assert set(result.index) == set(expected)
        sizes.append(len(expected))
        for interview_id, others in expected.items():
            details = json.loads(result.loc[interview_id, "details"])
            assert set(details["similar_interviews"]) == others
    # The binomial tail bites: some pairs pass the share floor but are not improbable enough.
    loose = naive_duplicates(df, ITEMS, 0.7, 8, alpha=1.0)
    assert len(loose) > sizes[1]


def test_duplicate_answers_threshold_adapts_to_concentrated_answers():
    # Everyone answers "4" to most items: two interviews agreeing on 11 of 12 is the norm,
    # not a copy. On a spread-out scale the same agreement is improbable and fires.
    rng = np.random.default_rng(1)
    n = 60
    concentrated = np.where(rng.random((n, len(ITEMS))) < 0.9, "4", "3").astype(object)
    spread = rng.choice(["1", "2", "3", "4", "5"], size=(n, len(ITEMS))).astype(object)
    for values in (concentrated, spread):
        values[1] = values[0]
        values[1, 0] = "5" if values[0, 0] != "5" else "1"  # 11 of 12 identical
    who = np.ones(n, dtype=int)

    def run(values):
        df = _df(
            {"interviewer_id": who} | {x: values[:, j] for j, x in enumerate(ITEMS)},
            list(range(1, n + 1)),
        )
        return rules.duplicate_answers(df, items=ITEMS, min_share=0.85, min_items=10)

    assert 1 not in run(concentrated).index
    fired = run(spread)
    assert {1, 2} <= set(fired.index)
    details = json.loads(fired.loc[1, "details"])
    assert details["n_identical"] == 11 and details["n_common"] == 12
    assert details["p_value"] <= details["p_limit"] == pytest.approx(0.001 / (60 * 59 / 2))


def test_duplicate_answers_edges_of_share_and_common_items():
    a = ["1", "2", "3", "4", "5"] * 2 + ["1", "2"]  # 12 answered
    b = list(a)
    b[0] = "5"  # 11 of 12 identical = 0.9167
    c = a[:10] + [None, None]  # 10 in common with a, all identical
    d = a[:9] + [None, None, None]  # 9 in common: too few
    df = _df(
        {"interviewer_id": [1, 1, 2, 2, 3, 3]}
        | {x: [a[j], b[j], a[j], c[j], a[j], d[j]] for j, x in enumerate(ITEMS)},
        [1, 2, 3, 4, 5, 6],
    )
    result = rules.duplicate_answers(df, items=ITEMS, min_share=0.95)
    assert list(result.index) == [3, 4]
    assert "#4" in result.loc[3, "reason"] and "10 of 10" in result.loc[3, "reason_en"]
    assert list(rules.duplicate_answers(df, items=ITEMS, min_share=11 / 12).index) == [1, 2, 3, 4]
    assert list(rules.duplicate_answers(df, items=ITEMS, min_items=9).index) == [1, 2, 3, 4, 5, 6]
    # The chance limit: 9 identical items of 9 pass a 0.001 limit but not a 1e-9 one.
    strict = rules.duplicate_answers(df, items=ITEMS, min_items=9, alpha=1e-9)
    assert 5 not in strict.index


def test_duplicate_answers_needs_two_interviews_of_one_interviewer():
    df = _df({"interviewer_id": [1]} | {x: ["3"] for x in ITEMS}, [1])
    assert rules.duplicate_answers(df, items=ITEMS).empty


# locality_mismatch ---------------------------------------------------------------------------


def test_locality_mismatch_fires_only_when_both_known_and_different():
    df = _df(
        {
            "sampled_locality": pd.Series(["A", "A", None, "B"], dtype="str").to_numpy(),
            "said_locality": pd.Series(["A", "B", "B", None], dtype="str").to_numpy(),
        },
        [1, 2, 3, 4],
    )
    result = rules.locality_mismatch(df)
    assert list(result.index) == [2]
    assert json.loads(result.loc[2, "details"]) == {
        "said_locality": "B",
        "sampled_locality": "A",
    }


# run_rules -----------------------------------------------------------------------------------


def test_run_rules_single_row_frame_does_not_fire_population_rules():
    df = _df(
        {
            "duration_seconds": [400.0],
            "n_answered": [12],
            "interviewer_id": [1],
            "started_at": pd.to_datetime([_utc(3)]),
            "completed_at": pd.to_datetime([_utc(3, 7)]),
        }
        | {x: ["3"] for x in ITEMS},
        [1],
    )
    result = rules.run_rules(
        df, items=ITEMS, config=rules.RuleConfig(rushed_relative_min_interviews=1)
    )
    assert list(result["rule"]) == [rules.STRAIGHTLINING]
    assert list(result.columns) == rules.OUTPUT_COLUMNS
    # Two copies of it by one interviewer, at the same time: all per-pair rules fire too.
    pair = pd.concat([df, df.set_axis(pd.Index([2], name="interview_id"))])
    fired = rules.run_rules(pair, items=ITEMS)
    assert list(fired.loc[1, "rule"]) == [
        rules.STRAIGHTLINING,
        rules.OVERLAPPING,
        rules.DUPLICATE_ANSWERS,
    ]


def test_every_rule_has_a_severity_and_a_config_default():
    assert set(rules.SEVERITY) == set(rules.RULES)
    assert set(rules.SEVERITY.values()) <= set(rules.SEVERITIES)
    config = rules.RuleConfig()
    assert (config.rushed_relative_fraction, config.rushed_relative_min_interviews) == (0.4, 20)
    assert (config.working_hours_start, config.working_hours_end) == ("08:00", "21:30")
    assert (config.duplicate_min_share, config.duplicate_min_items) == (0.85, 10)
    assert config.duplicate_alpha == 0.001
    assert config.item_nonresponse_max_share == 0.5
