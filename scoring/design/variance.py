"""Taylor-linearised variance of domain totals under a design (R's defaults, stated once). Pure.

* Linearised values z: total z_i = w_i y_i; ratio mean z_i = w_i (y_i - ȳ_d) / Σ_d w
  (formed by scoring.design.estimates).
* Stage 1: V = Σ_h (1 - n_h/N_h) n_h/(n_h - 1) Σ_PSU∈h (Z_PSU - Z̄_h)², Z_PSU = Σ z over the
  PSU. Later stages are added, as R does (survey.ultimate.cluster = FALSE), only when every
  stage has a population size: each first-stage unit adds (n_h/N_h) × its own within-unit
  variance, recursively. Without population sizes: the ultimate-cluster approximation.
* A stratum with one PSU: `lonely_psu="fail"` (R's default) raises; "certainty" makes it
  contribute nothing; "adjust" centres it at zero (R's "adjust": its PSU total squared).
* Post-stratification: z is replaced by residuals from the post-stratum means computed
  with the pre-adjustment weights (R's postStratify). Raking: ten sweeps of residuals from
  each margin's unweighted mean of z/w (what R's svyrecvar does for a raked design; R uses
  each margin's weights from the last IPF sweep, equal to the final weights once raking has
  converged, which `rake` runs to a 1e-10 relative tolerance).
  The residuals are carried as group-level coefficients and the sums of squares expanded
  into sparse products, so 400 domains × 1M respondents never form a dense matrix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scoring.design.designs import (
    Design,
    DesignError,
    group_totals,
    indicator,
    representatives,
    sampled_per_key,
)

if TYPE_CHECKING:
    from scipy import sparse


RAKE_SWEEPS = 10  # R's svyrecvar sweeps the raking residuals exactly ten times


def _calibration_coefficients(design: Design, x: sparse.csr_matrix) -> list[np.ndarray]:
    """Group-level coefficients C_m (groups × D) such that the calibrated linearised values
    are x - v ⊙ Σ_m C_m[g_m(i)], v = the calibration weights. Works on group sums only, so
    it never forms a dense rows × domains matrix."""
    from scipy import sparse  # imported when used: ~11 MB a web worker does not need

    cal = design.calibration
    v = cal.weights
    if cal.kind == "poststratify":
        (codes,), (size,) = cal.margins, cal.sizes
        old = cal.oldweights
        sums = indicator(codes, size) @ (sparse.diags(old / v) @ x)
        denominator = group_totals(codes, size, old)
        return [np.asarray(sums.todense()) / denominator[:, None]]
    # Raking: each step subtracts v ⊙ (group mean of x/v) over one margin, where
    # x/v = x0/v - Σ_m' C_m'[g_m'], so the update needs only group means and cross-counts.
    indicators = [indicator(c, s) for c, s in zip(cal.margins, cal.sizes, strict=True)]
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


def stage_plan(design: Design) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per stage that enters the variance: (unit per row, key per unit, multiplier per key,
    f per key, m per key) packed as arrays; see `variance`."""
    plans = []
    keys = design.strata
    multiplier = np.ones(design.n)
    for i, stage in enumerate(design.stages):
        if i > 0 and any(s.popsize is None for s in design.stages[: i + 1]):
            break  # ultimate cluster: later stages only with population sizes throughout
        sampled = sampled_per_key(keys, stage.units)
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


def stratum_scale(
    design: Design, stage: int, m: np.ndarray, fk: np.ndarray, multiplier: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per key (stratum, or unit of the stage above) with m sampled units and finite
    population factor fk: the factor of its sum of squares, and whether it is centred
    (see the module docstring for lonely units). Raises DesignError for a lonely unit when
    lonely_psu is "fail"."""
    lonely = m == 1
    if design.lonely_psu == "fail" and (lonely & (fk >= 1e-7)).any():
        key = int(np.flatnonzero(lonely & (fk >= 1e-7))[0])
        if stage == 0:
            name = design.strata_labels[key] if design.strata_labels else "the only one"
            where = f"Stratum {name!r} has only one PSU"
        else:
            where = f"A stage-{stage} unit has only one sampled unit of stage {stage + 1}"
        raise DesignError(f"{where}; choose lonely_psu 'certainty' or 'adjust', or merge strata.")
    scale = np.where(fk < 1e-7, 0.0, fk * np.where(lonely, 1.0, m / np.maximum(m - 1, 1)))
    centre = np.where(lonely & (design.lonely_psu == "adjust"), 0.0, 1.0)
    return scale * multiplier, centre


def total_variance(design: Design, x: sparse.csr_matrix) -> np.ndarray:
    """Variance of the totals of the columns of x (n × D sparse linearised values)."""
    n, n_domains = x.shape
    coefficients = None
    if design.calibration is not None:
        coefficients = _calibration_coefficients(design, x)
    variance = np.zeros(n_domains)
    for stage, (units, keys, multiplier, f, sampled) in enumerate(stage_plan(design)):
        n_units = int(units.max()) + 1
        if n_units == n:  # one row per unit: number units by row, sparing a permutation
            units = np.arange(n)
        first = representatives(units, n_units)
        unit_key = keys[first]
        n_keys = int(unit_key.max()) + 1
        key_row = np.zeros(n_keys, dtype=np.int64)
        key_row[unit_key] = first  # a row of each key (every key has a unit)
        m = sampled[key_row]
        scale, centre = stratum_scale(design, stage, m, f[key_row], multiplier[key_row])
        to_units = indicator(units, n_units)
        to_keys = indicator(unit_key, n_keys)
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
    from scipy import sparse  # imported when used: ~11 MB a web worker does not need

    cal = design.calibration
    n_domains = x.shape[1]
    to_units = indicator(units, n_units)
    to_keys = indicator(unit_key, n_keys)
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
                squares += indicator(h[part], n_keys) @ terms
    return squares, sums
