"""Rankings, change tests, the lowest rows and short boards, checked by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scoring.compare import (
    competition_rank,
    lowest,
    rank_change,
    short_board,
    two_sided_p,
    z_test,
)


def test_competition_rank_is_1224_and_skips_missing():
    ranks = competition_rank(pd.Series([70.0, 90.0, 80.0, np.nan, 80.0]))
    assert ranks.tolist() == [4, 1, 2, pd.NA, 2]


def test_two_sided_p_matches_scipy():
    z = np.array([0.0, 1.0, -1.959964, 2.5758, np.nan])
    expected = 2 * stats.norm.sf(np.abs(z[:-1]))
    np.testing.assert_allclose(two_sided_p(z)[:-1], expected, rtol=1e-12)
    assert np.isnan(two_sided_p(z)[-1])


def test_rank_change_against_previous_wave_by_hand():
    current = pd.DataFrame(
        {
            "district": ["C01", "C02", "C03", "C04"],
            "score": [80.0, 85.0, 80.0, 60.0],
            "se": [2.0, 1.0, 1.0, np.nan],
        }
    )
    previous = pd.DataFrame(
        {"district": ["C01", "C02", "C04"], "score": [75.0, 86.9, 70.0], "se": [1.5, 1.0, 2.0]}
    )

    out = rank_change(current, previous, key="district").set_index("district")

    assert out.index.tolist() == ["C02", "C01", "C03", "C04"]  # best first, ties by code
    assert out["rank"].tolist() == [1, 2, 2, 4]
    # C01: previous rank 2 of (86.9, 75, 70) → 2, now 2: no move; change 5, z = 5/√(4+2.25)
    assert out.loc["C01", "previous_rank"] == 2
    assert out.loc["C01", "rank_change"] == 0
    assert out.loc["C01", "change"] == pytest.approx(5.0)
    assert out.loc["C01", "z"] == pytest.approx(2.0)
    assert out.loc["C01", "p"] == pytest.approx(0.0455, abs=1e-4)
    assert out.loc["C01", "significant"]
    # C02: −1.9 / √2 = −1.3435, not significant
    assert out.loc["C02", "z"] == pytest.approx(-1.9 / math.sqrt(2))
    assert not out.loc["C02", "significant"]
    # C03 is new: no previous values
    assert pd.isna(out.loc["C03", "previous_rank"]) and np.isnan(out.loc["C03", "change"])
    # C04 is last of the three scored in both rounds, as before: C03's arrival is no fall
    assert out.loc["C04", "rank"] == 4 and out.loc["C04", "previous_rank"] == 3
    assert out.loc["C04", "rank_change"] == 0
    # no current SE → no test
    assert np.isnan(out.loc["C04", "z"]) and not out.loc["C04", "significant"]


def test_rank_change_first_wave_and_without_se():
    current = pd.DataFrame({"street": ["a", "b"], "index": [70.0, 90.0]})

    out = rank_change(current, None, key="street", score="index", se=None)

    assert out["street"].tolist() == ["b", "a"]
    assert out["rank"].tolist() == [1, 2]
    assert out["previous_rank"].isna().all()
    assert not out["significant"].any()


def test_rank_change_refuses_duplicate_localities():
    current = pd.DataFrame({"district": ["C01", "C01"], "score": [1.0, 2.0]})
    with pytest.raises(ValueError, match="appears twice"):
        rank_change(current, None, key="district")


def test_domain_vs_overall_variance_equals_the_explicit_rest_decomposition():
    # Build the overall from the domain and an independent rest, then compare the test's
    # variance with Var(ȳ_d − ȳ) = (1 − π)² (V_d + V_r), worked out from that construction.
    pi, v_d, v_r = 0.25, 9.0, 1.0
    y_d, y_r = 70.0, 78.0
    overall_score = pi * y_d + (1 - pi) * y_r
    overall_var = pi**2 * v_d + (1 - pi) ** 2 * v_r
    table = pd.DataFrame({"district": ["C01"], "score": [y_d], "se": [3.0], "share": [pi]})
    overall = pd.DataFrame({"score": [overall_score], "se": [math.sqrt(overall_var)]})

    out = short_board(table, overall)

    expected_z = (y_d - overall_score) / math.sqrt((1 - pi) ** 2 * (v_d + v_r))
    assert out["z"].iloc[0] == pytest.approx(expected_z)
    assert out["below_overall"].iloc[0] == (abs(expected_z) > 1.959964)


def test_short_board_lists_below_target_or_significantly_below_overall():
    table = pd.DataFrame(
        {
            "district": ["C01", "C01", "C02", "C02"],
            "dimension": ["order", "police", "order", "police"],
            "score": [70.0, 88.5, 79.0, 90.0],
            "se": [1.0, 1.0, 1.0, 1.0],
            "share": [0.5, 0.5, 0.5, 0.5],
            "target": [np.nan, 90.0, np.nan, np.nan],
        }
    )
    overall = pd.DataFrame(
        {"dimension": ["order", "police"], "score": [80.0, 89.0], "se": [0.5, 0.5]}
    )

    out = short_board(table, overall, on=["dimension"])

    # C01 order: gap −10, var = 1 + .25 − 1 = .25 → z = −20: significant.
    # C01 police: gap −0.5, z = −1 (not significant) but 88.5 < target 90.
    # C02 order: gap −1, z = −2: significant too.
    # C02 police: above the overall and no target → not a short board.
    assert out[["district", "dimension"]].values.tolist() == [
        ["C01", "order"],
        ["C02", "order"],
        ["C01", "police"],
    ]
    assert out["z"].iloc[0] == pytest.approx(-20.0)
    assert out["below_target"].tolist() == [False, False, True]
    assert out["below_overall"].tolist() == [True, True, False]


def test_short_board_lower_is_better_flags_values_above_target():
    table = pd.DataFrame({"street": ["a", "b"], "score": [12.0, 9.0], "target": [10.0, 10.0]})
    overall = pd.DataFrame({"score": [10.5]})
    out = short_board(table, overall, higher_is_better=False)
    assert out["street"].tolist() == ["a"]


def test_z_test_without_variance_is_never_significant():
    z, p, significant = z_test(np.array([5.0, 5.0]), np.array([0.0, np.nan]))
    assert np.isnan(z).all() and np.isnan(p).all() and not significant.any()


def test_lowest_lists_the_lowest_rows_first():
    # given
    table = pd.DataFrame({"name": list("abcde"), "score": [70.0, 50.0, np.nan, 90.0, 60.0]})
    # when / then
    assert lowest(table, n=3)["name"].tolist() == ["b", "e", "a"]


def test_rank_change_compares_the_places_among_localities_scored_in_both_rounds():
    # given c, scored only before, outranked both a and b then
    now = pd.DataFrame({"code": ["a", "b"], "score": [80.0, 70.0]})
    before = pd.DataFrame({"code": ["a", "b", "c"], "score": [80.0, 70.0, 90.0]})
    # when
    out = rank_change(now, before, key="code", se=None).set_index("code")
    # then: a and b kept their places among each other
    assert out["rank"].tolist() == [1, 2]
    assert out["previous_rank"].tolist() == [1, 2]
    assert out["rank_change"].tolist() == [0, 0]
    assert out["change"].tolist() == [0.0, 0.0]


def test_rank_change_against_a_naive_same_set_ranking():
    rng = np.random.default_rng(7)
    codes = [f"s{i}" for i in range(30)]
    now = pd.DataFrame({"code": codes[:25], "score": rng.integers(60, 90, 25).astype(float)})
    before = pd.DataFrame({"code": codes[5:], "score": rng.integers(60, 90, 25).astype(float)})

    out = rank_change(now, before, key="code", se=None).set_index("code")

    common = sorted(set(now["code"]) & set(before["code"]))
    now_s = now.set_index("code")["score"]
    before_s = before.set_index("code")["score"]
    for code in codes[:25]:
        if code not in common:
            assert pd.isna(out.loc[code, "rank_change"])
            continue
        # naive: 1 + how many of the common set scored strictly higher, in each round
        rank_now = 1 + sum(now_s[c] > now_s[code] for c in common)
        rank_before = 1 + sum(before_s[c] > before_s[code] for c in common)
        assert out.loc[code, "previous_rank"] == rank_before
        assert out.loc[code, "rank_change"] == rank_before - rank_now
