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
    ranks = (-sample).argsort(axis=1).argsort(axis=1) + 1
    tail = (1 - level) / 2
    low = np.quantile(ranks, tail, axis=0, method="inverted_cdf")
    high = np.quantile(ranks, 1 - tail, axis=0, method="inverted_cdf")
    p_bottom = (ranks > len(estimates) - bottom).mean(axis=0)
    return pd.DataFrame(
        {"rank_low": low.astype(int), "rank_high": high.astype(int), "p_bottom": p_bottom}
    )
