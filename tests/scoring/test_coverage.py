"""Coverage from a known synthetic population (slow): repeated stratified samples, the
published 95% intervals of district scores and the rank intervals of the districts."""

import time

import numpy as np
import pandas as pd
import pytest

from scoring.rank_intervals import rank_intervals
from scoring.score_tables import domain_scores, scope_covariance

SCORES = np.array([100.0, 80.0, 60.0, 40.0, 0.0])
# nine districts: population size, sample size, answer probabilities for 5…1
DISTRICTS = [
    (4000, 60, [0.30, 0.40, 0.15, 0.10, 0.05]),
    (2500, 45, [0.25, 0.40, 0.20, 0.10, 0.05]),
    (6000, 80, [0.20, 0.40, 0.25, 0.10, 0.05]),
    (3000, 50, [0.20, 0.35, 0.25, 0.15, 0.05]),
    (5000, 70, [0.15, 0.35, 0.30, 0.15, 0.05]),
    (2000, 40, [0.15, 0.30, 0.30, 0.15, 0.10]),
    (3500, 55, [0.10, 0.30, 0.35, 0.15, 0.10]),
    (4500, 65, [0.10, 0.25, 0.35, 0.20, 0.10]),
    (1500, 40, [0.05, 0.25, 0.35, 0.25, 0.10]),
]
SAMPLES = 1000


def _population(rng) -> list[np.ndarray]:
    return [rng.choice(SCORES, size=N, p=p) for N, _n, p in DISTRICTS]


def _sample(population, rng) -> pd.DataFrame:
    """A stratified simple random sample without replacement, one item per respondent."""
    parts, first = [], 0
    for d, ((N, n, _p), values) in enumerate(zip(DISTRICTS, population, strict=True)):
        picked = values[rng.choice(N, size=n, replace=False)]
        parts.append(
            pd.DataFrame(
                {
                    "interview_id": np.arange(first, first + n),
                    "weight": N / n,
                    "district": f"D{d}",
                    "street": f"D{d}",
                    "area_type": "central",
                    "item": "order_q1",
                    "dimension": "public_order",
                    "score": picked,
                    "positive": picked >= 80,
                    "stratum": f"D{d}",
                    "fpc": float(N),
                }
            )
        )
        first += n
    return pd.concat(parts, ignore_index=True)


def _resample(long: pd.DataFrame, population, rng) -> pd.DataFrame:
    """Another stratified sample into the same frame (same districts and sizes)."""
    picked = np.concatenate(
        [
            values[rng.choice(N, size=n, replace=False)]
            for (N, n, _p), values in zip(DISTRICTS, population, strict=True)
        ]
    )
    return long.assign(score=picked, positive=picked >= 80)


@pytest.mark.slow
def test_score_and_rank_intervals_cover_at_their_nominal_rate():
    # given
    rng = np.random.default_rng(2026)
    population = _population(rng)
    long = _sample(population, rng)
    _domains, _scores, covariance = scope_covariance(long, ["district"])
    assert np.allclose(covariance, np.diag(np.diag(covariance)))
    truth = np.array([values.mean() for values in population])
    true_rank = (-truth).argsort().argsort() + 1
    covered = ranks_covered = 0
    started = time.process_time()  # its own cost: a loaded machine's waits are not counted
    # when
    for k in range(SAMPLES):
        long = _resample(long, population, rng)
        table = domain_scores(long, ["district"])
        covered += int(((table["ci_low"] <= truth) & (truth <= table["ci_high"])).sum())
        # districts are separate strata of an uncalibrated design: the design covariance
        # (scope_covariance; tests/scoring/test_ranking.py) is diagonal, the squared SEs
        covariance = np.diag(table["se"].to_numpy() ** 2)
        ranks = rank_intervals(table["score"], covariance, seed=k, draws=2000)
        ranks_covered += int(
            ((ranks["rank_low"] <= true_rank) & (true_rank <= ranks["rank_high"])).sum()
        )
    # then: pooled over 9 districts × 1,000 samples
    total = SAMPLES * len(DISTRICTS)
    assert 0.94 <= covered / total <= 0.96, covered / total
    assert ranks_covered / total >= 0.95 - 0.015, ranks_covered / total
    assert time.process_time() - started < 60
