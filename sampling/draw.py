"""The draw: stratified simple random sampling without replacement (SRSWOR).

Pure: numpy, pandas and pyarrow only. Reproducible: the same frame (in any row order) and the
same seed give the same sample, because units are put in (stratum, unit id) order before the
seeded generator hands out one random key per unit; within each stratum the n_h units with the
smallest keys are taken. Reserve replicates can be cut from the same keys (the next r_h units
in key order), so a main sample and its reserves never overlap.
"""

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
) -> pd.DataFrame:
    """Draw n_h units without replacement from each stratum.

    frame: one row per unit; `unit_column` unique, `stratum_column` the stratum label.
    allocation: Series, index = stratum label, values = n_h (int, 0 ≤ n_h ≤ N_h); strata of the
        frame missing from it get n_h = 0.
    seed: non-negative int for numpy's default_rng.
    Returns: the selected rows (all frame columns) in (stratum, unit id) order with a
        RangeIndex, plus float columns `inclusion_probability` = n_h/N_h and
        `design_weight` = N_h/n_h.
    """
    for column in (stratum_column, unit_column):
        if column not in frame.columns:
            raise ValueError(f"The frame has no column {column!r}.")
    # Strata codes follow the labels' sort order, so (code, unit id) order is the draw order.
    codes, labels = pd.factorize(frame[stratum_column], sort=True)
    if (codes < 0).any():
        raise ValueError("Every unit needs a stratum.")
    units = pa.array(frame[unit_column])
    order = _unit_order(codes, units)
    if order is None:  # already in draw order, as stored frames are
        order = np.arange(len(frame))
    sorted_codes = codes[order]
    if _has_adjacent_duplicates(sorted_codes, units.take(order)):
        raise ValueError("Unit ids must be unique within each stratum.")
    population = np.bincount(codes, minlength=len(labels))
    sample_sizes = _sample_sizes(allocation, labels, population)

    # Keys are handed out in draw order, so they belong to units, not to file rows.
    keys = np.random.default_rng(seed).random(len(frame))
    starts = np.concatenate([[0], np.cumsum(population)])
    chosen = []
    # One pass per stratum over its own slice: the n_h smallest keys are the sample.
    for h in np.flatnonzero(sample_sizes):
        start, n_h = starts[h], sample_sizes[h]
        block = keys[start : starts[h + 1]]
        chosen.append(start + np.sort(np.argpartition(block, n_h - 1)[:n_h]))
    positions = np.concatenate(chosen) if chosen else np.array([], dtype=np.int64)

    sample = frame.take(order[positions], axis=0).reset_index(drop=True)
    stratum = sorted_codes[positions]
    sample["inclusion_probability"] = sample_sizes[stratum] / population[stratum]
    sample["design_weight"] = population[stratum] / sample_sizes[stratum]
    return sample


def _sample_sizes(allocation: pd.Series, labels: pd.Index, population: np.ndarray) -> np.ndarray:
    if allocation.index.has_duplicates:
        raise ValueError("The allocation names a stratum twice.")
    if (allocation < 0).any():
        raise ValueError("Sample sizes must not be negative.")
    missing = allocation[~allocation.index.isin(labels) & (allocation > 0)]
    if len(missing):
        raise ValueError(f"Strata not in the frame: {', '.join(map(str, missing.index[:10]))}.")
    sizes = allocation.reindex(labels, fill_value=0).to_numpy().astype(np.int64)
    too_big = sizes > population
    if too_big.any():
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
