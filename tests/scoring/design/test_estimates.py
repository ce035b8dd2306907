"""scoring.design estimates and their variance on hand-worked examples and a naive reference
(calibration in test_calibration.py; R comparisons in test_against_r.py)."""

import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from scoring.design.calibration import rake
from scoring.design.designs import DesignError, make_design
from scoring.design.estimates import estimate, estimate_by

# Stratum A: N = 10, two rows of weight 5; stratum B: N = 12, three rows of weight 4.
SMALL = pd.DataFrame(
    {
        "stratum": ["A", "A", "B", "B", "B"],
        "w": [5.0, 5.0, 4.0, 4.0, 4.0],
        "N": [10, 10, 12, 12, 12],
        "y": [1.0, 3.0, 2.0, 2.0, 8.0],
        "dom": ["x", "y", "y", "y", "x"],
    }
)


def small_design(**kw):
    return make_design(weights=SMALL["w"], strata=SMALL["stratum"], fpc=[SMALL["N"]], **kw)


def test_srs_mean_se_is_s_over_root_n():
    data = pd.DataFrame({"y": [2.0, 4.0, 6.0, 8.0]})
    result = estimate_by(make_design(weights=np.ones(4)), data, "y")
    # s² = 20/3, se = sqrt(s²/4); SRS itself has design effect 1
    assert result["estimate"][0] == pytest.approx(5.0)
    assert result["se"][0] == pytest.approx(math.sqrt(5 / 3))
    assert result["deff"][0] == pytest.approx(1.0)
    assert result["n_eff"][0] == pytest.approx(4.0)
    assert result["ci_low"][0] == pytest.approx(5 - 1.959964 * math.sqrt(5 / 3), rel=1e-6)


def test_stratified_total_with_fpc_matches_hand_computation():
    result = estimate_by(small_design(), SMALL, "y", statistic="total")
    # A: z = 5, 15 → 0.8 · 2 · 50 = 80; B: z = 8, 8, 32 → 0.75 · 1.5 · 384 = 432
    assert result["estimate"][0] == pytest.approx(68.0)
    assert result["se"][0] == pytest.approx(math.sqrt(512.0))


def test_domain_total_uses_the_full_design_not_a_subset():
    result = estimate_by(small_design(), SMALL, "y", by=["dom"], statistic="total")
    x = result.set_index("dom").loc["x"]
    # Domain x = rows A1 (z = 5) and B3 (z = 32), zeros elsewhere in their strata:
    # A: 0.8 · 2 · 12.5 = 20; B: 0.75 · 1.5 · 6144/9 = 768
    assert x["estimate"] == pytest.approx(37.0)
    assert x["se"] == pytest.approx(math.sqrt(788.0))
    assert x["n"] == 2


def test_domain_mean_without_fpc_matches_hand_computation():
    design = make_design(weights=SMALL["w"], strata=SMALL["stratum"])
    result = estimate_by(design, SMALL, "y", by=["dom"]).set_index("dom")
    # Domain x: ȳ = (5·1 + 4·8)/9 = 37/9; z = w(y - ȳ)/9 on rows A1, B3
    mean = 37 / 9
    za = [5 * (1 - mean) / 9, 0.0]
    zb = [0.0, 0.0, 4 * (8 - mean) / 9]
    expected = sum(len(z) / (len(z) - 1) * sum((v - np.mean(z)) ** 2 for v in z) for z in (za, zb))
    assert result.loc["x", "estimate"] == pytest.approx(mean)
    assert result.loc["x", "se"] == pytest.approx(math.sqrt(expected))


def test_missing_values_leave_their_domain():
    data = SMALL.assign(y=[1.0, np.nan, 2.0, 2.0, 8.0])
    result = estimate_by(small_design(), data, "y", statistic="total")
    assert result["estimate"][0] == pytest.approx(5.0 + 48.0)
    assert result["n"][0] == 4


def lonely_data():
    return SMALL.assign(stratum=["A", "A", "B", "B", "C"], N=[10, 10, 12, 12, 5])


def test_single_psu_stratum_fails_by_default():
    data = lonely_data()
    design = make_design(weights=data["w"], strata=data["stratum"], fpc=[data["N"]])
    with pytest.raises(DesignError, match="Stratum .C. has only one PSU"):
        estimate_by(design, data, "y", statistic="total")


def test_single_psu_stratum_certainty_adds_nothing_and_adjust_adds_its_square():
    data = lonely_data()
    kwargs = {"weights": data["w"], "strata": data["stratum"], "fpc": [data["N"]]}
    certain = estimate_by(
        make_design(**kwargs, lonely_psu="certainty"), data, "y", statistic="total"
    )
    adjusted = estimate_by(make_design(**kwargs, lonely_psu="adjust"), data, "y", statistic="total")
    # A: 80 as before; B: z = 8, 8 → 0; C alone: certainty 0, adjust f·z² = 0.8 · 32²
    assert certain["se"][0] == pytest.approx(math.sqrt(80.0))
    assert adjusted["se"][0] == pytest.approx(math.sqrt(80.0 + 0.8 * 32**2))


