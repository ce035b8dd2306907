"""Comparisons: rankings and rank change, change tests, the lowest rows and short boards.
Pure.

Statistical choices, stated once:

* Ranks are competition ranks ("1224"): 1 = highest score, tied scores share the best rank
  and the next rank skips. A row without a score gets no rank.
* Change between waves: the two waves are independent samples, so
  z = (score − previous_score) / √(se² + previous_se²), two-sided p = erfc(|z|/√2),
  significant when p < alpha (0.05). Without both standard errors z and p are NaN and the
  change is not called significant.
* The lowest rows (`lowest`) are simply the n lowest scores, with no test; a short board
  (短板, `short_board`) is a domain below its target or significantly below the overall.
* A domain against the overall it is part of (short board): the overall is the weighted mean
  of the domain and the rest, ȳ = π ȳ_d + (1 − π) ȳ_r, with π the domain's share of the total
  weight. With the domain and the rest sampled independently (true across strata; the usual
  approximation otherwise) Cov(ȳ_d, ȳ) = π·V_d, hence
  Var(ȳ_d − ȳ) = V_d + V − 2π·V_d. Without π (share unknown) π = 0 is used, which
  overstates the variance: a conservative test.
"""

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

ALPHA = 0.05
RANK_CHANGE_COLUMNS = [
    "score",
    "rank",
    "previous_score",
    "previous_rank",
    "rank_change",
    "change",
    "z",
    "p",
    "significant",
]
SHORT_BOARD_COLUMNS = [
    "overall_score",
    "gap",
    "z",
    "p",
    "below_target",
    "below_overall",
]


def competition_rank(scores: pd.Series) -> pd.Series:
    """1 = highest; ties share the best rank, the next rank skips ("1224"); NaN → <NA>."""
    ranks = competition_rank_values(scores.to_numpy(dtype=float, na_value=np.nan))
    return pd.Series(whole_ranks(ranks), index=scores.index, name=scores.name)


def competition_rank_values(scores: np.ndarray) -> np.ndarray:
    """`competition_rank` of a float array (1 = highest, ties share the best rank; NaN stays
    NaN): one more than how many scores are strictly higher."""
    scored = ~np.isnan(scores)
    ordered = np.sort(-scores[scored])
    ranks = np.full(len(scores), np.nan)
    ranks[scored] = np.searchsorted(ordered, -scores[scored], side="left") + 1
    return ranks


