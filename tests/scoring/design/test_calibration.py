"""scoring.design.calibration on hand-worked examples: post-stratification, raking,
trimming and the weighting summary (R comparisons live in test_against_r.py)."""

import math

import numpy as np
import pandas as pd
import pytest

from scoring.design.calibration import poststratify, rake, trimmed_weights, weighting_summary
from scoring.design.designs import DesignError, make_design
from scoring.design.estimates import estimate_by


def test_poststratified_weights_hit_the_population_and_se_uses_residuals():
    data = pd.DataFrame({"y": [2.0, 4.0, 6.0, 8.0], "g": ["a", "a", "b", "b"]})
    design = poststratify(make_design(weights=np.ones(4)), data["g"], {"a": 30, "b": 10})
    assert list(design.weights) == [15.0, 15.0, 5.0, 5.0]
    result = estimate_by(design, data, "y")
    # u = (y - 4)/40; residuals from group means: z = w(u - ū_g) = ±15/40, ±5/40
    assert result["estimate"][0] == pytest.approx(4.0)
    variance = 4 / 3 * (2 * (15 / 40) ** 2 + 2 * (5 / 40) ** 2)
    assert result["se"][0] == pytest.approx(math.sqrt(variance))


def test_poststratified_total_of_the_poststratum_has_no_variance():
    data = pd.DataFrame({"one": [1.0] * 4, "g": ["a", "a", "b", "b"]})
    design = poststratify(make_design(weights=[1.0, 2.0, 3.0, 4.0]), data["g"], {"a": 9, "b": 7})
    result = estimate_by(design, data, "one", by=["g"], statistic="total")
    assert list(result["estimate"]) == pytest.approx([9.0, 7.0])
    assert list(result["se"]) == pytest.approx([0.0, 0.0], abs=1e-12)


def test_rake_fits_every_margin():
    rng = np.random.default_rng(3)
    n = 200
    sex = rng.choice(["M", "F"], n)
    age = rng.choice(["16-29", "30-44", "45-59", "60+"], n)
    design = rake(
        make_design(weights=rng.uniform(1, 3, n)),
        [
            (sex, {"M": 520, "F": 480}),
            (age, {"16-29": 200, "30-44": 300, "45-59": 250, "60+": 250}),
        ],
    )
    by_sex = pd.Series(design.weights).groupby(sex).sum()
    by_age = pd.Series(design.weights).groupby(age).sum()
    assert by_sex["M"] == pytest.approx(520) and by_sex["F"] == pytest.approx(480)
    assert by_age["30-44"] == pytest.approx(300) and by_age["60+"] == pytest.approx(250)


def test_rake_on_one_margin_with_equal_weights_equals_poststratification():
    data = pd.DataFrame({"y": [2.0, 4.0, 6.0, 8.0, 1.0], "g": ["a", "a", "b", "b", "b"]})
    population = {"a": 30, "b": 10}
    raked = rake(make_design(weights=np.ones(5)), [(data["g"], population)])
    post = poststratify(make_design(weights=np.ones(5)), data["g"], population)
    a, b = estimate_by(raked, data, "y"), estimate_by(post, data, "y")
    assert a["estimate"][0] == pytest.approx(b["estimate"][0])
    assert a["se"][0] == pytest.approx(b["se"][0])


def test_rake_refuses_margins_with_different_totals():
    with pytest.raises(DesignError, match="different population totals"):
        rake(
            make_design(weights=np.ones(2)),
            [(["a", "b"], {"a": 1, "b": 1}), (["x", "x"], {"x": 5})],
        )


def test_poststratify_names_a_sampled_group_missing_from_the_population():
    with pytest.raises(DesignError, match="'c' is in the sample"):
        poststratify(make_design(weights=np.ones(3)), ["a", "b", "c"], {"a": 1, "b": 2})


def test_poststratify_refuses_an_empty_population_group_unless_partial():
    design = make_design(weights=np.ones(2))
    with pytest.raises(DesignError, match="'z' has a population but no respondent"):
        poststratify(design, ["a", "b"], {"a": 1, "b": 2, "z": 4})
    assert (
        poststratify(design, ["a", "b"], {"a": 1, "b": 2, "z": 4}, partial=True).weights.sum() == 3
    )


def test_trimming_shares_the_excess_and_keeps_the_total():
    trimmed = trimmed_weights(np.array([1.0, 1.0, 1.0, 1.0, 10.0]), upper=5.0)
    assert list(trimmed) == pytest.approx([2.25, 2.25, 2.25, 2.25, 5.0])


def test_trimming_with_no_weight_inside_the_bounds_still_keeps_the_total():
    weights = np.array([0.1, 0.1, 10.0, 10.0])  # two below 1, two above 6, none inside
    trimmed = trimmed_weights(weights, lower=1.0, upper=6.0)
    assert np.isfinite(trimmed).all()
    assert trimmed.sum() == pytest.approx(weights.sum(), rel=1e-12)
    assert ((trimmed >= 1.0 - 1e-12) & (trimmed <= 6.0 + 1e-12)).all()
    # By hand: clipped to 1, 1, 6, 6 (sum 14 of 20.2); the excess 6.2 goes to the two at 1.
    assert trimmed == pytest.approx([4.1, 4.1, 6.0, 6.0])


def test_trimming_bounds_that_cannot_hold_the_total_are_refused():
    with pytest.raises(DesignError, match="keep the total"):
        trimmed_weights(np.array([1.0, 10.0]), upper=2.0)


def test_weighting_summary_kish_deff_and_effective_n():
    summary = weighting_summary(np.array([1.0, 1.0, 2.0, 4.0]))
    # mean 2, population variance 1.5 → cv² = 0.375; n_eff = 8² / 22
    assert summary["kish_deff"] == pytest.approx(1.375)
    assert summary["n_eff"] == pytest.approx(64 / 22)
    assert summary["ratio"] == 4.0
