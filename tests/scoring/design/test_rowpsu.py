"""scoring.design.rowpsu (bincount sums) against scoring.design.variance (sparse products,
itself checked against R): two ways to the same variance."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from scoring.design import rowpsu, variance
from scoring.design.calibration import poststratify, rake, trim
from scoring.design.designs import DesignError, make_design

N = 3000


@pytest.fixture
def sample():
    rng = np.random.default_rng(7)
    street = rng.integers(0, 30, N)
    frame = pd.DataFrame(
        {
            "street": [f"S{s:02d}" for s in street],
            "district": [f"D{s % 4}" for s in street],
            "sex": rng.choice(["M", "F"], N, p=[0.4, 0.6]),
            "age": rng.choice(["young", "middle", "old"], N, p=[0.2, 0.3, 0.5]),
            "weight": rng.uniform(5, 50, N),
        }
    )
    # every row in two domains: its street, and one of 3 age groups (a dimension-like split)
    rows = np.concatenate([np.arange(N), np.arange(N)])
    domains = np.concatenate([street, 30 + pd.factorize(frame["age"], sort=True)[0]])
    z = rng.normal(size=2 * N)
    return frame, rows, domains, z


def margins(frame):
    by_sex = (frame["district"] + "|" + frame["sex"]).rename("cell")
    by_age = (frame["district"] + "|" + frame["age"]).rename("cell")
    return [
        (by_sex, frame.groupby(by_sex)["weight"].sum().mul(1.1).to_dict()),
        (by_age, frame.groupby(by_age)["weight"].sum().mul(1.1).to_dict()),
    ]


def both(design, rows, domains, z):
    fast = rowpsu.total_variance(design, rows, domains, z, 33)
    x = sparse.csr_matrix((z, (rows, domains)), shape=(design.n, 33))
    return fast, variance.total_variance(design, x)


@pytest.mark.parametrize("fpc", [False, True])
@pytest.mark.parametrize("calibration", ["none", "rake", "rake+trim", "poststratify"])
def test_bincount_sums_equal_the_sparse_products(sample, fpc, calibration):
    frame, rows, domains, z = sample
    design = make_design(
        weights=frame["weight"],
        strata=frame["street"],
        fpc=[frame.groupby("street")["weight"].transform("sum")] if fpc else [],
    )
    if calibration.startswith("rake"):
        design = rake(design, margins(frame))
    if calibration == "rake+trim":
        mean = design.weights.mean()
        design = trim(design, lower=0.8 * mean, upper=1.2 * mean)
    if calibration == "poststratify":
        design = poststratify(design, *margins(frame)[0])
    fast, reference = both(design, rows, domains, z)
    assert fast is not None
    np.testing.assert_allclose(fast, reference, rtol=1e-12)


def test_clustered_designs_take_the_sparse_route(sample):
    frame, rows, domains, z = sample
    design = make_design(
        weights=frame["weight"], strata=frame["district"], clusters=[frame["street"]]
    )
    assert rowpsu.total_variance(design, rows, domains, z, 33) is None


def test_a_lonely_stratum_is_refused_as_before(sample):
    frame, rows, domains, z = sample
    strata = frame["street"].where(frame.index != 0, "alone")
    design = make_design(weights=frame["weight"], strata=strata)
    with pytest.raises(DesignError, match="only one PSU"):
        rowpsu.total_variance(design, rows, domains, z, 33)
