"""qc.risk.statistics: interviewer risk against peers in the same strata, checked against
naive loops on small frames."""

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from qc import rules
from qc.risk import statistics
from qc.risk.statistics import MIN_PEER_INTERVIEWS
from qc.rules import engine

NAN = np.nan


def naive_peer_z(values, stratum, who, n_who, binary=False):
    rows = []
    for i in range(n_who):
        n = observed = expected = variance = 0.0
        for s in sorted(set(stratum[who == i])):
            own = [
                v
                for v, ss, w in zip(values, stratum, who, strict=True)
                if ss == s and w == i and v == v
            ]
            peers = [
                v
                for v, ss, w in zip(values, stratum, who, strict=True)
                if ss == s and w != i and v == v
            ]
            if not own or len(peers) < MIN_PEER_INTERVIEWS:
                continue
            if binary:
                mean = (sum(peers) + 0.5) / (len(peers) + 1)
                var = mean * (1 - mean)
            else:
                mean = sum(peers) / len(peers)
                var = sum((p - mean) ** 2 for p in peers) / len(peers)
            n += len(own)
            observed += sum(own)
            expected += len(own) * mean
            variance += len(own) * var
        z = (observed - expected) / math.sqrt(variance) if n else NAN
        rows.append((n, observed / n if n else NAN, expected / n if n else NAN, z))
    return rows


@pytest.mark.parametrize("binary", [False, True])
def test_peer_z_matches_naive_loop(binary):
    rng = np.random.default_rng(11)
    n = 150
    who = rng.integers(0, 6, n)
    stratum = rng.integers(0, 4, n)
    values = (rng.random(n) < 0.3).astype(float) if binary else rng.normal(6, 0.4, n)
    values[rng.random(n) < 0.1] = NAN
    stratum[who == 5] = 3  # interviewer 5 works one stratum only
    result = statistics.peer_z(values, stratum, who, 6, binary=binary)
    expected = naive_peer_z(values, stratum, who, 6, binary)
    for i, (n_i, observed, mean, z) in enumerate(expected):
        assert result.loc[i, "n"] == n_i
        assert result.loc[i, "observed"] == pytest.approx(observed)
        assert result.loc[i, "expected"] == pytest.approx(mean)
        assert result.loc[i, "z"] == pytest.approx(z)


def test_peer_z_leaves_out_a_stratum_without_enough_peers():
    # Interviewer 0 alone in stratum 1: nothing to compare with there.
    values = np.array([1.0, 2.0, 3.0] + [1.0] * 6 + [5.0] * 3)
    stratum = np.array([0, 0, 0] + [0] * 6 + [1] * 3)
    who = np.array([0, 0, 0] + [1] * 6 + [0] * 3)
    result = statistics.peer_z(values, stratum, who, 2)
    assert result.loc[0, "n"] == 3  # the stratum-1 interviews are left out
    assert result.loc[0, "observed"] == pytest.approx(2.0)
    assert result.loc[0, "expected"] == pytest.approx(1.0)
    assert result.loc[0, "z"] == np.inf  # peers all answered 1: no variance, own mean above


def naive_divergence(df, items, strata):
    """{interviewer: (Σχ², Σdf)} by loops over interviewers, items, strata and codes."""
    out = {}
    for who in df["interviewer_id"].unique():
        total, dof = 0.0, 0
        for item in items:
            codes = sorted({v for v in df[item] if isinstance(v, str)})
            if len(codes) < 2:
                continue
            observed = dict.fromkeys(codes, 0.0)
            expected = dict.fromkeys(codes, 0.0)
            mine = df[df["interviewer_id"] == who]
            for s in mine[strata].unique():
                own = [v for v in mine.loc[mine[strata] == s, item] if isinstance(v, str)]
                others = df[(df["interviewer_id"] != who) & (df[strata] == s)][item]
                peers = Counter(v for v in others if isinstance(v, str))
                n_peers = sum(peers.values())
                if not own or n_peers < MIN_PEER_INTERVIEWS:
                    continue
                for code in codes:
                    observed[code] += own.count(code)
                    share = (peers[code] + 0.5) / (n_peers + 0.5 * len(codes))
                    expected[code] += len(own) * share
            if sum(observed.values()) == 0:
                continue
            total += sum((observed[c] - expected[c]) ** 2 / expected[c] for c in codes)
            dof += len(codes) - 1
        out[who] = (total, dof)
    return out


