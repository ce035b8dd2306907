from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from sampling.allocation import (
    METHODS,
    allocate,
    allocation_table,
    equal,
    fixed,
    neyman,
    power,
    reserve_sizes,
)


def sizes(**counts: int) -> pd.Series:
    return pd.Series(counts, dtype="int64")


def reference(weights: list[float], n: int, lower: list[int], upper: list[int]) -> list[int]:
    """Slow and obvious: bisect λ for Σ clip(λw, lower, upper) = n, then largest remainder
    (ties to the larger weight, then index order)."""
    w, lo, hi = np.array(weights, float), np.array(lower), np.array(upper)
    movable = (lo < hi) & (w > 0)
    low, high = 0.0, float((hi[movable] / w[movable]).max()) if movable.any() else 0.0
    for _ in range(80):
        mid = (low + high) / 2
        q = np.where(movable, np.clip(w * mid, lo, hi), lo)
        low, high = (mid, high) if q.sum() < n else (low, mid)
    quota = np.where(movable, np.clip(w * high, lo, hi), lo)
    result = np.floor(quota + 1e-9).astype(int)
    order = sorted(range(len(w)), key=lambda h: (-round(quota[h] - result[h], 9), -w[h], h))
    for h in [h for h in order if result[h] < hi[h]][: n - result.sum()]:
        result[h] += 1
    return result.tolist()


# --- each method, by hand ---------------------------------------------------------------------


def test_equal_gives_every_stratum_the_same_and_caps_small_ones():
    # 30 over a, b, d = 10 each; b has only 6, its 4 extra go to a and d (2 each).
    assert equal(sizes(a=100, b=6, c=0, d=50), 30).tolist() == [12, 6, 0, 12]


def test_neyman_is_proportional_to_size_times_sd():
    # Weights 100·1, 10·10, 50·0.5 = 100, 100, 25 over 225: 13.3, 13.3 (capped at 10), 3.3;
    # b capped, the remaining 20 shared 100:25 → 16, 4.
    result = neyman(sizes(a=100, b=10, d=50), 30, sds=pd.Series({"a": 1, "b": 10, "d": 0.5}))

    assert result.tolist() == [16, 10, 4]


def test_neyman_with_equal_sds_is_proportional():
    frame = sizes(a=60, b=30, c=10)

    assert neyman(frame, 20, sds=pd.Series(2.0, index=frame.index)).tolist() == [12, 6, 2]


def test_neyman_needs_every_sd():
    with pytest.raises(ValueError, match="No standard deviation for strata: b"):
        neyman(sizes(a=10, b=10), 5, sds=pd.Series({"a": 1.0}))
    with pytest.raises(ValueError, match="0 or more"):
        neyman(sizes(a=10, b=10), 5, sds=pd.Series({"a": 1.0, "b": -1.0}))
    with pytest.raises(ValueError, match="Every standard deviation is 0"):
        neyman(sizes(a=10, b=10), 5, sds=pd.Series({"a": 0.0, "b": 0.0}))


def test_power_half_sits_between_proportional_and_equal():
    # √100, √10, √50 = 10, 3.162, 7.071 (Σ 20.233): 14.83, 4.69, 10.48 → 14+4+10 = 28,
    # the two left go to the largest remainders (.83, .69).
    frame = sizes(a=100, b=10, d=50)

    assert power(frame, 30, exponent=0.5).tolist() == [15, 5, 10]
    assert power(frame, 30, exponent=1.0).tolist() == allocate(frame, 30).tolist()
    assert power(frame, 30, exponent=0.0).tolist() == equal(frame, 30).tolist()


def test_power_exponent_out_of_range_is_refused():
    with pytest.raises(ValueError, match="from 0 to 1"):
        power(sizes(a=10), 5, exponent=1.5)


def test_fixed_sizes_are_checked_against_the_frame():
    assert fixed(sizes(a=10, b=5, c=3), pd.Series({"a": 4, "b": 5})).tolist() == [4, 5, 0]

    with pytest.raises(ValueError) as raised:
        fixed(sizes(a=10, b=5), pd.Series({"a": 11, "z": 1, "b": 1}), minimum=2)
    message = str(raised.value)
    assert "strata not in the frame: z" in message
    assert "a (11 > 10)" in message
    assert "below the minimum of 2 in b" in message


def test_fixed_total_must_match_n_when_given():
    with pytest.raises(ValueError, match="add up to 5, not 6"):
        allocate(sizes(a=10, b=5), 6, method="fixed", fixed_sizes={"a": 3, "b": 2})
    assert allocate(sizes(a=10), None, method="fixed", fixed_sizes={"a": 3}).tolist() == [3]


