"""The draw: stratified simple random sampling without replacement (SRSWOR).

Pure: numpy, pandas and pyarrow only. Reproducible: the same frame (in any row order) and the
same seed give the same sample, because units are put in (stratum, unit id) order before the
seeded generator hands out one random key per unit; within each stratum the n_h units with the
smallest keys are taken. Reserve replicates are cut from the same keys (the next r_h units in
key order), so a main sample and its reserves never overlap.

With sort columns the selection is systematic instead (implicit stratification): within each
stratum the units are put in (sort columns, unit id) order and every k-th unit is taken from a
seeded random start, k = N_h/m_h fractional; the m_h units are then dealt to the main sample and
the reserve replicates by their random keys, so each replicate is a random part of a sample
spread evenly over the sort order.

Inclusion probabilities: releasing replicates in order 1, 2, … keeps the released sample an
SRSWOR (or systematic sample) of its cumulative size, so a unit of replicate r has
π = (units of replicates 0..r in its stratum)/N_h; the main sample's π is n_h/N_h.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def sort_for_draw(
    frame: pd.DataFrame, *, stratum_column: str, unit_column: str = "unit_id"
) -> pd.DataFrame:
    """The frame in (stratum, unit id) order with a fresh RangeIndex: the order a frame is
    stored in, so that later draws only need to check it."""
    codes, _ = pd.factorize(frame[stratum_column], sort=True)
    order = _unit_order(codes, pa.array(frame[unit_column]))
    return (
        frame.reset_index(drop=True)
        if order is None
        else frame.take(order, axis=0).reset_index(drop=True)
    )


def stratified_srswor(
    frame: pd.DataFrame,
    *,
    stratum_column: str,
    allocation: pd.Series,
    seed: int,
    unit_column: str = "unit_id",
    reserves: int = 0,
    reserve_allocation: pd.Series | None = None,
    sort_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Draw n_h units without replacement from each stratum, plus reserve replicates.

    frame: one row per unit; `unit_column` unique, `stratum_column` the stratum label.
    allocation: Series, index = stratum label, values = n_h (int, 0 ≤ n_h ≤ N_h); strata of the
        frame missing from it get n_h = 0.
    seed: non-negative int for numpy's default_rng.
    reserves: R, the number of reserve replicates; reserve_allocation: r_h per replicate
        (Series like `allocation`; default 0). A stratum that runs out of units leaves its
        later replicates short or empty.
    sort_columns: frame columns for systematic selection (see the module docstring); empty for
        simple random sampling.
    Returns: the selected rows (all frame columns) in (replicate, stratum, unit id) order with
        a RangeIndex, plus `replicate` (int, 0 = main sample), float `inclusion_probability`
        and `design_weight` = 1/inclusion_probability.
    """
    for column in (stratum_column, unit_column, *sort_columns):
        if column not in frame.columns:
            raise ValueError(f"The frame has no column {column!r}.")
    # Strata codes follow the labels' sort order, so (code, unit id) order is the draw order.
    codes, labels = pd.factorize(frame[stratum_column], sort=True)
    if (codes < 0).any():
        raise ValueError("Every unit needs a stratum.")
    units = pa.array(frame[unit_column])
    order = _unit_order(codes, units)  # None: already in draw order, as stored frames are
    if order is None:
        duplicated = _has_adjacent_duplicates(codes, units)
    else:
        duplicated = _has_adjacent_duplicates(codes[order], units.take(order))
    if duplicated:
        raise ValueError("Unit ids must be unique within each stratum.")
    population = np.bincount(codes, minlength=len(labels))
    sample_sizes = _sample_sizes(allocation, labels, population)

    reserve_sizes = (
        _sample_sizes(reserve_allocation, labels, population, check_size=False)
        if reserves and reserve_allocation is not None
        else np.zeros(len(labels), dtype=np.int64)
    )
    if sort_columns:
        order = _systematic_order(frame, codes, list(sort_columns), unit_column)
    positions, replicate, cumulative = select_positions(
        population,
        sample_sizes,
        seed=seed,
        reserves=reserves,
        reserve_sizes=reserve_sizes,
        systematic=bool(sort_columns),
    )
    rows = positions if order is None else order[positions]  # frame rows of the sample
    stratum = codes[rows]
    # Output order (replicate, stratum, unit id), settled before the one take of the rows.
    result_order = pc.sort_indices(
        pa.table({"r": replicate, "h": stratum, "u": units.take(pa.array(rows))}),
        sort_keys=[("r", "ascending"), ("h", "ascending"), ("u", "ascending")],
    ).to_numpy()
    rows, stratum = rows[result_order], stratum[result_order]
    replicate, cumulative = replicate[result_order], cumulative[result_order]
    sample = frame.take(rows, axis=0).reset_index(drop=True)
    sample["replicate"] = replicate.astype(np.int64)
    sample["inclusion_probability"] = cumulative / population[stratum]
    sample["design_weight"] = population[stratum] / cumulative
    return sample