def whole_ranks(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole-number ranks with NaN as <NA> (Int64)."""
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype("int64"), missing)


def two_sided_p(z: np.ndarray | pd.Series) -> np.ndarray:
    """Two-sided normal p-value of z (NaN stays NaN)."""
    values = np.asarray(z, dtype=float)
    return np.array(
        [math.erfc(abs(v) / math.sqrt(2)) if np.isfinite(v) else np.nan for v in values]
    )


def z_test(
    difference: np.ndarray | pd.Series, variance: np.ndarray | pd.Series, *, alpha: float = ALPHA
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """z = difference / √variance, two-sided p, significant (p < alpha). Non-positive or
    missing variance → NaN z and p, not significant."""
    difference = np.asarray(difference, dtype=float)
    variance = np.asarray(variance, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(
            variance > 0, difference / np.sqrt(np.where(variance > 0, variance, 1)), np.nan
        )
    p = two_sided_p(z)
    return z, p, np.nan_to_num(p, nan=1.0) < alpha


def rank_change(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    *,
    key: str | Sequence[str],
    score: str = "score",
    se: str | None = "se",
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Rank and score change of each current row against the previous wave.

    current, previous: one row per locality, columns *key, `score` and optionally `se`
        (standard error of the score; ignored when the column is absent). `previous` may be
        None (first wave).
    Returns one row per current row, best rank first (ties and unranked rows in key order),
    columns *key, score, rank, previous_score, previous_rank, rank_change (previous_rank −
    rank: positive = moved up), change (score − previous_score), z, p, significant.
    `rank` is the competition rank within the current table. The movement compares like with
    like: previous_rank and rank_change are ranks among the localities scored in BOTH waves (a
    locality scored only once neither moves nor makes others move), so a locality whose place
    among the same peers is unchanged shows 0 whatever else entered or left the table. A
    locality new this wave has no previous values. Matched on `key` (locality codes, not names).
    """
    keys = [key] if isinstance(key, str) else list(key)
    now, now_score, now_se = _scored(current, keys, score, se)
    if previous is None:
        previous = pd.DataFrame(columns=[*keys, score])
    before, before_score, before_se = _scored(previous, keys, score, se)
    # each current row's previous row matched on the keys (a left join): -1, no previous
    # row, picks the NaN after the last
    row = before.get_indexer(now)
    previous_score = np.append(before_score, np.nan)[row]
    previous_se = np.append(before_se, np.nan)[row]
    both = ~np.isnan(now_score) & ~np.isnan(previous_score)
    now_among = competition_rank_values(np.where(both, now_score, np.nan))
    before_among = competition_rank_values(np.where(both, previous_score, np.nan))
    change = now_score - previous_score
    z, p, significant = z_test(change, now_se**2 + previous_se**2, alpha=alpha)
    merged = (
        current[keys]
        .reset_index(drop=True)
        .assign(
            score=now_score,
            rank=whole_ranks(competition_rank_values(now_score)),
            previous_score=previous_score,
            previous_rank=whole_ranks(before_among),
            rank_change=whole_ranks(before_among - now_among),
            change=change,
            z=z,
            p=p,
            significant=significant,
        )
    )
    merged = merged.sort_values(["rank", *keys], na_position="last", kind="stable")
    return merged[[*keys, *RANK_CHANGE_COLUMNS]].reset_index(drop=True)


def _scored(
    table: pd.DataFrame, keys: list[str], score: str, se: str | None
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """(the rows' keys as an index, scores, SEs: NaN without the `se` column); raises
    ValueError when a key appears twice."""
    index = (
        pd.Index(table[keys[0]], dtype=object)
        if len(keys) == 1
        else pd.MultiIndex.from_frame(table[keys].astype(object))
    )
    if not index.is_unique:
        first = index[index.duplicated()][0]
        raise ValueError(f"{keys} {list(first) if len(keys) > 1 else [first]} appears twice.")
    values = table[score].to_numpy(dtype=float) if len(table) else np.zeros(0)
    if se is not None and se in table.columns:
        errors = table[se].to_numpy(dtype=float)
    else:
        errors = np.full(len(table), np.nan)
    return index, values, errors


def short_board(
    table: pd.DataFrame,
    overall: pd.DataFrame,
    *,
    on: Sequence[str] = (),
    score: str = "score",
    se: str = "se",
    share: str = "share",
    target: str = "target",
    higher_is_better: bool = True,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Short boards (短板): rows below their target OR significantly below the overall.

    table:   one row per (domain, indicator), with columns *on (what identifies the
             indicator, e.g. ["dimension"]; empty for a single measure), `score` and
             optionally `se`, `share` (the domain's share 0–1 of the overall's total weight,
             e.g. weight_sum / Σ weight_sum) and `target` (NaN = none).
    overall: one row per indicator: *on, `score`, optionally `se` — the figure the domain is
             part of.
    Returns the short-board rows of `table` (all its columns) plus overall_score, gap
    (score − overall_score), z, p (see the module docstring: domain vs the overall it is
    part of), below_target, below_overall (gap < 0 and significant), sorted by gap, worst
    first. With higher_is_better False "below" means "worse", i.e. above.
    """
    on = list(on)
    sign = 1.0 if higher_is_better else -1.0
    ref = overall[[*on, score]].rename(columns={score: "overall_score"})
    ref["overall_se"] = overall[se].astype(float) if se in overall.columns else np.nan
    merged = table.merge(ref, on=on, how="left") if on else table.assign(**ref.iloc[0].to_dict())
    values = merged[score].astype(float)
    domain_se = (
        merged[se].astype(float) if se in merged.columns else pd.Series(np.nan, index=merged.index)
    )
    pi = merged[share].astype(float).fillna(0.0) if share in merged.columns else 0.0
    gap = values - merged["overall_score"].astype(float)
    variance = domain_se**2 + merged["overall_se"] ** 2 - 2 * pi * domain_se**2
    z, p, significant = z_test(gap, variance, alpha=alpha)
    goal = (
        merged[target].astype(float)
        if target in merged.columns
        else pd.Series(np.nan, index=merged.index)
    )
    out = merged.drop(columns=["overall_se"]).assign(
        gap=gap,
        z=z,
        p=p,
        below_target=(sign * (values - goal) < 0).fillna(False).astype(bool),
        below_overall=(sign * gap < 0) & significant,
    )
    out = out[out["below_target"] | out["below_overall"]]
    return out.sort_values("gap", ascending=higher_is_better, kind="stable").reset_index(drop=True)


def lowest(table: pd.DataFrame, *, score: str = "score", n: int = 3) -> pd.DataFrame:
    """The `n` rows with the lowest `score`, lowest first (no test: see `short_board` for
    the rows that fall significantly short).

    Rows without a score are left out; unreliable rows stay in (they carry their flag).
    Ties are broken by the table's own order, so callers sort by name first for stability.
    """
    scored = table[table[score].notna()]
    return scored.sort_values(score, kind="stable").head(n)
