"""Complex-survey estimation: design, weighting and Taylor-linearised standard errors.

Pure: numpy, pandas and scipy.sparse; no Django, no I/O. The reference is R's `survey`
package (Lumley); every formula below is the one `svyrecvar`/`onestrat`/`postStratify`/`rake`
use, and tests/scoring/test_survey_r.py compares estimates and standard errors with R to
1e-6 relative.

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

Estimates are by domain in long form: `rows` (design row of each observation), `domains`
(domain code 0..D-1) and `y`. A row may belong to several domains (one respondent answers
several dimensions). Rows of the design that are in no domain still carry the design: this
is how `svyby` works (a subset keeps every row with weight 0), and it matters for SEs.

Variance (R's defaults, stated once)
------------------------------------
* Linearised values z: total z_i = w_i y_i; ratio mean z_i = w_i (y_i - ȳ_d) / Σ_d w.
* Stage 1: V = Σ_h (1 - n_h/N_h) n_h/(n_h - 1) Σ_PSU∈h (Z_PSU - Z̄_h)², Z_PSU = Σ z over the
  PSU. Later stages are added, as R does (survey.ultimate.cluster = FALSE), only when every
  stage has a population size: each first-stage unit adds (n_h/N_h) × its own within-unit
  variance, recursively. Without population sizes: the ultimate-cluster approximation.
* A stratum with one PSU: `lonely_psu="fail"` (R's default) raises; "certainty" makes it
  contribute nothing; "adjust" centres it at zero (R's "adjust": its PSU total squared).
* Missing y (NaN) leaves the observation out of its domain (R's na.rm=TRUE).
* Post-stratification: z is replaced by residuals from the post-stratum means computed
  with the pre-adjustment weights (R's postStratify). Raking: ten sweeps of residuals from
  each margin's unweighted mean of z/w (what R's svyrecvar does for a raked design; R uses
  each margin's weights from the last IPF sweep, equal to the final weights once raking has
  converged, which `rake` runs to a 1e-10 relative tolerance). A design is calibrated once
  (post-stratify *or* rake); `trim` afterwards keeps the calibration record, as R does.
  The residuals are carried as group-level coefficients and the sums of squares expanded
  into sparse products, so 400 domains × 1M respondents never form a dense matrix.
* Design effect: var / var under simple random sampling *with replacement* (R's
  deff="replace"): s²/n for a mean, s² W²/n for a total, s² the weighted variance with the
  n/(n-1) correction. Effective n = n / deff.
* Intervals: estimate ± z_{0.975} se (normal, as R's confint for svystat).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy import sparse

MEAN = "mean"
TOTAL = "total"
PROPORTION = "proportion"
STATISTICS = (MEAN, TOTAL, PROPORTION)
LONELY_PSU = ("fail", "certainty", "adjust")
RAKE_SWEEPS = 10  # R's svyrecvar sweeps the raking residuals exactly ten times

ESTIMATE_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "n", "weight_sum", "deff", "n_eff"]


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


def _representatives(units: np.ndarray, n_units: int) -> np.ndarray:
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


def _sampled_per_key(keys: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Per row: the number of distinct units in the row's key group (units are nested in
    keys, so each unit has one key)."""
    first = _representatives(units, int(units.max()) + 1)
    counts = np.bincount(keys[first], minlength=int(keys.max()) + 1)
    return counts[keys].astype(float)


def _popsize(values: np.ndarray, keys: np.ndarray, units: np.ndarray, stage: int) -> np.ndarray:
    if not np.isfinite(values).all() or (values <= 0).any():
        row = int(np.flatnonzero(~np.isfinite(values) | (values <= 0))[0])
        raise DesignError(f"fpc (stage {stage}): row {row} has {values[row]:g}; must be > 0.")
    sampled = _sampled_per_key(keys, units)
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


def _indicator(codes: np.ndarray, size: int) -> sparse.csr_matrix:
    """size × len(codes) 0/1 matrix: row g sums the entries whose code is g."""
    n = len(codes)
    return sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(size, n))


# ---------------------------------------------------------------------------- weighting


def _group_totals(codes: np.ndarray, size: int, weights: np.ndarray) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=size)


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
    new = old * (pop / _group_totals(codes, len(pop), old))[codes]
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
            w = w * (pop / _group_totals(codes, len(pop), w))[codes]
        worst = max(np.max(np.abs(_group_totals(c, len(p), w) / p - 1.0)) for c, p in parsed)
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
        clipped[~outside] += excess / (~outside).sum()
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


# ---------------------------------------------------------------------------- variance


