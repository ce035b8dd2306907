"""Calibration of a design's weights: post-stratification, raking and trimming. Pure.

The formulas are R's `survey` package's (postStratify, rake, trimWeights). A design is
calibrated once (post-stratify *or* rake); `trim` afterwards keeps the calibration record,
as R does. The record (`Calibration`) is what the variance needs: post-stratified or raked
estimates have their linearised values replaced by residuals (scoring.design.variance).
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from scoring.design.designs import Calibration, Design, DesignError, group_totals


def _margin(groups, population: Mapping, n: int, what: str, partial: bool = False):
    """Row codes into the sampled groups (sorted by label) and their population counts.
    Labels are compared as strings."""
    pop = pd.Series(population, dtype=float)
    pop.index = pop.index.map(str)
    raw = groups if isinstance(groups, pd.Series) else pd.Series(np.asarray(groups, dtype=object))
    if len(raw) != n:
        raise DesignError(f"{what}: {len(raw)} values for {n} rows.")
    codes, uniques = pd.factorize(raw)  # hashing, then only the few distinct labels as str
    if (codes < 0).any():
        raise DesignError(f"{what}: missing value in row {int(np.argmax(codes < 0))}.")
    if pop.isna().any() or (pop < 0).any():
        raise DesignError(f"{what}: population counts must be numbers ≥ 0.")
    names = [str(u) for u in uniques]
    absent = [lv for lv in names if lv not in pop.index or pop[lv] == 0]
    if absent:
        raise DesignError(
            f"{what}: group {absent[0]!r} is in the sample but has no population count."
        )
    sampled = set(names)
    unsampled = [lv for lv in pop.index if pop[lv] > 0 and lv not in sampled]
    if unsampled and not partial:
        raise DesignError(
            f"{what}: group {unsampled[0]!r} has a population but no respondent; merge groups "
            "or allow partial post-stratification."
        )
    if len(sampled) != len(names):  # distinct values with the same text, e.g. 1 and "1"
        codes = pd.factorize(np.asarray(names, dtype=object)[codes])[0]
        names = list(dict.fromkeys(names))
    order = np.argsort(np.asarray(names, dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    levels = [names[i] for i in order]
    return rank[codes], pop.reindex(levels).to_numpy(dtype=float)


def poststratify(design: Design, groups, population: Mapping, *, partial: bool = False) -> Design:
    """R's postStratify: weights × N_g / Ŵ_g within each post-stratum g.

    `groups` (n,) labels, `population` {label: N_g}. Labels are compared as strings. A sampled
    group without a population count is an error; a population group without respondents is
    an error unless `partial` (then ignored, as R's partial=TRUE).
    """
    if design.calibration is not None:
        raise DesignError("The design is already calibrated; calibrate once.")
    codes, pop = _margin(groups, population, design.n, "post-strata", partial)
    old = design.weights
    new = old * (pop / group_totals(codes, len(pop), old))[codes]
    calibration = Calibration(
        kind="poststratify", margins=(codes,), sizes=(len(pop),), weights=new, oldweights=old
    )
    return replace(design, weights=new, calibration=calibration)


def rake(
    design: Design,
    margins: Sequence[tuple[object, Mapping]],
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> Design:
    """Iterative proportional fitting to several margins (R's rake).

    `margins`: (labels (n,), {label: population count}) per margin, applied in order each
    sweep. Stops when every margin's weighted total is within `tol` (relative) of its
    population count; raises DesignError if that takes more than `max_iter` sweeps or the
    margins disagree on the population total.
    """
    if design.calibration is not None:
        raise DesignError("The design is already calibrated; calibrate once.")
    if not margins:
        raise DesignError("Raking needs at least one margin.")
    parsed = [_margin(g, p, design.n, f"margin {i + 1}") for i, (g, p) in enumerate(margins)]
    totals = [pop.sum() for _, pop in parsed]
    if max(totals) - min(totals) > 1e-6 * max(totals):
        raise DesignError(
            "The raking margins have different population totals: "
            + ", ".join(f"{t:g}" for t in totals)
            + "."
        )
    w = design.weights.copy()
    for _sweep in range(max_iter):
        for codes, pop in parsed:
            w = w * (pop / group_totals(codes, len(pop), w))[codes]
        worst = max(np.max(np.abs(group_totals(c, len(p), w) / p - 1.0)) for c, p in parsed)
        if worst < tol:
            break
    else:
        raise DesignError(f"Raking did not converge in {max_iter} sweeps.")
    calibration = Calibration(
        kind="rake",
        margins=tuple(c for c, _ in parsed),
        sizes=tuple(len(p) for _, p in parsed),
        weights=w,
    )
    return replace(design, weights=w, calibration=calibration)


def trim(design: Design, *, lower: float = -np.inf, upper: float = np.inf) -> Design:
    """R's trimWeights(strict=TRUE): clip weights to [lower, upper] and share the trimmed
    amount equally among the weights inside the bounds, repeating until all are inside.
    The total weight is kept. The calibration record is kept as it was (as R does)."""
    return replace(design, weights=trimmed_weights(design.weights, lower=lower, upper=upper))


def trimmed_weights(
    weights: np.ndarray, *, lower: float = -np.inf, upper: float = np.inf, max_iter: int = 100
) -> np.ndarray:
    """See `trim`. Raises DesignError when the bounds cannot hold the total weight."""
    w = np.asarray(weights, dtype=float).copy()
    if lower > upper:
        raise DesignError("The lower trimming bound is above the upper one.")
    if not (lower * len(w) <= w.sum() <= upper * len(w)):
        raise DesignError("No weights within the trimming bounds keep the total weight.")
    for _ in range(max_iter):
        outside = (w < lower) | (w > upper)
        if not outside.any():
            return w
        clipped = np.clip(w, lower, upper)
        excess = (w - clipped).sum()
        takers = ~outside
        if not takers.any():
            # Every weight was outside (some below, some above): the excess goes to the
            # weights at the bound it moves away from, and the next round checks them again.
            takers = clipped < upper if excess > 0 else clipped > lower
        clipped[takers] += excess / takers.sum()
        w = clipped
    raise DesignError(f"Trimming did not settle in {max_iter} rounds.")


def weighting_summary(weights: np.ndarray) -> dict:
    """Weighting effects of a weight vector: n, total, min, max, ratio (max/min), mean, cv,
    kish_deff = 1 + cv² (cv with the population variance) and n_eff = (Σw)² / Σw²."""
    w = np.asarray(weights, dtype=float)
    n = len(w)
    if n == 0:
        return {"n": 0}
    total = float(w.sum())
    n_eff = total**2 / float((w**2).sum())
    cv = float(w.std() / w.mean())
    return {
        "n": n,
        "total": total,
        "min": float(w.min()),
        "max": float(w.max()),
        "ratio": float(w.max() / w.min()),
        "mean": float(w.mean()),
        "cv": cv,
        "kish_deff": 1.0 + cv**2,
        "n_eff": n_eff,
    }
