from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from sampling.allocation import bounded, margin_of_error, proportional


def sizes(**counts: int) -> pd.Series:
    return pd.Series(counts, dtype="int64")


def reference_proportional(counts: list[int], n: int, minimum: int) -> list[int]:
    """Slow and obvious: exact fractions, pin strata below their minimum one at a time."""
    lower = [min(minimum, c) for c in counts]
    pinned: set[int] = set()
    while True:
        free = [h for h in range(len(counts)) if h not in pinned]
        share = Fraction(n - sum(lower[h] for h in pinned), sum(counts[h] for h in free) or 1)
        below = [h for h in free if share * counts[h] < lower[h]]
        if not below:
            break
        pinned.add(below[0])
    quota = [Fraction(lower[h]) if h in pinned else share * counts[h] for h in range(len(counts))]
    result = [int(q) for q in quota]  # floor: quotas are non-negative
    by_remainder = sorted(
        range(len(counts)), key=lambda h: (-(quota[h] - result[h]), -counts[h], h)
    )
    for h in by_remainder[: n - sum(result)]:
        result[h] += 1
    return result


def test_exact_quotas_need_no_rounding():
    assert proportional(sizes(a=50, b=30, c=20), 10).tolist() == [5, 3, 2]


def test_largest_remainders_get_the_leftover_units():
    # Quotas 7·10/60 = 1.17, 2.33, 3.5: floors 1+2+3 = 6, the one left goes to c (0.5).
    assert proportional(sizes(a=10, b=20, c=30), 7).tolist() == [1, 2, 4]


def test_equal_remainders_go_to_the_larger_stratum():
    # Quotas 0.5 and 1.5: equal remainders; b is larger.
    assert proportional(sizes(a=5, b=15), 2).tolist() == [0, 2]


def test_equal_remainders_and_sizes_go_in_index_order():
    result = proportional(sizes(c=3, a=3, b=3), 2)

    assert result.to_dict() == {"c": 1, "a": 1, "b": 0}


def test_total_is_exact_against_the_reference():
    rng = np.random.default_rng(7)
    for _ in range(300):
        counts = rng.integers(0, 60, size=rng.integers(1, 12)).tolist()
        if sum(counts) == 0:
            continue
        minimum = int(rng.integers(0, 6))
        needed = sum(min(minimum, c) for c in counts)
        n = int(rng.integers(needed, sum(counts) + 1))

        result = proportional(pd.Series(counts), n, minimum=minimum)

        assert result.sum() == n
        assert result.tolist() == reference_proportional(counts, n, minimum)


def test_minimum_lifts_small_strata_and_takes_the_units_from_the_rest():
    # Proportional 18/1/1; b and c are lifted to 4, a keeps the remaining 12.
    assert proportional(sizes(a=90, b=5, c=5), 20, minimum=4).tolist() == [12, 4, 4]


def test_stratum_smaller_than_the_minimum_is_taken_whole():
    # b (3 units) is a census; 17 left for a and c in ratio 100:50 → 11.33, 5.67 → 11, 6.
    assert proportional(sizes(a=100, b=3, c=50), 20, minimum=5).tolist() == [11, 3, 6]


def test_empty_strata_get_nothing_and_census_takes_everything():
    assert proportional(sizes(a=0, b=5, c=7), 12).tolist() == [0, 5, 7]
    assert proportional(sizes(a=0, b=5, c=7), 12, minimum=3).tolist() == [0, 5, 7]


def test_sample_larger_than_the_frame_is_refused():
    with pytest.raises(ValueError, match="larger than the frame"):
        proportional(sizes(a=5, b=5), 11)


def test_infeasible_minimum_is_refused():
    with pytest.raises(ValueError, match="minimum of 4 per stratum needs 12 units"):
        proportional(sizes(a=10, b=10, c=10), 11, minimum=4)


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="negative"):
        proportional(sizes(a=-1, b=5), 2)
    with pytest.raises(ValueError, match="missing"):
        proportional(pd.Series({"a": 5.0, "b": None}), 2)


def test_capped_stratum_passes_its_excess_to_the_others():
    # Quotas 6, 12, 42: c is capped at 30 and its 12 extra go to a and b as 1:2.
    weights = pd.Series([1.0, 2.0, 7.0], index=list("abc"))
    zero = pd.Series(0, index=weights.index)

    result = bounded(weights, 60, lower=zero, upper=pd.Series([100, 100, 30], index=list("abc")))

    assert result.tolist() == [10, 20, 30]


def test_caps_cascade_until_every_stratum_fits():
    # Quotas 6, 18, 36: c capped at 25; 35 left as 1:3 → 8.75, 26.25: b capped at 20; a gets 15.
    weights = pd.Series([1, 3, 6], index=list("abc"))
    zero = pd.Series(0, index=weights.index)

    result = bounded(weights, 60, lower=zero, upper=pd.Series([100, 20, 25], index=list("abc")))

    assert result.tolist() == [15, 20, 25]


def test_lower_and_upper_bounds_together():
    weights = pd.Series([1, 1, 10], index=list("abc"))
    lower = pd.Series([5, 5, 0], index=list("abc"))
    upper = pd.Series([100, 100, 20], index=list("abc"))

    # n=30: c capped at 20, a and b held at their minimum 5.
    assert bounded(weights, 30, lower=lower, upper=upper).tolist() == [5, 5, 20]
    # n=34: c capped at 20, the other 14 shared evenly above the minimum.
    assert bounded(weights, 34, lower=lower, upper=upper).tolist() == [7, 7, 20]


def test_margin_of_error_matches_the_hand_worked_value():
    n_h = pd.Series({"a": 100, "b": 0, "c": 50})
    big_n = pd.Series({"a": 1000, "b": 10, "c": 50})

    moe = margin_of_error(n_h, big_n)

    # 1.96·√(0.25/100 · 0.9) = 1.96 · 0.04743416 = 0.09297096
    assert moe["a"] == pytest.approx(0.09297096, abs=1e-8)
    assert np.isnan(moe["b"])
    assert moe["c"] == 0.0


def test_bounded_stays_within_one_unit_of_the_continuous_solution():
    rng = np.random.default_rng(11)
    for _ in range(200):
        k = int(rng.integers(1, 10))
        weights = pd.Series(rng.uniform(0.1, 10, size=k))
        upper = pd.Series(rng.integers(1, 40, size=k))
        lower = pd.Series(np.minimum(rng.integers(0, 5, size=k), upper))
        n = int(rng.integers(lower.sum(), upper.sum() + 1))

        result = bounded(weights, n, lower=lower, upper=upper)

        # Naive reference: bisect λ until Σ clip(λ·w, lower, upper) = n.
        w, lo, hi = weights.to_numpy(), lower.to_numpy(), upper.to_numpy()
        low, high = 0.0, float((hi / w).max())
        for _ in range(100):
            mid = (low + high) / 2
            low, high = (mid, high) if np.clip(w * mid, lo, hi).sum() < n else (low, mid)
        quota = np.clip(w * high, lo, hi)
        assert result.sum() == n
        assert ((result >= lower) & (result <= upper)).all()
        assert ((result - quota).abs() < 1 + 1e-9).all()