def _frame(n=240, seed=3, fake=None):
    rng = np.random.default_rng(seed)
    items = [f"q{i}" for i in range(6)]
    who = rng.integers(1, 9, n)
    answers = rng.choice(
        ["1", "2", "3", "4", "5", "9"], size=(n, 6), p=[0.05, 0.1, 0.2, 0.4, 0.2, 0.05]
    )
    answers = answers.astype(object)
    answers[rng.random((n, 6)) < 0.05] = None
    duration = rng.lognormal(np.log(420), 0.25, n)
    if fake is not None:
        mask = who == fake
        answers[mask] = rng.choice(["4", "5"], size=(mask.sum(), 6))
        duration[mask] *= 0.5
    days = pd.to_timedelta(rng.integers(0, 5, n), unit="D")
    start = pd.Timestamp("2025-05-01T09:00", tz="UTC") + days
    start = start + pd.to_timedelta(rng.uniform(0, 8 * 3600, n), unit="s")
    df = pd.DataFrame(
        {
            "interviewer_id": who,
            "sampled_locality": rng.choice(["S1", "S2", "S3"], n),
            "duration_seconds": duration,
            "n_answered": 6,
            "started_at": start,
            "completed_at": start + pd.to_timedelta(duration, unit="s"),
        }
        | {x: answers[:, j] for j, x in enumerate(items)},
        index=pd.RangeIndex(1, n + 1, name="interview_id"),
    )
    return df, items


def test_divergence_matches_naive_chi_square_loop():
    df, items = _frame()
    result = statistics.divergence(df, items=items)
    expected = naive_divergence(df, items, "sampled_locality")
    assert set(result.index) == set(expected)
    for who, (total, dof) in expected.items():
        assert result.loc[who, "divergence_chi2"] == pytest.approx(total)
        assert result.loc[who, "divergence_df"] == dof
        assert result.loc[who, "divergence_p"] == pytest.approx(chi2.sf(total, dof))


def test_item_divergence_totals_match_the_combined_divergence():
    df, items = _frame()
    combined = statistics.divergence(df, items=items)
    detail = statistics.item_divergence(df, items=items, interviewer_id=3)
    assert list(detail.index) == items
    assert detail["chi2"].sum() == pytest.approx(combined.loc[3, "divergence_chi2"])
    assert detail["df"].sum() == combined.loc[3, "divergence_df"]
    mine = df[df["interviewer_id"] == 3]["q0"].dropna()
    shares = detail.loc["q0", "observed"]
    assert shares["4"] == pytest.approx((mine == "4").mean())
    assert sum(detail.loc["q0", "expected"].values()) == pytest.approx(1.0)
    assert statistics.item_divergence(df, items=items, interviewer_id=99).empty


def test_planted_falsifier_ranks_first_with_reasons():
    df, items = _frame(n=400, fake=5)
    flags = engine.run_rules(df, items=items, excluded_codes={"9"})
    result = statistics.interviewer_risk(df, flags, items=items)
    assert result.index[0] == 5 and result.loc[5, "rank"] == 1
    assert result.loc[5, "duration_z"] < -4 and result.loc[5, "divergence_z"] > 4
    assert "median interview" in result.loc[5, "reasons_en"]
    assert "answer distribution differs" in result.loc[5, "reasons_en"]
    assert "访问时长中位数" in result.loc[5, "reasons"]
    assert list(result["rank"]) == list(range(1, 9))
    assert result["risk"].is_monotonic_decreasing
    # The median of the peers' durations is over the other interviewers in the same strata.
    peers = df[(df["interviewer_id"] != 5)]
    assert result.loc[5, "peer_median_duration"] == pytest.approx(
        peers["duration_seconds"].median()
    )
    # Risk is the clipped sum of the suspicious z's.
    row = result.loc[5]
    parts = [
        -row["duration_z"],
        row["flags_z"],
        row["straightlining_z"],
        row["divergence_z"],
        row["pace_z"],
    ]
    assert row["risk"] == pytest.approx(sum(min(max(p, 0), 6) for p in parts if p == p))


