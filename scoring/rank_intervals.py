"""Uncertainty in ranks: rank intervals from seeded draws of the estimates' joint sampling
distribution. Pure: numpy/pandas.

The domain estimates are approximately jointly normal around the truth with the covariance
the design gives (scoring.design.covariance). Draw `draws` vectors from N(estimates,
covariance) with a seeded generator, rank each draw (1 = highest; ties cannot occur in
continuous draws), and report per domain the central `level` interval of its simulated ranks
(the lower and upper quantiles, as ranks that occurred), plus the share of draws in which it
is among the `bottom` lowest. A domain ranked 1 with the interval 1–14 could be anywhere
among the first fourteen. The same seed and inputs give the same intervals.
"""

import numpy as np
import pandas as pd

DRAWS = 10_000
LEVEL = 0.95
BOTTOM = 3


def joint_draws(
    estimates: np.ndarray, covariance: np.ndarray, *, draws: int, seed: int
) -> np.ndarray:
    """draws × D samples of N(estimates, covariance); a covariance that is not positive
    definite (rounding, or a domain with no variance) is used through its eigenvalues
    clipped at zero."""
    estimates = np.asarray(estimates, dtype=float)
    rng = np.random.default_rng(seed)
    return _spread(estimates, covariance, rng.standard_normal((draws, len(estimates))))


def _spread(estimates: np.ndarray, covariance, normals: np.ndarray) -> np.ndarray:
    """estimates + standard normal draws (draws × D) given the covariance."""
    values, vectors = np.linalg.eigh(np.asarray(covariance, dtype=float))
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    return estimates + normals @ root.T


def rank_intervals(
    estimates,
    covariance,
    *,
    seed: int,
    draws: int = DRAWS,
    level: float = LEVEL,
    bottom: int = BOTTOM,
) -> pd.DataFrame:
    """One row per estimate (same order): rank_low, rank_high (the central `level` interval
    of the simulated ranks, 1 = highest), p_bottom (share of draws among the `bottom`
    lowest). Empty input gives an empty frame."""
    estimates = np.asarray(estimates, dtype=float)
    columns = ["rank_low", "rank_high", "p_bottom"]
    if len(estimates) == 0:
        return pd.DataFrame(columns=columns)
    sample = joint_draws(estimates, covariance, draws=draws, seed=seed)
    return _intervals(rank_counts(sample), draws=draws, level=level, bottom=bottom)


def grouped_rank_intervals(
    estimates,
    covariance,
    members: list[np.ndarray],
    *,
    seed: int,
    draws: int = DRAWS,
    level: float = LEVEL,
    bottom: int = BOTTOM,
) -> list[pd.DataFrame]:
    """rank_intervals of each group of domains (`members`: positions in `estimates`) from
    the joint distribution restricted to it, each drawn with `seed` as rank_intervals draws
    it, so the intervals are rank_intervals' own: the standard normal draws are made once
    per group size and the groups of one size are ranked together."""
    estimates = np.asarray(estimates, dtype=float)
    covariance = np.asarray(covariance, dtype=float)
    out: list = [None] * len(members)
    by_size: dict[int, list[int]] = {}
    for i, member in enumerate(members):
        by_size.setdefault(len(member), []).append(i)
    for size, indices in by_size.items():
        if size == 0:
            for i in indices:
                out[i] = rank_intervals([], np.zeros((0, 0)), seed=seed)
            continue
        normals = np.random.default_rng(seed).standard_normal((draws, size))
        samples = np.stack(
            [
                _spread(estimates[members[i]], covariance[np.ix_(members[i], members[i])], normals)
                for i in indices
            ]
        )
        counts = rank_counts(samples)
        for i, group_counts in zip(indices, counts, strict=True):
            out[i] = _intervals(group_counts, draws=draws, level=level, bottom=bottom)
    return out


def _intervals(counts: np.ndarray, *, draws: int, level: float, bottom: int) -> pd.DataFrame:
    tail = (1 - level) / 2
    low = _rank_quantile(counts, tail)
    high = _rank_quantile(counts, 1 - tail)
    p_bottom = counts[:, len(counts) - bottom + 1 :].sum(axis=1) / draws
    return pd.DataFrame(
        {"rank_low": low.astype(int), "rank_high": high.astype(int), "p_bottom": p_bottom}
    )


def rank_counts(sample: np.ndarray) -> np.ndarray:
    """D × (D + 1): how many of the draws (rows of `sample`) put each domain at each rank
    (1 = highest; column 0 unused); for G × draws × D samples (groups ranked apart), one
    such table per group. One sort per draw, counted as it stands: the domain at place j of
    a draw's descending order has rank j + 1 in it, so no rank needs to be formed."""
    grouped = sample.ndim == 3
    sample = sample if grouped else sample[None]
    groups, draws, d = sample.shape
    order = (-sample).argsort(axis=-1)
    order += np.arange(groups)[:, None, None] * d  # each group's domains after the last's
    order *= d + 1
    order += np.arange(1, d + 1)
    counts = np.bincount(order.ravel(), minlength=groups * d * (d + 1))
    counts = counts.reshape(groups, d, d + 1)
    return counts if grouped else counts[0]


def _rank_quantile(counts: np.ndarray, q: float) -> np.ndarray:
    """Per domain, the `q` quantile of its simulated ranks as numpy's "inverted_cdf" method
    gives it (the order statistic numpy picks for that many draws), read off the counts."""
    draws = int(counts[0].sum())
    k = int(np.quantile(np.arange(draws), q, method="inverted_cdf"))  # 0-based order statistic
    return (counts.cumsum(axis=1) > k).argmax(axis=1)
