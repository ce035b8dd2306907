"""Ranks among reliable domains with their intervals; Benjamini–Hochberg across domains for
the short board and the rank changes."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scoring.rank_intervals import rank_intervals
from scoring.ranking import below_overall, below_overall_by, benjamini_hochberg, ranked_table
from scoring.results import satisfaction_rank_change
from scoring.score_tables import scope_covariance, summarize
from tests.scoring.test_score_tables import frame

# street → (district, respondents, mean score); S5 has too few respondents to be ranked
STREETS = {
    "S1": ("D1", 60, 82.0),
    "S2": ("D1", 60, 80.0),
    "S3": ("D2", 60, 70.0),
    "S4": ("D2", 60, 55.0),
    "S5": ("D2", 4, 99.0),
}


def _long(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows, interview = [], 0
    for street, (district, n, mean) in STREETS.items():
        for _ in range(n):
            interview += 1
            score = float(np.clip(rng.normal(mean, 15), 0, 100))
            rows.append((interview, 1.0, district, street, "q1", "police", score, score >= 80))
    return frame(rows)


def test_unreliable_streets_are_listed_without_rank_and_the_others_have_rank_intervals():
    # given
    long = _long()
    street = summarize(long)["by_street"].drop(columns="rank")
    # when
    table = ranked_table(street, long, ["district", "street"]).set_index("street")
    # then: the 4-respondent street that scores highest is not ranked
    assert table.loc["S5", "satisfaction_unreliable"]
    assert pd.isna(table.loc["S5", "rank"]) and pd.isna(table.loc["S5", "rank_low"])
    ranked = table.drop(index="S5")
    assert sorted(ranked["rank"]) == [1, 2, 3, 4]
    assert (ranked["rank_low"] <= ranked["rank"]).all()
    assert (ranked["rank"] <= ranked["rank_high"]).all()
    # S1 and S2 are 2 points apart with SEs near 2: either could be first; S4 is last
    assert (table.loc["S1", "rank_low"], table.loc["S1", "rank_high"]) == (1, 2)
    assert (table.loc["S4", "rank_low"], table.loc["S4", "rank_high"]) == (4, 4)


def test_the_rank_intervals_are_drawn_with_the_design_covariance_of_the_ranked_streets():
    # given
    long = _long(2)
    street = summarize(long)["by_street"].drop(columns="rank")
    domains, scores, covariance = scope_covariance(long, ["district", "street"])
    keep = (domains["street"] != "S5").to_numpy()
    # when
    table = ranked_table(street, long, ["district", "street"], seed=9)
    expected = rank_intervals(scores[keep], covariance[np.ix_(keep, keep)], seed=9)
    # then
    got = table[table["street"] != "S5"]
    assert got["rank_low"].tolist() == expected["rank_low"].tolist()
    assert got["rank_high"].tolist() == expected["rank_high"].tolist()
    np.testing.assert_allclose(np.sqrt(np.diag(covariance)), street["satisfaction_se"])


def test_benjamini_hochberg_equals_r_p_adjust():
    # given: R's p.adjust(c(0.01, 0.04, 0.03, 0.2), "BH") = 0.04 0.05333333 0.05333333 0.2
    # when
    q = benjamini_hochberg([0.01, 0.04, np.nan, 0.03, 0.2])
    # then: the missing p is no test
    np.testing.assert_allclose(q[[0, 1, 3, 4]], [0.04, 0.16 / 3, 0.16 / 3, 0.2])
    assert np.isnan(q[2])


def test_short_board_below_the_overall_is_controlled_across_the_streets():
    # given
    long = _long(3)
    tables = summarize(long)
    overall = tables["overall"].set_index("scope").loc["satisfaction"]
    # when
    tested = below_overall(tables["by_street"], overall).set_index("street")
    # then: the unreliable street is not tested; only S4 (55 vs about 72) is called
    assert "S5" not in tested.index
    assert tested["below_overall"].tolist() == [False, False, False, True]
    assert (tested["q"] >= tested["p"]).all()
    assert tested.loc["S4", "gap"] < 0


def test_rank_change_is_significant_only_after_benjamini_hochberg():
    # given: five localities whose changes have raw p 0.004, 0.025, 0.035, 0.045, 0.6
    p_target = np.array([0.004, 0.025, 0.035, 0.045, 0.6])
    z = stats.norm.isf(p_target / 2)
    current = pd.DataFrame(
        {
            "district": list("ABCDE"),
            "satisfaction_score": 70.0 + z * np.sqrt(2.0),
            "satisfaction_se": 1.0,
            "satisfaction_unreliable": False,
        }
    )
    previous = current.assign(satisfaction_score=70.0)
    # when
    changes = satisfaction_rank_change(current, previous, key="district")
    # then: the raw tests would call four; BH (q = 0.02, 0.05625 × 3, 0.6) calls one
    np.testing.assert_allclose(changes.loc[list("ABCDE"), "p"], p_target, rtol=1e-9)
    assert changes.loc[list("ABCDE"), "significant"].tolist() == [True] + [False] * 4
    assert changes.loc["A", "q"] == pytest.approx(0.02)


def test_an_unreliable_locality_has_no_rank_change():
    # given
    current = pd.DataFrame(
        {
            "district": ["A", "B", "C"],
            "satisfaction_score": [90.0, 60.0, 50.0],
            "satisfaction_se": [1.0, 1.0, 1.0],
            "satisfaction_unreliable": [True, False, False],
        }
    )
    previous = current.assign(satisfaction_score=[40.0, 50.0, 60.0], satisfaction_unreliable=False)
    # when
    changes = satisfaction_rank_change(current, previous, key="district")
    # then
    assert pd.isna(changes.loc["A", "rank"]) and pd.isna(changes.loc["A", "rank_change"])
    assert changes.loc["B", "rank_change"] == 1 and changes.loc["C", "rank_change"] == -1


def test_ranks_within_a_district_come_from_the_joint_draws_restricted_to_its_streets():
    # given
    long = _long(3)
    street = summarize(long)["by_street"].drop(columns="rank")
    domains, scores, covariance = scope_covariance(long, ["district", "street"])
    # when
    table = ranked_table(street, long, ["district", "street"], within="district")
    table = table.set_index("street")
    # then: a brute-force simulation of each district's reliable streets (another generator,
    # another way of drawing) gives the same central 95% ranks within the district
    rng = np.random.default_rng(123)
    for streets in (["S1", "S2"], ["S3", "S4"]):  # the reliable streets of D1 and D2
        index = [domains.index[domains["street"] == s][0] for s in streets]
        sample = rng.multivariate_normal(
            scores[index], covariance[np.ix_(index, index)], size=200_000
        )
        ranks = (-sample).argsort(axis=1).argsort(axis=1) + 1
        for column, street_code in enumerate(streets):
            low, high = np.quantile(ranks[:, column], [0.025, 0.975], method="inverted_cdf")
            row = table.loc[street_code]
            assert (row["within_rank_low"], row["within_rank_high"]) == (low, high)
        ranked = sorted(streets, key=lambda s: -table.loc[s, "satisfaction_score"])
        assert [table.loc[s, "within_rank"] for s in ranked] == [1, 2]
    # the unreliable street has no rank in its district either
    assert pd.isna(table.loc["S5", "within_rank"]) and pd.isna(table.loc["S5", "within_rank_low"])


def test_the_index_short_board_controls_the_false_discovery_rate_across_places():
    # given ten reliable places whose gaps to the overall have two-sided p of 0.001, 0.04
    # and eight of 0.5 (SE 1, the overall known exactly), and an unreliable one far below
    z = [stats.norm.isf(p / 2) for p in [0.001, 0.04] + [0.5] * 8]
    table = pd.DataFrame(
        {
            "place": [f"P{i}" for i in range(11)],
            "dimension": "police",
            "score": [80.0 - value for value in z] + [10.0],
            "se": 1.0,
            "share": 0.0,
            "unreliable": [False] * 10 + [True],
        }
    )
    overall = pd.DataFrame({"dimension": ["police"], "score": [80.0], "se": [0.0]})
    # when
    board = below_overall_by(table, overall, on=["dimension"])
    # then: raw p < 0.05 twice, but after BH (q = p·m/rank: 0.01 and 0.2) only P0; the
    # unreliable place is not tested
    assert board["place"].tolist() == ["P0"]
    assert board["q"].iloc[0] == pytest.approx(0.001 * 10 / 1)