def _calibration_coefficients(design: Design, x: sparse.csr_matrix) -> list[np.ndarray]:
    """Group-level coefficients C_m (groups × D) such that the calibrated linearised values
    are x - v ⊙ Σ_m C_m[g_m(i)], v = the calibration weights. Works on group sums only, so
    it never forms a dense rows × domains matrix."""
    cal = design.calibration
    v = cal.weights
    if cal.kind == "poststratify":
        (codes,), (size,) = cal.margins, cal.sizes
        old = cal.oldweights
        sums = _indicator(codes, size) @ (sparse.diags(old / v) @ x)
        denominator = _group_totals(codes, size, old)
        return [np.asarray(sums.todense()) / denominator[:, None]]
    # Raking: each step subtracts v ⊙ (group mean of x/v) over one margin, where
    # x/v = x0/v - Σ_m' C_m'[g_m'], so the update needs only group means and cross-counts.
    indicators = [_indicator(c, s) for c, s in zip(cal.margins, cal.sizes, strict=True)]
    counts = [
        np.bincount(c, minlength=s).astype(float)
        for c, s in zip(cal.margins, cal.sizes, strict=True)
    ]
    scaled = sparse.diags(1.0 / v) @ x
    base = [
        np.asarray((ind @ scaled).todense()) / cnt[:, None]
        for ind, cnt in zip(indicators, counts, strict=True)
    ]
    cross = [  # cross[m][k][g, g'] = rows in group g of margin m and g' of k, / n_g
        [
            np.bincount(cm * sk + ck, minlength=sm * sk).reshape(sm, sk) / cnt[:, None]
            for ck, sk in zip(cal.margins, cal.sizes, strict=True)
        ]
        for cm, sm, cnt in zip(cal.margins, cal.sizes, counts, strict=True)
    ]
    coefficients = [np.zeros_like(b) for b in base]
    for _ in range(RAKE_SWEEPS):
        for m in range(len(indicators)):
            mean = base[m] - sum(cross[m][k] @ coefficients[k] for k in range(len(indicators)))
            coefficients[m] = coefficients[m] + mean
    return coefficients