def test_census_stratum_with_one_psu_is_not_lonely():
    data = SMALL.assign(stratum=["A", "A", "B", "B", "C"], N=[10, 10, 12, 12, 1])
    design = make_design(weights=data["w"], strata=data["stratum"], fpc=[data["N"]])
    assert estimate_by(design, data, "y", statistic="total")["se"][0] == pytest.approx(
        math.sqrt(80.0)
    )


def naive_variance(strata, psu, weights, y, in_domain, statistic):
    """Stage-1 Taylor variance with loops over strata and PSUs (no fpc)."""
    w_d = sum(w for w, d in zip(weights, in_domain, strict=True) if d)
    mean = sum(w * v for w, v, d in zip(weights, y, in_domain, strict=True) if d) / w_d
    psu_totals = defaultdict(lambda: defaultdict(float))
    for h, p, w, v, d in zip(strata, psu, weights, y, in_domain, strict=True):
        z = 0.0
        if d:
            z = w * v if statistic == "total" else w * (v - mean) / w_d
        psu_totals[h][p] += z
    variance = 0.0
    for totals in psu_totals.values():
        values = list(totals.values())
        m = len(values)
        centre = sum(values) / m
        variance += m / (m - 1) * sum((v - centre) ** 2 for v in values)
    return variance


@pytest.mark.parametrize("statistic", ["mean", "total"])
def test_clustered_domains_match_a_naive_reference(statistic):
    rng = np.random.default_rng(7)
    n = 300
    data = pd.DataFrame(
        {
            "h": rng.integers(0, 4, n),
            "psu": rng.integers(0, 6, n),
            "w": rng.uniform(1, 5, n),
            "y": rng.normal(50, 10, n),
            "dom": rng.integers(0, 5, n),
        }
    )
    design = make_design(weights=data["w"], strata=data["h"], clusters=[data["psu"]])
    result = estimate_by(design, data, "y", by=["dom"], statistic=statistic)
    for dom, se in zip(result["dom"], result["se"], strict=True):
        expected = naive_variance(
            data["h"], data["psu"], data["w"], data["y"], data["dom"] == dom, statistic
        )
        assert se == pytest.approx(math.sqrt(expected), rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": [1.0, 0.0]}, "row 1 has weight 0;"),
        ({"weights": [1.0, 1.0], "strata": ["a", None]}, "strata: missing value in row 1"),
        ({"weights": [1.0, 1.0], "fpc": [[0.5, 2.0]]}, "not a mix"),
        ({"weights": [1.0, 1.0], "fpc": [[1.5, 1.5]]}, "population of 1.5"),
        ({"weights": [1.0, 1.0], "lonely_psu": "average"}, "lonely_psu"),
    ],
)
def test_bad_design_inputs_are_named(kwargs, message):
    with pytest.raises(DesignError, match=message):
        make_design(**kwargs)


def test_estimate_long_form_lets_a_row_belong_to_several_domains():
    design = make_design(weights=np.ones(3))
    result = estimate(
        design, rows=[0, 1, 2, 0, 1], domains=[0, 0, 0, 1, 1], y=[1, 2, 3, 5, 7], n_domains=2
    )
    assert list(result["estimate"]) == pytest.approx([2.0, 6.0])
    assert list(result["n"]) == [3, 2]


def dense_residuals(x, weights, margins, sweeps=10):
    """R's svyrecvar raking step on a dense rows × domains matrix, written out plainly."""
    x = x.copy()
    for _ in range(sweeps):
        for groups in margins:
            for g in np.unique(groups):
                rows = groups == g
                x[rows] -= weights[rows, None] * (x[rows] / weights[rows, None]).mean(axis=0)
    return x


def test_raked_domain_se_matches_dense_residuals_with_strata_and_clusters():
    rng = np.random.default_rng(11)
    n = 240
    data = pd.DataFrame(
        {
            "h": rng.integers(0, 3, n),
            "psu": rng.integers(0, 5, n),
            "w": rng.uniform(1, 4, n),
            "y": rng.normal(60, 15, n),
            "dom": rng.integers(0, 4, n),
            "sex": rng.choice(["M", "F"], n),
            "age": rng.choice(["a", "b", "c"], n),
        }
    )
    base = make_design(weights=data["w"], strata=data["h"], clusters=[data["psu"]])
    total = data["w"].sum()
    design = rake(
        base,
        [
            (data["sex"], {"M": 0.4 * total, "F": 0.6 * total}),
            (data["age"], {"a": 0.2 * total, "b": 0.5 * total, "c": 0.3 * total}),
        ],
    )
    result = estimate_by(design, data, "y", by=["dom"])
    w = design.weights
    x = np.zeros((n, 4))
    for d in range(4):
        rows = data["dom"].to_numpy() == d
        mean = np.sum(w[rows] * data["y"][rows]) / w[rows].sum()
        x[rows, d] = w[rows] * (data["y"][rows] - mean) / w[rows].sum()
    codes = [pd.factorize(data[c])[0] for c in ["sex", "age"]]
    z = dense_residuals(x, w, codes)
    for d in range(4):
        expected = 0.0
        for h in range(3):
            in_h = data["h"].to_numpy() == h
            totals = pd.Series(z[in_h, d]).groupby(data["psu"].to_numpy()[in_h]).sum()
            m = len(totals)
            expected += m / (m - 1) * ((totals - totals.mean()) ** 2).sum()
        assert result["se"][d] == pytest.approx(math.sqrt(expected), rel=1e-9)
