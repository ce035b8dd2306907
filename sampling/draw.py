"""The draw: stratified simple random sampling without replacement (SRSWOR).

Pure: numpy, pandas and pyarrow only. Reproducible: the same frame (in any row order) and the
same seed give the same sample, because units are put in (stratum, unit id) order before the
seeded generator hands out random keys; within each stratum the n_h units with the smallest
keys are taken. The keys also give every unit a random rank inside its stratum, which is what
reserve replicates will be cut from (ranks n_h … n_h + r_h − 1).
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def sort_for_draw(
    frame: pd.DataFrame, *, stratum_column: str, unit_column: str = "unit_id"
) -> pd.DataFrame:
    """The frame in (stratum, unit id) order with a fresh RangeIndex.

    A frame stored in this order (as imported frames are) is only checked, not re-sorted:
    checking 1M rows takes a tenth of the time sorting them does.
    """
    strata = pa.array(frame[stratum_column])
    units = pa.array(frame[unit_column])
    if len(frame) < 2 or _is_sorted(strata, units):
        return frame.reset_index(drop=True)
    table = pa.table({"stratum": strata, "unit": units})
    order = pc.sort_indices(table, sort_keys=[("stratum", "ascending"), ("unit", "ascending")])
    return frame.iloc[order.to_numpy()].reset_index(drop=True)


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
    ordered = sort_for_draw(frame, stratum_column=stratum_column, unit_column=unit_column)
    units = ordered[unit_column]
    same_stratum = ordered[stratum_column].to_numpy()[1:] == ordered[stratum_column].to_numpy()[:-1]
    if (same_stratum & (units.to_numpy()[1:] == units.to_numpy()[:-1])).any():
        raise ValueError("Unit ids must be unique within each stratum.")

    codes, labels = pd.factorize(ordered[stratum_column])  # codes ascend: the frame is sorted
    population = np.bincount(codes, minlength=len(labels))
    sample_sizes = _sample_sizes(allocation, labels, population)

    rng = np.random.default_rng(seed)
    keys = rng.random(len(ordered))
    order = np.lexsort((keys, codes))
    starts = np.concatenate([[0], np.cumsum(population)[:-1]])
    rank = np.empty(len(ordered), dtype=np.int64)
    rank[order] = np.arange(len(ordered)) - starts[codes[order]]
    selected = rank < sample_sizes[codes]

    sample = ordered[selected].reset_index(drop=True)
    chosen = codes[selected]
    sample["inclusion_probability"] = sample_sizes[chosen] / population[chosen]
    sample["design_weight"] = population[chosen] / sample_sizes[chosen]
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


def _is_sorted(strata: pa.Array, units: pa.Array) -> bool:
    before_s, after_s = strata[:-1], strata[1:]
    before_u, after_u = units[:-1], units[1:]
    in_order = pc.or_(
        pc.less(before_s, after_s),
        pc.and_(pc.equal(before_s, after_s), pc.less_equal(before_u, after_u)),
    )
    return bool(pc.all(in_order).as_py())