def test_pace_counts_interviews_per_hour_worked_per_day():
    day1 = pd.Timestamp("2025-05-01T09:00", tz="UTC")
    day2 = pd.Timestamp("2025-05-02T09:00", tz="UTC")
    starts = [day1, day1 + pd.Timedelta(minutes=20), day1 + pd.Timedelta(minutes=40), day2]
    ends = [s + pd.Timedelta(minutes=10) for s in starts[:3]] + [day2 + pd.Timedelta(hours=1)]
    df = pd.DataFrame(
        {
            "interviewer_id": [1, 1, 1, 1],
            "duration_seconds": [600.0, 600.0, 600.0, 3600.0],
            "started_at": starts,
            "completed_at": ends,
        },
        index=pd.RangeIndex(1, 5, name="interview_id"),
    )
    result = statistics.interviewer_risk(df, rules.empty_result(), items=[])
    # day 1: 3 interviews in 50 minutes; day 2: 1 in 60 minutes -> 4 per 110 minutes
    assert result.loc[1, "interviews_per_hour"] == pytest.approx(4 / (110 / 60))


def test_outcome_rates_are_compared_with_the_pooled_others():
    df, items = _frame(n=120)
    outcomes = pd.DataFrame(
        {"cases": [50, 40, 40], "completes": [45, 10, 12], "refusals": [1, 20, 18]},
        index=pd.Index([1, 2, 3], name="interviewer_id"),
    )
    result = statistics.interviewer_risk(df, rules.empty_result(), items=items, outcomes=outcomes)
    peer = (22 + 0.5) / (80 + 1)
    z = (45 - 50 * peer) / math.sqrt(50 * peer * (1 - peer))
    assert result.loc[1, "completion_rate"] == pytest.approx(0.9)
    assert result.loc[1, "peer_completion_rate"] == pytest.approx(peer)
    assert result.loc[1, "completion_z"] == pytest.approx(z)
    assert "completion rate 90%" in result.loc[1, "reasons_en"]
    assert np.isnan(result.loc[4, "completion_rate"])  # no outcomes for interviewer 4


def test_interviewers_with_too_few_interviews_are_listed_last_unscored():
    df, items = _frame(n=200)
    df.loc[df.index[:3], "interviewer_id"] = 42
    df.loc[df["interviewer_id"] == 42, "duration_seconds"] = 5.0  # would be very suspicious
    result = statistics.interviewer_risk(df, rules.empty_result(), items=items)
    assert result.index[-1] == 42
    assert np.isnan(result.loc[42, "risk"]) and pd.isna(result.loc[42, "rank"])
    assert result.loc[42, "reasons"] == ""
    assert result.loc[42, "n_interviews"] == 3


def test_interviewers_alone_in_their_strata_are_compared_with_everyone():
    df, items = _frame(n=300, fake=5)
    df["sampled_locality"] = "S" + df["interviewer_id"].astype(str)  # one street each
    flags = engine.run_rules(df, items=items, excluded_codes={"9"})
    result = statistics.interviewer_risk(df, flags, items=items)
    assert set(result["peer_scope"]) == {"all"}
    pooled = df.assign(sampled_locality="one")
    expected = statistics.interviewer_risk(pooled, flags, items=items)
    for column in ("duration_z", "flags_z", "divergence_chi2", "peer_median_duration", "risk"):
        assert result[column].to_dict() == pytest.approx(expected[column].to_dict())
    assert result.index[0] == 5
    assert "for all other interviewers" in result.loc[5, "reasons_en"]
    assert set(expected["peer_scope"]) == {"strata"}


def test_acquiescence_share_is_compared_when_scores_are_given():
    df, items = _frame(n=400, fake=5)  # interviewer 5 answers only "4" and "5"
    scores = {x: {"5": 100.0, "4": 80.0, "3": 60.0, "2": 40.0, "1": 0.0} for x in items}
    flags = engine.run_rules(df, items=items, excluded_codes={"9"})
    result = statistics.interviewer_risk(df, flags, items=items, scores=scores)
    assert result.loc[5, "acquiescence_share"] == pytest.approx(1.0)
    # The others' share by naive loop over their interviews (don't know and blanks left out).
    others = df[df["interviewer_id"] == 2]
    shares = []
    for _, row in others.iterrows():
        valid = [row[x] for x in items if row[x] in scores[x]]
        if valid:
            shares.append(sum(v in ("4", "5", "3") for v in valid) / len(valid))
    assert result.loc[2, "acquiescence_share"] == pytest.approx(sum(shares) / len(shares))
    assert result.loc[5, "acquiescence_z"] > 4
    assert "positive answers 100%" in result.loc[5, "reasons_en"]
    no_scores = statistics.interviewer_risk(df, flags, items=items)
    assert no_scores["acquiescence_z"].isna().all()
