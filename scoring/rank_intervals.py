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
    values, vectors = np.linalg.eigh(np.asarray(covariance, dtype=float))
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    rng = np.random.default_rng(seed)
    return estimates + rng.standard_normal((draws, len(estimates))) @ root.T


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
    counts = rank_counts(sample)
    tail = (1 - level) / 2
    low = _rank_quantile(counts, tail)
    high = _rank_quantile(counts, 1 - tail)
    p_bottom = counts[:, len(estimates) - bottom + 1 :].sum(axis=1) / draws
    return pd.DataFrame(
        {"rank_low": low.astype(int), "rank_high": high.astype(int), "p_bottom": p_bottom}
    )


def rank_counts(sample: np.ndarray) -> np.ndarray:
    """D × (D + 1): how many of the draws (rows of `sample`) put each domain at each rank
    (1 = highest; column 0 unused). One sort per draw: the inverse of the descending order is
    the rank, scattered in place rather than sorted a second time."""
    draws, d = sample.shape
    order = (-sample).argsort(axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, d + 1)[None, :].repeat(draws, axis=0), axis=1)
    cells = np.arange(d)[None, :] * (d + 1) + ranks
    return np.bincount(cells.ravel(), minlength=d * (d + 1)).reshape(d, d + 1)


def _rank_quantile(counts: np.ndarray, q: float) -> np.ndarray:
    """Per domain, the `q` quantile of its simulated ranks as numpy's "inverted_cdf" method
    gives it (the order statistic numpy picks for that many draws), read off the counts."""
    draws = int(counts[0].sum())
    k = int(np.quantile(np.arange(draws), q, method="inverted_cdf"))  # 0-based order statistic
    return (counts.cumsum(axis=1) > k).argmax(axis=1)
