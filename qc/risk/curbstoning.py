"""Curbstoning indicators: answers made up at the kitchen table are too regular. Pure:
numpy/pandas.

Schwanhäuser, Sakshaug & Kosyakova (2022) found that interviewers who fabricate produce
fewer extreme answers, less item non-response, fewer "other" answers, more rounded numbers
and less variance between their interviews than honest colleagues, and that these
indicators, combined, single them out. Per interviewer, each is compared with peers in the
same strata (qc.risk.statistics's _Peers: the z of a per-interview value), except the
variance, which is the interviewer's own and is compared with all others by a robust z.

Frame columns read (absent: the indicator is NaN):
    the scale items (codes as text) with their scores (extreme: the item's lowest or highest
    score) or, without scores, their excluded codes (non-response);
    other_answers, other_asked   per interview, select questions answered "other" / asked
                                 with an "other" choice (qc.rule_input counts them);
    numbers_rounded, numbers_given  per interview, whole-number answers that are multiples of
                                 5 / all whole-number answers (qc.rule_input counts them).
"""

from collections.abc import Callable

import numpy as np
import pandas as pd

from qc.rules import ExcludedCodes, ItemScores
from qc.rules.coding import ItemCodes, excluded_mask, item_codes

# name -> (Chinese, English) of the share, for reasons
SHARES = {
    "extreme": ("极端回答", "extreme answers"),
    "nonresponse": ("不知道/拒答", "don't know / refused"),
    "other": ("“其他”回答", "'other' answers"),
    "rounding": ("整五整十的数字", "numbers rounded to 5"),
}
# Suspicious when low (-1) or high (+1).
DIRECTION = {"extreme": -1, "nonresponse": -1, "other": -1, "rounding": 1, "variance": -1}


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)


def _column(df: pd.DataFrame, name: str) -> np.ndarray | None:
    return df[name].astype("float64").to_numpy() if name in df.columns else None


def per_interview(
    df: pd.DataFrame,
    items: list[str],
    scores: ItemScores | None,
    excluded_codes: ExcludedCodes | None,
    coded: ItemCodes | None = None,
) -> dict[str, np.ndarray]:
    """Per interview (row order), each share (NaN where it says nothing), and the item
    score matrix for the variance (None without scores). `coded`: item_codes of the items,
    when already computed."""
    out: dict[str, np.ndarray] = {}
    if items and (coded is None or coded.items != list(items)):
        coded = item_codes(df, items)
    coded = coded if items else None
    matrix = None
    if coded is not None and scores:
        table = {i: {str(k): float(v) for k, v in scores.get(i, {}).items()} for i in items}
        matrix = coded.lookup(table)
        low = np.array([min(scores.get(i, {}).values(), default=np.nan) for i in items])
        high = np.array([max(scores.get(i, {}).values(), default=np.nan) for i in items])
        substantive = ~np.isnan(matrix)
        extreme = substantive & ((matrix == low) | (matrix == high))
        out["extreme"] = _share(extreme.sum(axis=1), substantive.sum(axis=1))
        answered = coded.codes >= 0
        out["nonresponse"] = _share((answered & ~substantive).sum(axis=1), answered.sum(axis=1))
    elif coded is not None and excluded_codes:
        answered = coded.codes >= 0
        dont_know = excluded_mask(coded, excluded_codes) & answered
        out["nonresponse"] = _share(dont_know.sum(axis=1), answered.sum(axis=1))
    for name, (top, bottom) in {
        "other": ("other_answers", "other_asked"),
        "rounding": ("numbers_rounded", "numbers_given"),
    }.items():
        numerator, denominator = _column(df, top), _column(df, bottom)
        if numerator is not None and denominator is not None:
            out[name] = _share(numerator, denominator)
    out["_scores"] = matrix
    return out


def interviewer_variance(matrix: np.ndarray, who: np.ndarray, n_who: int) -> np.ndarray:
    """Per interviewer, the mean over items of the variance of the item's score across the
    interviewer's interviews (NaN with fewer than 2 scored answers to every item)."""
    frame = pd.DataFrame(matrix)
    variance = frame.groupby(who).var(ddof=1)
    return variance.mean(axis=1, skipna=True).reindex(range(n_who)).to_numpy(dtype="float64")


def curbstoning_columns(
    df: pd.DataFrame,
    items: list[str],
    scores: ItemScores | None,
    excluded_codes: ExcludedCodes | None,
    compared: Callable[[np.ndarray], pd.DataFrame],
    who: np.ndarray,
    n_who: int,
    robust_z: Callable[[np.ndarray], np.ndarray],
    coded: ItemCodes | None = None,
) -> dict[str, np.ndarray]:
    """<name>_share, peer_<name>_share and <name>_z for each share of SHARES, and
    score_variance, peer_score_variance (median of the others) and variance_z (robust z on
    logs); NaN columns for what the frame cannot give."""
    values = per_interview(df, items, scores, excluded_codes, coded)
    columns: dict[str, np.ndarray] = {}
    for name in SHARES:
        if name in values and np.isfinite(values[name]).any():
            z = compared(values[name])
            columns[f"{name}_share"] = z["observed"].to_numpy()
            columns[f"peer_{name}_share"] = z["expected"].to_numpy()
            columns[f"{name}_z"] = z["z"].to_numpy()
        else:
            for prefix in ("", "peer_"):
                columns[f"{prefix}{name}_share"] = np.full(n_who, np.nan)
            columns[f"{name}_z"] = np.full(n_who, np.nan)
    matrix = values["_scores"]
    if matrix is not None:
        variance = interviewer_variance(matrix, who, n_who)
        others = [np.delete(variance, i) for i in range(n_who)]
        columns["score_variance"] = variance
        columns["peer_score_variance"] = np.array(
            [np.nanmedian(o) if np.isfinite(o).any() else np.nan for o in others]
        )
        columns["variance_z"] = robust_z(variance)
    else:
        for name in ("score_variance", "peer_score_variance", "variance_z"):
            columns[name] = np.full(n_who, np.nan)
    return columns


COLUMNS = [
    *(f"{prefix}{name}_share" for name in SHARES for prefix in ("", "peer_")),
    *(f"{name}_z" for name in SHARES),
    "score_variance",
    "peer_score_variance",
    "variance_z",
]
__all__ = ["COLUMNS", "DIRECTION", "SHARES", "curbstoning_columns", "per_interview"]
