"""Survey designs: who was sampled how (strata, stages, finite population corrections).

Pure: numpy, pandas and scipy.sparse; no Django, no I/O. A `Design` is what the variance
(scoring.design.variance) and the estimates (scoring.design.estimates) work on; calibration
(scoring.design.calibration) returns a new one with adjusted weights.

Shapes
------
A `Design` describes n respondents (rows 0..n-1):
    weights   float (n,)  final weights (> 0)
    strata    int (n,)    stage-1 stratum code 0..H-1 (one stratum when unstratified)
    stages    one `Stage` per sampling stage: unit code (n,) of the stage's sampled unit,
              unique across the whole design (nested in strata and in earlier stages), and
              popsize (n,) the number of such units in the population of the row's stratum
              (stage 1) or of its parent unit (later stages); None = no finite population
              correction. Without clusters stage 1's unit is the row itself.
    calibration  how the weights were post-stratified or raked (None: not calibrated)

A stratum with one PSU: `lonely_psu="fail"` (R's default) raises; "certainty" makes it
contribute nothing; "adjust" centres it at zero (R's "adjust": its PSU total squared).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from scipy import sparse


LONELY_PSU = ("fail", "certainty", "adjust")


class DesignError(ValueError):
    """A design, weighting or estimation input that cannot be used; the message says why."""


@dataclass(frozen=True)
class Stage:
    units: np.ndarray  # int (n,), unique across the design
    popsize: np.ndarray | None  # float (n,) or None


@dataclass(frozen=True)
class Calibration:
    """What post-stratification or raking did to the weights (needed for the variance).

    margins  int (n,) group codes, one array per margin (one for post-stratification)
    sizes    number of groups of each margin
    weights  the weights right after calibration (R's attr "weights")
    oldweights  post-stratification only: the weights before it
    """

    kind: str  # "poststratify" | "rake"
    margins: tuple[np.ndarray, ...]
    sizes: tuple[int, ...]
    weights: np.ndarray
    oldweights: np.ndarray | None = None


@dataclass(frozen=True)
class Design:
    weights: np.ndarray
    strata: np.ndarray
    stages: tuple[Stage, ...]
    lonely_psu: str = "fail"
    calibration: Calibration | None = None
    strata_labels: tuple = ()  # the stratum label of each code, for messages

    @property
    def n(self) -> int:
        return len(self.weights)

    def derived(self, name: str, make):
        """`make()`, computed once per design: what depends on the design alone (its
        stratum scale, its calibration cells), reused by every estimate on it. A design
        is immutable, so the value never goes stale."""
        store = self.__dict__.setdefault("_derived", {})
        if name not in store:
            store[name] = make()
        return store[name]


def _codes(values, what: str, n: int, labels: list | None = None) -> np.ndarray:
    """Labels → int codes 0..k-1 in sorted label order (appended to `labels` if given).
    Missing labels are an error."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values))
    if len(series) != n:
        raise DesignError(f"{what}: {len(series)} values for {n} rows.")
    missing = series.isna().to_numpy()
    if missing.any():
        raise DesignError(f"{what}: missing value in row {int(np.flatnonzero(missing)[0])}.")
    codes, uniques = pd.factorize(series)  # hashing: fast on strings, no full sort
    order = np.argsort(np.asarray(uniques.astype(str)), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    if labels is not None:
        labels.extend(uniques[order])
    return rank[codes]


def _nest(parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Codes of the (parent, child) pairs, 0..k-1 (in no particular order)."""
    combined = parent.astype(np.int64) * (int(child.max()) + 1) + child
    return pd.factorize(combined)[0].astype(np.int64)  # hashing: no sort of n values


def representatives(units: np.ndarray, n_units: int) -> np.ndarray:
    """One row of each unit (any row: whatever a unit's rows share, e.g. its stratum)."""
    rows = np.empty(n_units, dtype=np.int64)
    rows[units] = np.arange(len(units))
    return rows


def make_design(
    *,
    weights,
    strata=None,
    clusters: Sequence = (),
    fpc: Sequence = (),
    lonely_psu: str = "fail",
) -> Design:
    """A design from per-row arrays (as R's svydesign(ids=, strata=, weights=, fpc=)).

    weights   positive finite numbers (n,)
    strata    stage-1 stratum labels (n,) or None
    clusters  label arrays, stage 1 first; empty = each row is its own PSU. Units are
              nested (made unique within strata and earlier stages), as R's nest=TRUE.
    fpc       per stage, population size per row (R's fpc: all > 1) or sampling fraction
              (all ≤ 1); fewer arrays than stages leaves the later stages without fpc.
    """
    w = np.asarray(weights, dtype=float)
    n = len(w)
    if n == 0:
        raise DesignError("The design has no rows.")
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DesignError(f"weights: row {row} has weight {w[row]:g}; weights must be > 0.")
    if lonely_psu not in LONELY_PSU:
        raise DesignError(f"lonely_psu must be one of {', '.join(LONELY_PSU)}.")
    labels: list = []
    h = np.zeros(n, dtype=np.int64) if strata is None else _codes(strata, "strata", n, labels)
    stage_ids = [_codes(c, f"cluster (stage {i + 1})", n) for i, c in enumerate(clusters)]
    if len(fpc) > max(len(stage_ids), 1):
        raise DesignError("More fpc columns than sampling stages.")
    parent = h
    units = []
    for ids in stage_ids:
        units.append(_nest(parent, ids))
        parent = units[-1]
    if not units:  # each row is its own PSU: already unique, and nested in its stratum
        units = [np.arange(n, dtype=np.int64)]
    stages = []
    keys = h
    for i, unit in enumerate(units):
        popsize = None
        if i < len(fpc) and fpc[i] is not None:
            popsize = _popsize(np.asarray(fpc[i], dtype=float), keys, unit, i + 1)
        stages.append(Stage(units=unit, popsize=popsize))
        keys = unit
    return Design(
        weights=w,
        strata=h,
        stages=tuple(stages),
        lonely_psu=lonely_psu,
        strata_labels=tuple(labels),
    )


def sampled_per_key(keys: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Per row: the number of distinct units in the row's key group (units are nested in
    keys, so each unit has one key)."""
    first = representatives(units, int(units.max()) + 1)
    counts = np.bincount(keys[first], minlength=int(keys.max()) + 1)
    return counts[keys].astype(float)


def _popsize(values: np.ndarray, keys: np.ndarray, units: np.ndarray, stage: int) -> np.ndarray:
    if not np.isfinite(values).all() or (values <= 0).any():
        row = int(np.flatnonzero(~np.isfinite(values) | (values <= 0))[0])
        raise DesignError(f"fpc (stage {stage}): row {row} has {values[row]:g}; must be > 0.")
    sampled = sampled_per_key(keys, units)
    if (values > 1).any() and (values < 1).any():
        raise DesignError(
            f"fpc (stage {stage}): give all population sizes (> 1) or all sampling fractions "
            "(≤ 1), not a mix."
        )
    popsize = values if (values > 1).any() else sampled / values
    too_small = popsize < sampled - 1e-9
    if too_small.any():
        row = int(np.flatnonzero(too_small)[0])
        raise DesignError(
            f"fpc (stage {stage}): row {row} gives a population of {popsize[row]:g} but "
            f"{sampled[row]:g} units were sampled there."
        )
    per_key = pd.Series(popsize).groupby(keys).nunique()
    if (per_key > 1).any():
        raise DesignError(f"fpc (stage {stage}): the population size varies within a stratum.")
    return popsize


def indicator(codes: np.ndarray, size: int) -> sparse.csr_matrix:
    """size × len(codes) 0/1 matrix: row g sums the entries whose code is g."""
    from scipy import sparse  # imported when used: ~11 MB a web worker does not need

    n = len(codes)
    return sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(size, n))


def group_totals(codes: np.ndarray, size: int, weights: np.ndarray) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=size)
