"""Variance of domain totals when every row is its own PSU (a stratified element sample, the
survey's own design), from the nonzero linearised values with np.bincount. Pure.

The formulas are scoring.design.variance's (R's svyrecvar/onestrat), including
post-stratification and raking residuals: with Z = x − v ⊙ Σ_m C_m[g_m(i)] (x the linearised
values, v the calibration weights, C_m the group coefficients of `calibration_coefficients`),
per stratum h and domain d

    Σ Z² = Σ x² − 2 Σ_m Σ_g C_m[g,d] S_m[h,g,d] + Σ_m,m' Σ_g,g' C_m[g,d] C_m'[g',d] Q[h,g,g']
    Σ Z  = Σ x − Σ_m Σ_g C_m[g,d] V_m[h,g]

with S_m = Σ v·x, V_m = Σ v and Q = Σ v² over the rows of h in group g (and g'). Every sum
is one np.bincount over the K nonzero values or the n rows, on (stratum, group) cells that
occur, so 1,000,000 respondents in 400 domains need neither a sparse product nor a dense
rows × domains matrix. `total_variance` returns None when the design has clusters (or the
cells would not fit in memory): scoring.design.variance then does the work.
"""

import numpy as np
import pandas as pd

from scoring.design.designs import Design
from scoring.design.variance import stage_plan, stratum_scale

MAX_CELLS = 40_000_000  # (stratum, group) cells × domains held as one dense float array


def applies(design: Design) -> bool:
    """One sampling stage whose units are the rows."""
    return len(design.stages) == 1 and int(design.stages[0].units.max()) + 1 == design.n


def total_variance(
    design: Design, rows: np.ndarray, domains: np.ndarray, z: np.ndarray, n_domains: int
) -> np.ndarray | None:
    """Variance of the domain totals of the values z at (rows, domains) (each pair at most
    once), or None where this method does not apply."""
    if not applies(design) or n_domains == 0:
        return None
    ((_units, keys, multiplier, f, sampled),) = stage_plan(design)
    n_keys = int(keys.max()) + 1
    key_row = np.zeros(n_keys, dtype=np.int64)
    key_row[keys] = np.arange(design.n)
    m = sampled[key_row]
    scale, centre = stratum_scale(design, 0, m, f[key_row], multiplier[key_row])
    entry_key = keys[rows] * n_domains + domains
    size = n_keys * n_domains
    sums = np.bincount(entry_key, weights=z, minlength=size).reshape(n_keys, n_domains)
    squares = np.bincount(entry_key, weights=z * z, minlength=size).reshape(n_keys, n_domains)
    if design.calibration is not None:
        done = _calibrate(design, keys, n_keys, rows, domains, z, n_domains, sums, squares)
        if not done:
            return None
    return scale @ (squares - centre[:, None] * sums**2 / m[:, None])


def calibration_coefficients(
    design: Design, rows: np.ndarray, domains: np.ndarray, z: np.ndarray, n_domains: int
) -> list[np.ndarray]:
    """scoring.design.variance's group coefficients C_m (groups × D), from bincounts."""
    cal = design.calibration
    v = cal.weights
    if cal.kind == "poststratify":
        ((codes,), (size,)) = cal.margins, cal.sizes
        scaled = z * (cal.oldweights / v)[rows]
        sums = _by(codes[rows], domains, scaled, size, n_domains)
        denominator = np.bincount(codes, weights=cal.oldweights, minlength=size)
        return [sums / denominator[:, None]]
    counts = [
        np.bincount(c, minlength=s).astype(float)
        for c, s in zip(cal.margins, cal.sizes, strict=True)
    ]
    scaled = z / v[rows]
    base = [
        _by(c[rows], domains, scaled, s, n_domains) / cnt[:, None]
        for c, s, cnt in zip(cal.margins, cal.sizes, counts, strict=True)
    ]
    cross = [
        [
            np.bincount(cm * sk + ck, minlength=sm * sk).reshape(sm, sk) / cnt[:, None]
            for ck, sk in zip(cal.margins, cal.sizes, strict=True)
        ]
        for cm, sm, cnt in zip(cal.margins, cal.sizes, counts, strict=True)
    ]
    coefficients = [np.zeros_like(b) for b in base]
    for _ in range(10):  # R's svyrecvar sweeps the raking residuals ten times
        for i in range(len(base)):
            mean = base[i] - sum(cross[i][k] @ coefficients[k] for k in range(len(base)))
            coefficients[i] = coefficients[i] + mean
    return coefficients


def _by(groups: np.ndarray, domains: np.ndarray, values: np.ndarray, size: int, n_domains: int):
    return np.bincount(
        groups * n_domains + domains, weights=values, minlength=size * n_domains
    ).reshape(size, n_domains)


def _calibrate(design, keys, n_keys, rows, domains, z, n_domains, sums, squares) -> bool:
    """Subtract the calibration terms from `sums` and `squares` in place (see the module
    docstring); False (nothing changed) when the cells would not fit in MAX_CELLS."""
    cal = design.calibration
    v = cal.weights
    cells = []  # per margin: the (stratum, group) cell of each row, its stratum and group
    for codes, size in zip(cal.margins, cal.sizes, strict=True):
        cell, uniques = pd.factorize(keys * size + codes)
        if len(uniques) * n_domains > MAX_CELLS:
            return False
        cells.append((cell, uniques // size, uniques % size))
    coefficients = calibration_coefficients(design, rows, domains, z, n_domains)
    for (cell, key, group), c in zip(cells, coefficients, strict=True):
        n_cells = len(key)
        s = _by(cell[rows], domains, z * v[rows], n_cells, n_domains)  # S_m per cell
        vm = np.bincount(cell, weights=v, minlength=n_cells)  # V_m per cell
        np.add.at(sums, key, -vm[:, None] * c[group])
        np.add.at(squares, key, -2 * s * c[group])
    for (cell, key, group), c in zip(cells, coefficients, strict=True):
        for (cell_k, _key_k, group_k), c_k in zip(cells, coefficients, strict=True):
            pair, uniques = pd.factorize(cell * len(group_k) + cell_k)
            q = np.bincount(pair, weights=v * v, minlength=len(uniques))
            first, second = uniques // len(group_k), uniques % len(group_k)
            step = max(1, 2_000_000 // n_domains)  # bounds the dense block
            for start in range(0, len(q), step):
                part = slice(start, start + step)
                terms = q[part, None] * c[group[first[part]]] * c_k[group_k[second[part]]]
                np.add.at(squares, key[first[part]], terms)
    return True