def _stage_plan(design: Design) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per stage that enters the variance: (unit per row, key per unit, multiplier per key,
    f per key, m per key) packed as arrays; see `_variance`."""
    plans = []
    keys = design.strata
    multiplier = np.ones(design.n)
    for i, stage in enumerate(design.stages):
        if i > 0 and any(s.popsize is None for s in design.stages[: i + 1]):
            break  # ultimate cluster: later stages only with population sizes throughout
        sampled = _sampled_per_key(keys, stage.units)
        if stage.popsize is None:
            f = np.ones(design.n)
        else:
            f = np.where(np.isinf(stage.popsize), 1.0, (stage.popsize - sampled) / stage.popsize)
        plans.append((stage.units, keys, multiplier.copy(), f, sampled))
        if stage.popsize is None:
            break
        multiplier = multiplier * sampled / stage.popsize
        keys = stage.units
    return plans


def _variance(design: Design, x: sparse.csr_matrix) -> np.ndarray:
    """Variance of the totals of the columns of x (n × D sparse linearised values)."""
    n, n_domains = x.shape
    coefficients = None
    if design.calibration is not None:
        coefficients = _calibration_coefficients(design, x)
    variance = np.zeros(n_domains)
    for stage, (units, keys, multiplier, f, sampled) in enumerate(_stage_plan(design)):
        n_units = int(units.max()) + 1
        if n_units == n:  # one row per unit: number units by row, sparing a permutation
            units = np.arange(n)
        first = _representatives(units, n_units)
        unit_key = keys[first]
        n_keys = int(unit_key.max()) + 1
        key_row = np.zeros(n_keys, dtype=np.int64)
        key_row[unit_key] = first  # a row of each key (every key has a unit)
        m = sampled[key_row]
        fk = f[key_row]
        lonely = m == 1
        if design.lonely_psu == "fail" and (lonely & (fk >= 1e-7)).any():
            key = int(np.flatnonzero(lonely & (fk >= 1e-7))[0])
            if stage == 0:
                name = design.strata_labels[key] if design.strata_labels else "the only one"
                where = f"Stratum {name!r} has only one PSU"
            else:
                where = f"A stage-{stage} unit has only one sampled unit of stage {stage + 1}"
            raise DesignError(
                f"{where}; choose lonely_psu 'certainty' or 'adjust', or merge strata."
            )
        scale = np.where(fk < 1e-7, 0.0, fk * np.where(lonely, 1.0, m / np.maximum(m - 1, 1)))
        scale = scale * multiplier[key_row]
        centre = np.where(lonely & (design.lonely_psu == "adjust"), 0.0, 1.0)
        to_units = _indicator(units, n_units)
        to_keys = _indicator(unit_key, n_keys)
        if coefficients is None:
            z_units = x if n_units == n else (to_units @ x).tocsr()
            sums = np.asarray((to_keys @ z_units).todense())
            squares = np.asarray((to_keys @ z_units.multiply(z_units)).todense())
            variance += scale @ (squares - centre[:, None] * sums**2 / m[:, None])
            continue
        squares, sums = _calibrated_sums(design, x, coefficients, units, n_units, unit_key, n_keys)
        variance += scale @ (squares - centre[:, None] * sums**2 / m[:, None])
    return variance


def _calibrated_sums(
    design: Design,
    x: sparse.csr_matrix,
    coefficients: list[np.ndarray],
    units: np.ndarray,
    n_units: int,
    unit_key: np.ndarray,
    n_keys: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per key h and domain d: Σ_u Z_ud² and Σ_u Z_ud over the units u of h, where
    Z = A - Σ_m V_m C_m (A: unit totals of x; V_m[u, g]: calibration weight of unit u in
    group g of margin m). Expanded into sparse products so that no dense units × domains
    matrix is formed:
        Σ Z² = Σ A² - 2 Σ_m Σ_g C_m[g,d] (V_m^T A)_h[g,d] + Σ_m,m' Σ_g,g' C_m[g,d] C_m'[g',d]
               (V_m^T V_m')_h[g,g'].
    """
    cal = design.calibration
    n_domains = x.shape[1]
    to_units = _indicator(units, n_units)
    to_keys = _indicator(unit_key, n_keys)
    a = x if n_units == x.shape[0] else (to_units @ x).tocsr()
    squares = np.asarray((to_keys @ a.multiply(a)).todense())
    sums = np.asarray((to_keys @ a).todense())
    key_of_row = unit_key[units]
    # V_m with its columns split by key (column h·G_m + g), in both orientations so that
    # every product below is CSR × CSR (no implicit conversions of n-row matrices)
    split, split_t = [], []
    for codes, size in zip(cal.margins, cal.sizes, strict=True):
        column = key_of_row * size + codes
        split.append(
            sparse.csr_matrix((cal.weights, (units, column)), shape=(n_units, n_keys * size))
        )
        split_t.append(
            sparse.csr_matrix((cal.weights, (column, units)), shape=(n_keys * size, n_units))
        )
    for vm_t, cm, size in zip(split_t, coefficients, cal.sizes, strict=True):
        sums -= np.asarray(vm_t.sum(axis=1)).reshape(n_keys, size) @ cm
        cross = (vm_t @ a).tocoo()  # (h·G + g, d)
        h, g = np.divmod(cross.row, size)
        squares -= 2 * np.bincount(
            h * n_domains + cross.col,
            weights=cross.data * cm[g, cross.col],
            minlength=n_keys * n_domains,
        ).reshape(n_keys, n_domains)
    for vm_t, cm, size in zip(split_t, coefficients, cal.sizes, strict=True):
        for vk, ck, size_k in zip(split, coefficients, cal.sizes, strict=True):
            q = (vm_t @ vk).tocoo()  # (h·G_m + g, h'·G_k + g'), nonzero only for h = h'
            h, g = np.divmod(q.row, size)
            gk = q.col % size_k
            step = max(1, 2_000_000 // max(n_domains, 1))  # bounds the dense block
            for start in range(0, len(q.data), step):
                part = slice(start, start + step)
                terms = q.data[part, None] * cm[g[part]] * ck[gk[part]]
                squares += _indicator(h[part], n_keys) @ terms
    return squares, sums


# ---------------------------------------------------------------------------- estimates


def estimate(
    design: Design,
    *,
    rows,
    domains,
    y,
    n_domains: int | None = None,
    statistic: str = MEAN,
    level: float = 0.95,
) -> pd.DataFrame:
    """Means or totals of y by domain, with Taylor-linearised standard errors.

    Long-form input, one entry per observation: rows (design row), domains (code 0..D-1),
    y (float; NaN = missing, left out). A (row, domain) pair appears at most once.
    `statistic`: "mean" (ratio mean Σwy/Σw) or "total" (Σwy); a proportion is the mean of a
    0/1 y. Returns a DataFrame indexed 0..D-1 with ESTIMATE_COLUMNS:
        estimate, se, ci_low, ci_high   the level-% normal interval
        n            observations with a value in the domain
        weight_sum   Σ w over them
        deff, n_eff  design effect against SRS with replacement, n / deff
    A domain without observations has NaN estimate and n = 0.
    """
    if statistic not in (MEAN, TOTAL):
        raise DesignError(f"Unknown statistic {statistic!r}; use mean or total.")
    rows = np.asarray(rows, dtype=np.int64)
    domains = np.asarray(domains, dtype=np.int64)
    y = np.asarray(y, dtype=float)
    keep = ~np.isnan(y)
    rows, domains, y = rows[keep], domains[keep], y[keep]
    if n_domains is None:
        n_domains = int(domains.max()) + 1 if len(domains) else 0
    w = design.weights[rows]
    n = np.bincount(domains, minlength=n_domains).astype(float)
    weight_sum = np.bincount(domains, weights=w, minlength=n_domains)
    wy = np.bincount(domains, weights=w * y, minlength=n_domains)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = wy / weight_sum
        resid = y - mean[domains]
        s2 = (
            np.bincount(domains, weights=w * resid**2, minlength=n_domains)
            / weight_sum
            * n
            / (n - 1)
        )
        if statistic == MEAN:
            value = mean
            z = w * resid / weight_sum[domains]
            srs = s2 / n
        else:
            value = wy
            z = w * y
            srs = s2 * weight_sum**2 / n
    x = sparse.csr_matrix((z, (rows, domains)), shape=(design.n, n_domains))
    variance = _variance(design, x)
    se = np.sqrt(np.maximum(variance, 0.0))
    q = NormalDist().inv_cdf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        deff = variance / srs
        n_eff = n / deff
    empty = n == 0
    out = pd.DataFrame(
        {
            "estimate": np.where(empty, np.nan, value),
            "se": np.where(empty, np.nan, se),
            "ci_low": np.where(empty, np.nan, value - q * se),
            "ci_high": np.where(empty, np.nan, value + q * se),
            "n": n.astype(np.int64),
            "weight_sum": weight_sum,
            "deff": deff,
            "n_eff": n_eff,
        }
    )
    return out


def estimate_by(
    design: Design,
    data: pd.DataFrame,
    variable: str,
    *,
    by: Sequence[str] = (),
    statistic: str = MEAN,
    level: float = 0.95,
) -> pd.DataFrame:
    """svyby for one variable: `data` has one row per design row (same order).

    Domains are the observed combinations of the `by` columns (rows with a missing `by`
    value are in no domain but stay in the design). statistic "mean" or "total" of a numeric
    column; "proportion": the mean of each category's 0/1 indicator (svymean of a factor).
    Returns one row per domain (× category), sorted, columns
        *by, variable, statistic, estimate, se, ci_low, ci_high, n, n_eff, deff, weight_sum
    where `variable` is "COL" or, for a proportion, "COL=category".
    """
    by = list(by)
    if statistic not in STATISTICS:
        raise DesignError(f"Unknown statistic {statistic!r}; use mean, total or proportion.")
    if len(data) != design.n:
        raise DesignError(f"The data has {len(data)} rows but the design {design.n}.")
    if by:
        keyed = data[by].reset_index(drop=True)
        present = keyed.notna().all(axis=1).to_numpy()
        codes, uniques = pd.MultiIndex.from_frame(keyed[present]).factorize(sort=True)
        domain_labels = pd.DataFrame(list(uniques), columns=by)
        rows = np.flatnonzero(present)
        domains = codes.astype(np.int64)
    else:
        rows = np.arange(design.n)
        domains = np.zeros(design.n, dtype=np.int64)
        domain_labels = pd.DataFrame(index=[0])
    n_domains = len(domain_labels)
    column = data[variable].reset_index(drop=True)
    if statistic == PROPORTION:
        values = column.iloc[rows]
        categories = sorted(values.dropna().astype(str).unique())
        parts = []
        for category in categories:
            y = np.where(values.isna(), np.nan, (values.astype(str) == category).astype(float))
            part = estimate(
                design, rows=rows, domains=domains, y=y, n_domains=n_domains, level=level
            )
            parts.append(
                domain_labels.assign(variable=f"{variable}={category}", statistic=PROPORTION).join(
                    part
                )
            )
        result = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if by and not result.empty:
            result = result.sort_values(by, kind="stable").reset_index(drop=True)
    else:
        y = pd.to_numeric(column, errors="raise").to_numpy(dtype=float)[rows]
        part = estimate(
            design,
            rows=rows,
            domains=domains,
            y=y,
            n_domains=n_domains,
            statistic=statistic,
            level=level,
        )
        result = domain_labels.assign(variable=variable, statistic=statistic).join(part)
    columns = by + [
        "variable",
        "statistic",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n",
        "n_eff",
        "deff",
        "weight_sum",
    ]
    return result.reindex(columns=columns)
