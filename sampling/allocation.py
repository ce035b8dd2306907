"""Allocation of a total sample size to strata.

Pure: numpy and pandas only. Every function takes a Series indexed by stratum and returns a
Series of int64 sample sizes n_h on the same index, summing exactly to n.

The core, :func:`bounded`, shares n in proportion to per-stratum weights within per-stratum
bounds [lower_h, upper_h] (strata that hit a bound are fixed there and the rest re-shared:
"capped, excess redistributed"), then rounds by largest remainder. Proportional allocation is
weights = N_h, bounds [min(minimum, N_h), N_h]; Neyman allocation is weights = N_h·S_h with the
same bounds, so it will reuse this core unchanged.
"""

import numpy as np
import pandas as pd


def proportional(stratum_sizes: pd.Series, n: int, *, minimum: int = 0) -> pd.Series:
    """Proportional allocation n_h ∝ N_h with largest-remainder rounding.

    stratum_sizes: Series, index = stratum, values = N_h (non-negative integers, units in the
        frame). n: total sample size, 0 ≤ n ≤ ΣN_h. minimum: at least this many units per
        stratum; a stratum smaller than the minimum is taken whole (census).
    Returns: Series of int64 n_h, same index, ΣN_h-exact total n, 0 ≤ n_h ≤ N_h.
    Raises ValueError when n exceeds the frame or the minimum cannot be met within n.

    Ties between equal remainders go to the larger stratum, then to the earlier one in index
    order, so the result never depends on chance.
    """
    sizes = _as_counts(stratum_sizes, "stratum sizes")
    if minimum < 0:
        raise ValueError(f"The minimum per stratum must be 0 or more, not {minimum}.")
    lower = sizes.clip(upper=minimum)
    total = int(sizes.sum())
    if n > total:
        raise ValueError(f"Sample size {n} is larger than the frame ({total} units).")
    needed = int(lower.sum())
    if n < needed:
        raise ValueError(
            f"A minimum of {minimum} per stratum needs {needed} units over {len(sizes)} strata, "
            f"more than the sample size {n}."
        )
    return bounded(sizes, n, lower=lower, upper=sizes)


def bounded(weights: pd.Series, n: int, *, lower: pd.Series, upper: pd.Series) -> pd.Series:
    """Share n in proportion to `weights` within [lower, upper], rounded by largest remainder.

    weights: Series, index = stratum, non-negative numbers (N_h for proportional, N_h·S_h for
        Neyman). lower, upper: Series of non-negative integers on the same index,
        lower ≤ upper (upper is usually N_h). n: integer with Σlower ≤ n ≤ Σupper.
    Returns: Series of int64 n_h on the same index with Σn_h = n and lower ≤ n_h ≤ upper.

    The real-valued allocation is q_h = clip(λ·w_h, lower_h, upper_h) with λ chosen so that
    Σq_h = n; each n_h is ⌊q_h⌋ or ⌈q_h⌉. Integer weights are rounded in exact integer
    arithmetic, so hand-worked ties stay ties.
    """
    if not (weights.index.equals(lower.index) and weights.index.equals(upper.index)):
        raise ValueError("Weights and bounds must share one index of strata.")
    if weights.index.has_duplicates:
        raise ValueError("Each stratum must appear once.")
    lo = _as_counts(lower, "lower bounds").to_numpy()
    hi = _as_counts(upper, "upper bounds").to_numpy()
    w = weights.to_numpy()
    if not np.issubdtype(w.dtype, np.number) or np.isnan(w).any() or (w < 0).any():
        raise ValueError("Weights must be non-negative numbers.")
    if (lo > hi).any():
        raise ValueError("A lower bound exceeds its upper bound.")
    if int(n) != n or not lo.sum() <= n <= hi.sum():
        raise ValueError(f"n must be an integer from {lo.sum()} to {hi.sum()}, not {n}.")
    n = int(n)
    exact = np.issubdtype(w.dtype, np.integer)

    # Strata whose share cannot move: pinned bounds, or no weight (they keep their minimum).
    movable = (lo < hi) & (w > 0)
    if n - lo[~movable].sum() > hi[movable].sum():
        raise ValueError(f"Strata with zero weight cannot take units; n={n} is too large.")
    at_lower, at_upper = _pinned(w, lo, hi, movable, n - int(lo[~movable].sum()))
    free = movable & ~at_lower & ~at_upper
    n_free = n - int(lo[~free & ~at_upper].sum()) - int(hi[at_upper].sum())

    floor = np.where(at_upper, hi, lo).astype(np.int64)
    remainder = np.zeros(len(w), dtype=np.int64 if exact else np.float64)
    if free.any():
        w_free = w[free]
        if exact:
            numerator = np.int64(n_free) * w_free.astype(np.int64)
            denominator = np.int64(w_free.sum())
            floor[free] = numerator // denominator
            remainder[free] = numerator % denominator
        else:
            quota = n_free * w_free / w_free.sum()
            floor[free] = np.clip(np.floor(quota), lo[free], hi[free]).astype(np.int64)
            remainder[free] = np.where(floor[free] < hi[free], quota - floor[free], 0.0)
    shortfall = n - int(floor.sum())
    # Largest remainder first; ties to the larger weight, then to index order.
    order = np.lexsort((np.arange(len(w)), -w, -remainder))
    allocation = floor.copy()
    allocation[order[:shortfall]] += 1
    if allocation.sum() != n or (allocation < lo).any() or (allocation > hi).any():
        raise ArithmeticError("Allocation failed its own bounds; please report this input.")
    return pd.Series(allocation, index=weights.index, name="n_h", dtype="int64")


