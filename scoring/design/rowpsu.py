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

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scoring.design.designs import Design
from scoring.design.variance import stage_plan, stratum_scale

if TYPE_CHECKING:
    from scipy import sparse


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
    keys, n_keys, scale, centre, m = design.derived("rowpsu.plan", lambda: _plan(design))
    entry_key = keys[rows] * n_domains + domains
    size = n_keys * n_domains
    sums = np.bincount(entry_key, weights=z, minlength=size).reshape(n_keys, n_domains)
    squares = np.bincount(entry_key, weights=z * z, minlength=size).reshape(n_keys, n_domains)
    if design.calibration is not None:
        done = _calibrate(design, keys, n_keys, rows, domains, z, n_domains, sums, squares)
        if not done:
            return None
    return scale @ (squares - centre[:, None] * sums**2 / m[:, None])


def _plan(design: Design) -> tuple:
    """(stratum key of each row, number of keys, scale, centre and m per key)."""
    ((_units, keys, multiplier, f, sampled),) = stage_plan(design)
    n_keys = int(keys.max()) + 1
    key_row = np.zeros(n_keys, dtype=np.int64)
    key_row[keys] = np.arange(design.n)
    m = sampled[key_row]
    scale, centre = stratum_scale(design, 0, m, f[key_row], multiplier[key_row])
    return keys, n_keys, scale, centre, m


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
    counts, cross = design.derived("rowpsu.raking", lambda: _raking_cross(cal))
    scaled = z / v[rows]
    base = [
        _by(c[rows], domains, scaled, s, n_domains) / cnt[:, None]
        for c, s, cnt in zip(cal.margins, cal.sizes, counts, strict=True)
    ]
    coefficients = [np.zeros_like(b) for b in base]
    for _ in range(10):  # R's svyrecvar sweeps the raking residuals ten times
        for i in range(len(base)):
            mean = base[i] - sum(cross[i][k] @ coefficients[k] for k in range(len(base)))
            coefficients[i] = coefficients[i] + mean
    return coefficients


def _raking_cross(cal) -> tuple[list, list]:
    """Per margin the rows in each group, and per pair of margins the share of a group's
    rows in each group of the other (what the raking sweep needs besides z)."""
    counts = [
        np.bincount(c, minlength=s).astype(float)
        for c, s in zip(cal.margins, cal.sizes, strict=True)
    ]
    cross = [
        [
            np.bincount(cm * sk + ck, minlength=sm * sk).reshape(sm, sk) / cnt[:, None]
            for ck, sk in zip(cal.margins, cal.sizes, strict=True)
        ]
        for cm, sm, cnt in zip(cal.margins, cal.sizes, counts, strict=True)
    ]
    return counts, cross


def _by(groups: np.ndarray, domains: np.ndarray, values: np.ndarray, size: int, n_domains: int):
    return np.bincount(
        groups * n_domains + domains, weights=values, minlength=size * n_domains
    ).reshape(size, n_domains)


def _calibrate(design, keys, n_keys, rows, domains, z, n_domains, sums, squares) -> bool:
    """Subtract the calibration terms from `sums` and `squares` in place (see the module
    docstring); False (nothing changed) when the cells would not fit in MAX_CELLS."""
    v = design.calibration.weights
    cells, pairs = design.derived("rowpsu.cells", lambda: _cells(design, keys))
    if max(len(key) for _cell, key, _group, _vm in cells) * n_domains > MAX_CELLS:
        return False
    # the sparse sums into strata depend on the design alone: made once, kept with it
    spreads = design.derived("rowpsu.spreads", lambda: _spreads(cells, pairs, n_keys))
    coefficients = calibration_coefficients(design, rows, domains, z, n_domains)
    for (cell, key, group, vm), c, (spread, _row) in zip(cells, coefficients, spreads, strict=True):
        n_cells = len(key)
        s = _by(cell[rows], domains, z * v[rows], n_cells, n_domains)  # S_m per cell
        sums -= spread @ (vm[:, None] * c[group])
        squares -= spread @ (2 * s * c[group])
    for (_cell, key, group, _vm), c, row, (_spread, spread_row) in zip(
        cells, coefficients, pairs, spreads, strict=True
    ):
        for (_cell_k, _key_k, group_k, _vm_k), c_k, (q, first, second), spread in zip(
            cells, coefficients, row, spread_row, strict=True
        ):
            step = max(1, 2_000_000 // n_domains)  # bounds the dense block
            if len(q) <= step:
                squares += spread @ (q[:, None] * c[group[first]] * c_k[group_k[second]])
                continue
            for start in range(0, len(q), step):
                part = slice(start, start + step)
                terms = q[part, None] * c[group[first[part]]] * c_k[group_k[second[part]]]
                _add_rows(squares, key[first[part]], terms)
    return True


def _spreads(cells: list, pairs: list, n_keys: int) -> list:
    """Per margin: the keys × cells 0/1 matrix that sums cells into their stratum key, and
    per pair of margins the keys × pairs one (see _add_rows)."""
    return [
        (
            _spread(key, n_keys),
            [_spread(key[first], n_keys) for _q, first, _second in row],
        )
        for (_cell, key, _group, _vm), row in zip(cells, pairs, strict=True)
    ]


def _spread(index: np.ndarray, size: int) -> sparse.csr_matrix:
    from scipy import sparse  # imported when used: ~11 MB a web worker does not need

    return sparse.csr_matrix(
        (np.ones(len(index)), (index, np.arange(len(index)))), shape=(size, len(index))
    )


def _add_rows(target: np.ndarray, index: np.ndarray, values: np.ndarray) -> None:
    """target[index[i]] += values[i] for every i, repeats adding up (np.add.at's meaning),
    as one sparse product: np.add.at is slow on rows of many domains."""
    target += _spread(index, len(target)) @ values


def _cells(design: Design, keys: np.ndarray) -> tuple:
    """Per margin the (stratum, group) cell of each row, each cell's stratum, group and
    Σ v; per pair of margins Q (Σ v² over the rows in both cells) and the two cells of each
    pair that occurs."""
    cal = design.calibration
    v = cal.weights
    cells = []
    for codes, size in zip(cal.margins, cal.sizes, strict=True):
        cell, uniques = pd.factorize(keys * size + codes)
        vm = np.bincount(cell, weights=v, minlength=len(uniques))  # V_m per cell
        cells.append((cell, uniques // size, uniques % size, vm))
    pairs = []
    for cell, _key, _group, _vm in cells:
        row = []
        for cell_k, _key_k, group_k, _vm_k in cells:
            pair, uniques = pd.factorize(cell * len(group_k) + cell_k)
            q = np.bincount(pair, weights=v * v, minlength=len(uniques))
            row.append((q, uniques // len(group_k), uniques % len(group_k)))
        pairs.append(row)
    return cells, pairs
