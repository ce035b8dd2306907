"""qc.risk.statistics: interviewer risk against peers in the same strata, checked against
naive loops on small frames."""

import math

import numpy as np
import pandas as pd
import pytest

from qc import rules
from qc.risk import statistics
from qc.rules import engine
from tests.qc.risk.synthetic import interviews_frame as _frame


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


def test_median_peer_duration_matches_a_median_of_the_others_by_copy():
    from qc.risk.peers import median_peer_duration

    rng = np.random.default_rng(11)
    n, n_who = 3000, 40
    who = rng.integers(0, n_who, n)
    stratum = (who // 5) * 2 + rng.integers(0, 2, n)  # teams of 5 over 2 strata each
    stratum[who == 7] = rng.integers(0, 16, (who == 7).sum())  # one works everywhere
    duration = np.round(rng.lognormal(6, 0.4, n))  # whole seconds: many ties
    duration[rng.random(n) < 0.05] = np.nan
    found = median_peer_duration(duration, stratum, who, n_who)
    for i in range(n_who):
        peers = (who != i) & np.isin(stratum, np.unique(stratum[who == i])) & ~np.isnan(duration)
        assert found[i] == np.median(duration[peers]), i