def _pinned(
    w: np.ndarray, lo: np.ndarray, hi: np.ndarray, movable: np.ndarray, n_movable: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which movable strata sit at their lower / upper bound at the solution λ.

    g(λ) = Σ clip(λ·w_h, lo_h, hi_h) over movable strata is continuous and non-decreasing with
    breakpoints at lo_h/w_h and hi_h/w_h; find the segment where g crosses n_movable and read
    off which strata are pinned there. Vectorised with searchsorted over the breakpoints.
    """
    at_lower = np.zeros(len(w), dtype=bool)
    at_upper = np.zeros(len(w), dtype=bool)
    if not movable.any():
        return at_lower, at_upper
    wm, lom, him = w[movable].astype(np.float64), lo[movable], hi[movable]
    a, b = lom / wm, him / wm  # λ below a: at lower; λ above b: at upper
    a_order, b_order = np.argsort(a), np.argsort(b)
    a_sorted, b_sorted = a[a_order], b[b_order]
    # Suffix sums over a (strata still at their lower bound) and prefix sums over b (capped).
    lo_suffix = np.append(np.cumsum(lom[a_order][::-1])[::-1], 0)
    wa_suffix = np.append(np.cumsum(wm[a_order][::-1])[::-1], 0.0)
    hi_prefix = np.insert(np.cumsum(him[b_order]), 0, 0)
    wb_prefix = np.insert(np.cumsum(wm[b_order]), 0, 0.0)

    breakpoints = np.unique(np.concatenate([a, b]))
    i = np.searchsorted(a_sorted, breakpoints, side="left")
    j = np.searchsorted(b_sorted, breakpoints, side="right")
    g = lo_suffix[i] + hi_prefix[j] + breakpoints * (wm.sum() - wa_suffix[i] - wb_prefix[j])
    k = int(np.searchsorted(g, n_movable - 1e-9 * max(1, n_movable), side="left"))
    if k == 0:  # n is exactly the sum of the lower bounds
        at_lower[movable] = True
        return at_lower, at_upper
    k = min(k, len(breakpoints) - 1)
    start, end = breakpoints[k - 1], breakpoints[k]
    at_lower[np.flatnonzero(movable)[a >= end]] = True
    at_upper[np.flatnonzero(movable)[b <= start]] = True
    return at_lower, at_upper


def _as_counts(values: pd.Series, what: str) -> pd.Series:
    if values.isna().any():
        raise ValueError(f"The {what} contain missing values.")
    if not pd.api.types.is_numeric_dtype(values) or (values != values.round()).any():
        raise ValueError(f"The {what} must be whole numbers.")
    if (values < 0).any():
        raise ValueError(f"The {what} must not be negative.")
    return values.astype("int64")


def margin_of_error(
    sample_sizes: pd.Series, stratum_sizes: pd.Series, *, z: float = 1.96, p: float = 0.5
) -> pd.Series:
    """Expected half-width of a confidence interval for a proportion in each stratum.

    sample_sizes (n_h) and stratum_sizes (N_h): Series on the same stratum index. Returns a
    float Series z·√(p(1−p)/n_h · (1 − n_h/N_h)) on that index, as a fraction (0.05 = ±5
    points), with the finite-population correction; NaN where n_h = 0. p = 0.5 is the worst
    case, the usual planning value.
    """
    n_h = sample_sizes.astype("float64")
    big_n = stratum_sizes.reindex(n_h.index).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        moe = z * np.sqrt(p * (1 - p) / n_h * (1 - n_h / big_n))
    return moe.where(n_h > 0)
