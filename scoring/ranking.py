"""Ranks with their uncertainty, and the multiple-comparison control of the tests across
domains. Pure: numpy/pandas/scipy.

* Only reliable domains are ranked (scoring.score_tables' `{scope}_unreliable` false): an
  unreliable street is listed with its flag but gets no rank, no rank interval and no rank
  change — two respondents cannot put a street first.
* Rank intervals (scoring.rank_intervals) come from the joint sampling distribution of the
  ranked domains' scores, with the covariance the design gives
  (scoring.score_tables.scope_covariance); where the design's covariance cannot be formed
  the domains are treated as independent (their squared SEs on the diagonal).
* Benjamini–Hochberg (scipy.stats.false_discovery_control, as R's p.adjust "BH") controls
  the false discovery rate at ALPHA across the domains of one table: a rank change or a
  "significantly below the overall" is called only when its adjusted p (q) is below ALPHA.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.answer_cube import AnswerCube
from scoring.compare import ALPHA, competition_rank_values, whole_ranks, z_test
from scoring.design.designs import DesignError
from scoring.measures import SATISFACTION
from scoring.rank_intervals import grouped_rank_intervals, rank_intervals
from scoring.score_tables import SampleDesign, scope_covariance

RANK_SEED = 20  # every wave's rank intervals are drawn with this seed: same inputs, same ranks
RANK_COLUMNS = ["rank", "rank_low", "rank_high", "p_bottom"]


def benjamini_hochberg(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """BH-adjusted p-values (q) of the p-values; NaN stays NaN and does not count as a test."""
    # scipy.stats costs a web worker ~50 MB: imported where it is used
    from scipy.stats import false_discovery_control

    p = np.asarray(p, dtype=float)
    q = np.full_like(p, np.nan)
    tested = np.isfinite(p)
    if tested.any():
        q[tested] = false_discovery_control(p[tested], method="bh")
    return q


def ranked_table(
    table: pd.DataFrame,
    long: pd.DataFrame,
    by: Sequence[str],
    *,
    design: SampleDesign | None = None,
    scope: str = SATISFACTION,
    seed: int = RANK_SEED,
    within: str | None = None,
    cube: AnswerCube | None = None,
) -> pd.DataFrame:
    """A scope_table by `by` plus RANK_COLUMNS: the competition rank of `{scope}_score`
    among the reliable domains (<NA> for the others), the central 95% rank interval
    (rank_low, rank_high) and p_bottom, the probability of being among the three lowest
    ranked (scoring.rank_intervals). With `within` (a column of `by`, e.g. "district"),
    also the rank among the reliable domains of the same `within` value and its interval
    (within_rank, within_rank_low, within_rank_high), from the same joint distribution
    restricted to them (a street's rank in its district). `cube`: scoring.answer_cube over
    `long`, shared with the tables."""
    by = list(by)
    score = table[f"{scope}_score"].astype(float)
    reliable = ~table[f"{scope}_unreliable"].astype(bool) & score.notna()
    ranked = reliable.to_numpy()
    estimates = covariance = None
    if ranked.any():
        keys = table.loc[reliable, by]
        rows = table.loc[reliable]
        estimates, covariance = _joint(long, by, keys, rows, scope, (design, cube))
    out = table.assign(
        rank=whole_ranks(competition_rank_values(np.where(ranked, score.to_numpy(), np.nan))),
        **rank_interval_columns(ranked, estimates, covariance, seed=seed),
    )
    if within is not None and ranked.any():
        out = _ranks_within(out, reliable, within, estimates, covariance, seed)
    return out


def rank_interval_columns(
    ranked: np.ndarray, estimates, covariance, *, seed: int = RANK_SEED
) -> dict:
    """{"rank_low", "rank_high" (Int64), "p_bottom"} for every row: scoring.rank_intervals of
    the `ranked` rows' `estimates` (in their order) with their joint `covariance`; <NA>/NaN
    for the other rows."""
    # the columns as arrays, set once (row assignments into nullable columns are slow)
    low, high, p_bottom = (np.full(len(ranked), np.nan) for _ in range(3))
    if ranked.any():
        intervals = rank_intervals(estimates, covariance, seed=seed)
        low[ranked] = intervals["rank_low"].to_numpy()
        high[ranked] = intervals["rank_high"].to_numpy()
        p_bottom[ranked] = intervals["p_bottom"].to_numpy()
    return {"rank_low": whole_ranks(low), "rank_high": whole_ranks(high), "p_bottom": p_bottom}


def _ranks_within(out, reliable, within, estimates, covariance, seed) -> pd.DataFrame:
    ranked = reliable.to_numpy()
    positions = np.flatnonzero(ranked)  # the rows of the estimates, in their order
    groups = out[within].to_numpy()[ranked]
    members = [np.flatnonzero(groups == group) for group in pd.unique(groups)]
    found = grouped_rank_intervals(estimates, covariance, members, seed=seed)
    rank, low, high = (np.full(len(out), np.nan) for _ in range(3))
    for member, intervals in zip(members, found, strict=True):
        rows = positions[member]
        rank[rows] = competition_rank_values(np.asarray(estimates, dtype=float)[member])
        low[rows] = intervals["rank_low"].to_numpy()
        high[rows] = intervals["rank_high"].to_numpy()
    return out.assign(
        within_rank=whole_ranks(rank),
        within_rank_low=whole_ranks(low),
        within_rank_high=whole_ranks(high),
    )


def _joint(long, by, keys, rows, scope, sample) -> tuple[np.ndarray, np.ndarray]:
    """The scores and covariance of the domains `keys` (in their order); `sample` is
    (design, cube)."""
    design, cube = sample
    se = rows[f"{scope}_se"].astype(float).fillna(0.0).to_numpy()
    fallback = rows[f"{scope}_score"].astype(float).to_numpy(), np.diag(se**2)
    try:
        domains, scores, covariance = scope_covariance(
            long, by, scope=scope, design=design, cube=cube
        )
    except DesignError:
        return fallback
    position = pd.MultiIndex.from_frame(domains[by].astype(object))
    wanted = pd.MultiIndex.from_frame(keys.astype(object))
    index = position.get_indexer(wanted)
    if (index < 0).any():
        return fallback
    return scores[index], covariance[np.ix_(index, index)]


def below_overall(
    table: pd.DataFrame, overall: pd.Series, *, scope: str = SATISFACTION
) -> pd.DataFrame:
    """The reliable rows of a scope_table tested against the overall they are part of
    (scoring.compare.short_board's test: Var(ȳ_d − ȳ) = V_d + V − 2π V_d, π the domain's
    share of the weight), with Benjamini–Hochberg across those rows. `overall` is the
    scope's row of summarize's "overall" (score, se, weight_sum). Returns the reliable rows
    plus gap, p, q and below_overall (gap < 0 and q < ALPHA), in the table's order."""
    score = table[f"{scope}_score"].astype(float)
    rows = table[~table[f"{scope}_unreliable"].astype(bool) & score.notna()].copy()
    se = rows[f"{scope}_se"].astype(float)
    share = rows[f"{scope}_weight_sum"].astype(float) / float(overall["weight_sum"])
    gap = rows[f"{scope}_score"].astype(float) - float(overall["score"])
    variance = se**2 + float(overall["se"]) ** 2 - 2 * share * se**2
    _z, p, _significant = z_test(gap, variance)
    rows["gap"], rows["p"] = gap, p
    rows["q"] = benjamini_hochberg(p)
    rows["below_overall"] = (gap < 0) & (np.nan_to_num(rows["q"], nan=1.0) < ALPHA)
    return rows


def below_overall_by(
    table: pd.DataFrame, overall: pd.DataFrame, *, on: Sequence[str]
) -> pd.DataFrame:
    """The rows of a domain_scores table by [place, *on] that are significantly below the
    same indicator over everyone (`overall`: domain_scores by `on`), tested as
    `below_overall` tests (the place's share `share` of the indicator's weight taken into
    account) with Benjamini–Hochberg across every reliable row of the table. Returns those
    rows plus overall_score, gap, p, q and below_overall (true), worst gap first."""
    on = list(on)
    rows = table[~table["unreliable"].astype(bool) & table["score"].notna()]
    reference = overall[[*on, "score", "se"]].rename(
        columns={"score": "overall_score", "se": "overall_se"}
    )
    merged = rows.merge(reference, on=on, how="left")
    se = merged["se"].astype(float)
    gap = merged["score"].astype(float) - merged["overall_score"].astype(float)
    variance = se**2 + merged["overall_se"].astype(float) ** 2 - 2 * merged["share"] * se**2
    _z, p, _significant = z_test(gap, variance)
    q = benjamini_hochberg(p)
    merged = merged.drop(columns="overall_se").assign(gap=gap, p=p, q=q)
    merged["below_overall"] = (gap < 0) & (np.nan_to_num(q, nan=1.0) < ALPHA)
    return merged[merged["below_overall"]].sort_values("gap", kind="stable")