def test_unknown_method_and_missing_inputs_are_named():
    with pytest.raises(ValueError, match="Unknown allocation method 'best'"):
        allocate(sizes(a=10), 5, method="best")
    with pytest.raises(ValueError, match="Neyman allocation needs"):
        allocate(sizes(a=10), 5, method="neyman")
    with pytest.raises(ValueError, match="Power allocation needs"):
        allocate(sizes(a=10), 5, method="power")
    with pytest.raises(ValueError, match="Fixed allocation needs"):
        allocate(sizes(a=10), 5, method="fixed")
    with pytest.raises(ValueError, match="total sample size is needed"):
        allocate(sizes(a=10), None, method="equal")


# --- totals exact for every method, against the reference ----------------------------------


@pytest.mark.parametrize("method", ["proportional", "equal", "neyman", "power"])
def test_totals_are_exact_and_match_the_reference(method):
    rng = np.random.default_rng(METHODS.index(method))
    for _ in range(60):
        counts = rng.integers(0, 40, size=int(rng.integers(1, 10)))
        if counts.sum() == 0:
            continue
        frame = pd.Series(counts, index=[f"s{i}" for i in range(len(counts))], dtype="int64")
        minimum = int(rng.integers(0, 5))
        lower = np.minimum(counts, minimum)
        n = int(rng.integers(lower.sum(), counts.sum() + 1))
        sds = pd.Series(rng.uniform(0.1, 3, size=len(counts)).round(2), index=frame.index)
        exponent = round(float(rng.uniform(0, 1)), 2)

        result = allocate(frame, n, method=method, minimum=minimum, sds=sds, exponent=exponent)

        weights = {
            "proportional": counts,
            "equal": (counts > 0).astype(float),
            "neyman": counts * sds.to_numpy(),
            "power": np.where(counts > 0, counts.astype(float) ** exponent, 0.0),
        }[method]
        assert result.sum() == n
        assert ((result >= lower) & (result <= counts)).all()
        assert result.tolist() == reference(list(weights), n, list(lower), list(counts))


@pytest.mark.parametrize("method", ["proportional", "equal", "neyman", "power"])
def test_edge_cases_for_every_method(method):
    extra = {"sds": pd.Series({"a": 1.0, "b": 2.0, "c": 1.0}), "exponent": 0.5}
    tiny = sizes(a=1, b=0, c=2)  # a tiny stratum and a zero-size one

    assert allocate(tiny, 3, method=method, **extra).tolist() == [1, 0, 2]  # a census
    assert allocate(tiny, 0, method=method, **extra).tolist() == [0, 0, 0]
    assert allocate(tiny, 2, method=method, minimum=1, **extra).tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="Sample size 4 is larger than the frame \\(3 units\\)"):
        allocate(tiny, 4, method=method, **extra)
    with pytest.raises(ValueError, match="minimum of 2 per stratum needs 3 units"):
        allocate(tiny, 2, method=method, minimum=2, **extra)


def test_every_method_is_covered():
    assert set(METHODS) == {"proportional", "equal", "neyman", "power", "fixed"}


def test_largest_remainder_with_fractions_by_hand():
    # Proportional 10 of (7, 7, 7): 3⅓ each → 3, 3, 3 and one more to the first in order.
    assert allocate(sizes(a=7, b=7, c=7), 10).tolist() == [4, 3, 3]
    assert sum(Fraction(10 * 7, 21) for _ in range(3)) == 10


# --- the table shown before drawing ----------------------------------------------------------


def test_allocation_table_has_fraction_margin_and_reserve():
    big_n = sizes(a=100, b=0, c=10)
    n_h = sizes(a=20, c=8)

    table = allocation_table(big_n, n_h, reserves=2, reserve_fraction=0.5)

    assert table.index.name == "stratum"
    assert table["n_h"].tolist() == [20, 0, 8]
    assert table["fraction"].tolist() == [0.2, 0.0, 0.8]
    # 1.96·√(0.25/20·0.8) = 0.1960
    assert table.loc["a", "moe"] == pytest.approx(1.96 * (0.25 / 20 * 0.8) ** 0.5)
    assert np.isnan(table.loc["b", "moe"])
    # 2 replicates of ⌈0.5·n_h⌉: a 2·10 = 20; c 2·4 = 8 but only 2 units left.
    assert table["reserve_h"].tolist() == [20, 0, 2]


def test_reserve_sizes_round_up_and_refuse_non_positive_shares():
    assert reserve_sizes(sizes(a=30, b=3, c=0), 0.1).tolist() == [3, 1, 0]
    with pytest.raises(ValueError, match="positive share"):
        reserve_sizes(sizes(a=3), 0)