def select_positions(
    population: np.ndarray,
    sample_sizes: np.ndarray,
    *,
    seed: int,
    reserves: int = 0,
    reserve_sizes: np.ndarray | None = None,
    systematic: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The selection itself, on arrays: the core of :func:`stratified_srswor`.

    population: N_h per stratum (int array, length H); the units are numbered 0…ΣN_h−1 with
        stratum h holding a contiguous block, in draw order. sample_sizes: n_h (≤ N_h).
        reserve_sizes: r_h per reserve replicate (default 0), reserves: R.
    Returns (positions, replicate, cumulative), one entry per selected unit, grouped by stratum
    and within it in key order: the unit's number, its replicate (0 = main) and the number of
    units of its stratum in replicates 0…its own (π = cumulative/N_h).
    """
    if reserves < 0:
        raise ValueError("The number of reserve replicates must be 0 or more.")
    reserve_sizes = np.zeros_like(sample_sizes) if reserve_sizes is None else reserve_sizes
    # m_h: everything this stratum hands out, main sample and reserves together.
    taken = np.minimum(sample_sizes + reserves * reserve_sizes, population)
    # Keys are handed out in draw order, so they belong to units, not to file rows: unit i of
    # the draw order gets the i-th double of the seeded stream. They are made one stratum at a
    # time (the same stream as one call for all, without holding a million keys at once).
    rng = np.random.default_rng(seed)
    offsets = None
    if systematic:  # one random start per stratum, from the stream after all the keys
        after_keys = np.random.default_rng(seed)
        after_keys.bit_generator.advance(int(population.sum()))
        offsets = after_keys.random(len(population))
    chosen = []
    start = 0
    for h, (big_n, m_h) in enumerate(zip(population.tolist(), taken.tolist(), strict=True)):
        if m_h == 0:
            rng.bit_generator.advance(big_n)
            start += big_n
            continue
        block = rng.random(big_n)
        if systematic:
            step = big_n / m_h
            picked = np.floor(offsets[h] * step + step * np.arange(m_h)).astype(np.int64)
            picked = picked[np.argsort(block[picked], kind="stable")]
        elif m_h < big_n:
            picked = np.argpartition(block, m_h - 1)[:m_h]
            picked = picked[np.argsort(block[picked], kind="stable")]
        else:
            picked = np.argsort(block, kind="stable")
        chosen.append(start + picked)  # in key order: main sample first, then the reserves
        start += big_n
    positions = np.concatenate(chosen) if chosen else np.array([], dtype=np.int64)

    stratum = np.repeat(np.arange(len(population)), taken)
    rank = np.arange(len(positions)) - np.repeat(starts_of(taken), taken[taken > 0])
    replicate = np.where(
        rank < sample_sizes[stratum],
        0,
        1 + (rank - sample_sizes[stratum]) // np.maximum(reserve_sizes[stratum], 1),
    ).astype(np.int64)
    cumulative = np.minimum(
        sample_sizes[stratum] + replicate * reserve_sizes[stratum], population[stratum]
    )
    return positions, replicate, cumulative


def starts_of(counts: np.ndarray) -> np.ndarray:
    """Start offsets of consecutive blocks of the given non-zero sizes."""
    counts = counts[counts > 0]
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def _systematic_order(
    frame: pd.DataFrame, codes: np.ndarray, sort_columns: list[str], unit_column: str
) -> np.ndarray:
    """Row positions in (stratum code, sort columns…, unit id) order."""
    table = pa.table(
        {
            "__stratum": codes,
            **{f"__sort{i}": pa.array(frame[c]) for i, c in enumerate(sort_columns)},
            "__unit": pa.array(frame[unit_column]),
        }
    )
    keys = [(name, "ascending") for name in table.column_names]
    return pc.sort_indices(table, sort_keys=keys).to_numpy()


def _sample_sizes(
    allocation: pd.Series, labels: pd.Index, population: np.ndarray, *, check_size: bool = True
) -> np.ndarray:
    if allocation.index.has_duplicates:
        raise ValueError("The allocation names a stratum twice.")
    if (allocation < 0).any():
        raise ValueError("Sample sizes must not be negative.")
    missing = allocation[~allocation.index.isin(labels) & (allocation > 0)]
    if len(missing):
        raise ValueError(f"Strata not in the frame: {', '.join(map(str, missing.index[:10]))}.")
    sizes = allocation.reindex(labels, fill_value=0).to_numpy().astype(np.int64)
    too_big = sizes > population
    if check_size and too_big.any():
        stratum = labels[np.flatnonzero(too_big)[0]]
        raise ValueError(f"Stratum {stratum} has fewer units than its sample size.")
    return sizes


def _unit_order(codes: np.ndarray, units: pa.Array) -> np.ndarray | None:
    """Row positions in (stratum code, unit id) order; None if the rows are already in it."""
    if len(codes) < 2:
        return None
    step = np.diff(codes)
    if (step >= 0).all():
        same = pa.array(step == 0)
        in_order = pc.or_(pc.invert(same), pc.less_equal(units[:-1], units[1:]))
        if pc.all(in_order).as_py():
            return None
    table = pa.table({"stratum": codes, "unit": units})
    order = pc.sort_indices(table, sort_keys=[("stratum", "ascending"), ("unit", "ascending")])
    return order.to_numpy()


def _has_adjacent_duplicates(sorted_codes: np.ndarray, sorted_units: pa.Array) -> bool:
    if len(sorted_codes) < 2:
        return False
    same = pc.and_(
        pa.array(np.diff(sorted_codes) == 0), pc.equal(sorted_units[:-1], sorted_units[1:])
    )
    return bool(pc.any(same).as_py())


STRATUM_SEPARATOR = "|"


def stratum_labels(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """The stratum of each unit: the values of `columns` joined by "|" (e.g. "320102001|rural").

    frame: the units, str columns. Returns a str Series on the frame's index. Raises ValueError
    naming a column that is missing; units with an empty value keep "" in that part (the
    caller reports them with :func:`missing_stratum_rows`)."""
    if not columns:
        raise ValueError("Choose at least one strata column.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"The frame has no column {', '.join(map(repr, missing))}.")
    labels = frame[columns[0]].fillna("").astype(str)
    for column in columns[1:]:
        labels = labels + STRATUM_SEPARATOR + frame[column].fillna("").astype(str)
    return labels


def missing_stratum_rows(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, np.ndarray]:
    """Column → positions (0-based) of units with an empty value there, for columns with any."""
    found = {}
    for column in columns:
        empty = frame[column].fillna("").astype(str).str.strip() == ""
        if empty.any():
            found[column] = np.flatnonzero(empty.to_numpy())
    return found
