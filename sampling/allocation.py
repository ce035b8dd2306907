"""Allocation of a total sample size to strata.

Pure: numpy and pandas only. Every function takes a Series indexed by stratum and returns a
Series of int64 sample sizes n_h on the same index, summing exactly to n.

The core, :func:`bounded`, shares n in proportion to per-stratum weights within per-stratum
bounds [lower_h, upper_h] (strata that hit a bound are fixed there and the rest re-shared:
"capped, excess redistributed"), then rounds by largest remainder. Proportional allocation is
weights = N_h, bounds [min(minimum, N_h), N_h]; equal, Neyman (N_h·S_h) and power (N_h^a)
allocation only change the weights. Fixed sizes (from a file) are checked, not computed.
:func:`allocate` picks the method by name.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

METHODS = ("proportional", "equal", "neyman", "power", "fixed")


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


def equal(stratum_sizes: pd.Series, n: int, *, minimum: int = 0) -> pd.Series:
    """The same n_h in every non-empty stratum (n/H), capped at N_h with the excess re-shared.

    Shapes as :func:`proportional`; an empty stratum (N_h = 0) gets 0."""
    sizes = _checked_sizes(stratum_sizes, n, minimum)
    weights = (sizes > 0).astype("int64")
    return bounded(weights, n, lower=sizes.clip(upper=minimum), upper=sizes)


def neyman(stratum_sizes: pd.Series, n: int, *, sds: pd.Series, minimum: int = 0) -> pd.Series:
    """Neyman allocation n_h ∝ N_h·S_h (S_h a prior standard deviation of the stratum).

    sds: Series of non-negative floats on the stratum index (every stratum needs one). A
    stratum with S_h = 0 only gets its minimum. Shapes and errors as :func:`proportional`."""
    sizes = _checked_sizes(stratum_sizes, n, minimum)
    missing = sizes.index.difference(sds.index)
    if len(missing):
        raise ValueError(f"No standard deviation for strata: {_names(missing)}.")
    s = pd.to_numeric(sds.reindex(sizes.index), errors="coerce")
    if s.isna().any() or (s < 0).any():
        raise ValueError("Standard deviations must be numbers of 0 or more.")
    if float((sizes * s).sum()) == 0 and n > int(sizes.clip(upper=minimum).sum()):
        raise ValueError("Every standard deviation is 0: Neyman allocation has nothing to share.")
    return bounded(sizes * s.astype("float64"), n, lower=sizes.clip(upper=minimum), upper=sizes)


def power(stratum_sizes: pd.Series, n: int, *, exponent: float, minimum: int = 0) -> pd.Series:
    """Power allocation n_h ∝ N_h^a, 0 ≤ a ≤ 1 (Bankier 1988): a = 1 is proportional, a = 0 is
    equal, values between favour small strata (street-level estimates) at some cost to the
    city-wide one. Shapes and errors as :func:`proportional`."""
    if not 0 <= exponent <= 1:
        raise ValueError(f"The power exponent must be from 0 to 1, not {exponent}.")
    sizes = _checked_sizes(stratum_sizes, n, minimum)
    weights = np.power(sizes.astype("float64"), exponent).where(sizes > 0, 0.0)
    return bounded(weights, n, lower=sizes.clip(upper=minimum), upper=sizes)


def fixed(stratum_sizes: pd.Series, sample_sizes: pd.Series, *, minimum: int = 0) -> pd.Series:
    """Sizes given per stratum (e.g. from a client's file), checked against the frame.

    sample_sizes: Series, index = stratum, whole numbers ≥ 0; strata of the frame it does not
    name get 0. Raises ValueError naming every stratum that is unknown, above N_h or below the
    minimum. Returns int64 n_h on the frame's stratum index."""
    sizes = _as_counts(stratum_sizes, "stratum sizes")
    wanted = _as_counts(sample_sizes, "fixed sample sizes")
    if wanted.index.has_duplicates:
        raise ValueError(f"Strata named twice: {_names(wanted.index[wanted.index.duplicated()])}.")
    problems = []
    unknown = wanted.index.difference(sizes.index)
    if len(unknown):
        problems.append(f"strata not in the frame: {_names(unknown)}")
    result = wanted.reindex(sizes.index, fill_value=0).astype("int64")
    too_big = result > sizes
    if too_big.any():
        problems.append(
            "sample size above the stratum size in "
            + ", ".join(f"{h} ({result[h]} > {sizes[h]})" for h in result.index[too_big][:10])
        )
    too_small = result < sizes.clip(upper=minimum)
    if too_small.any():
        problems.append(f"below the minimum of {minimum} in {_names(result.index[too_small])}")
    if problems:
        raise ValueError("Fixed sizes: " + "; ".join(problems) + ".")
    return result.rename("n_h")


def allocate(
    stratum_sizes: pd.Series,
    n: int | None,
    *,
    method: str = "proportional",
    minimum: int = 0,
    sds: pd.Series | None = None,
    exponent: float | None = None,
    fixed_sizes: pd.Series | Mapping | None = None,
) -> pd.Series:
    """Dispatch to one of METHODS. For "fixed", n may be None (it is Σ fixed_sizes); if given
    it must equal that sum. Returns int64 n_h on the stratum index, summing exactly to n."""
    if method == "proportional":
        return proportional(stratum_sizes, _need(n), minimum=minimum)
    if method == "equal":
        return equal(stratum_sizes, _need(n), minimum=minimum)
    if method == "neyman":
        if sds is None:
            raise ValueError("Neyman allocation needs a standard deviation per stratum.")
        return neyman(stratum_sizes, _need(n), sds=sds, minimum=minimum)
    if method == "power":
        if exponent is None:
            raise ValueError("Power allocation needs an exponent from 0 to 1.")
        return power(stratum_sizes, _need(n), exponent=exponent, minimum=minimum)
    if method == "fixed":
        if fixed_sizes is None:
            raise ValueError("Fixed allocation needs a sample size per stratum.")
        result = fixed(stratum_sizes, pd.Series(fixed_sizes), minimum=minimum)
        if n is not None and int(result.sum()) != n:
            raise ValueError(f"The fixed sizes add up to {int(result.sum())}, not {n}.")
        return result
    raise ValueError(f"Unknown allocation method {method!r}; use one of {', '.join(METHODS)}.")


def _need(n: int | None) -> int:
    if n is None:
        raise ValueError("A total sample size is needed.")
    return n


def _checked_sizes(stratum_sizes: pd.Series, n: int, minimum: int) -> pd.Series:
    """The sizes as int64 after the checks every computed method shares."""
    sizes = _as_counts(stratum_sizes, "stratum sizes")
    if sizes.index.has_duplicates:
        raise ValueError("Each stratum must appear once.")
    if minimum < 0:
        raise ValueError(f"The minimum per stratum must be 0 or more, not {minimum}.")
    if int(n) != n or n < 0:
        raise ValueError(f"The sample size must be a whole number of 0 or more, not {n}.")
    total = int(sizes.sum())
    if n > total:
        raise ValueError(f"Sample size {n} is larger than the frame ({total} units).")
    needed = int(sizes.clip(upper=minimum).sum())
    if n < needed:
        raise ValueError(
            f"A minimum of {minimum} per stratum needs {needed} units over {len(sizes)} strata, "
            f"more than the sample size {n}."
        )
    return sizes


def _names(index) -> str:
    shown = ", ".join(map(str, list(index)[:10]))
    return shown + (" …" if len(index) > 10 else "")


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


def allocation_table(
    stratum_sizes: pd.Series,
    sample_sizes: pd.Series,
    *,
    reserves: int = 0,
    reserve_fraction: float = 1.0,
) -> pd.DataFrame:
    """The table shown before a draw and written by ``--allocation-out``.

    Index: stratum. Columns: N_h (int), n_h (int), fraction (n_h/N_h, float, 0 for an empty
    stratum), moe (float, :func:`margin_of_error`, NaN where n_h = 0) and, when reserves > 0,
    reserve_h (int: units held in reserve over all replicates, ⌈fraction·n_h⌉ each, within N_h).
    """
    big_n = stratum_sizes.astype("int64")
    n_h = sample_sizes.reindex(big_n.index, fill_value=0).astype("int64")
    table = pd.DataFrame(
        {
            "N_h": big_n,
            "n_h": n_h,
            "fraction": (n_h / big_n.where(big_n > 0)).fillna(0.0),
            "moe": margin_of_error(n_h, big_n),
        }
    )
    if reserves:
        per_replicate = reserve_sizes(n_h, reserve_fraction)
        table["reserve_h"] = np.minimum(reserves * per_replicate, big_n - n_h).astype("int64")
    table.index.name = "stratum"
    return table


def reserve_sizes(sample_sizes: pd.Series, fraction: float) -> pd.Series:
    """Units per reserve replicate in each stratum: ⌈fraction·n_h⌉ (0 where n_h = 0)."""
    if not fraction > 0:
        raise ValueError(f"The reserve size must be a positive share of n_h, not {fraction}.")
    # The small tolerance keeps 0.1·30 = 3.0000000000000004 at 3.
    return np.ceil(sample_sizes.astype("float64") * fraction - 1e-9).clip(lower=0).astype("int64")
