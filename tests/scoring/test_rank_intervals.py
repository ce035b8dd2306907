"""Rank intervals against a brute-force simulation and against the normal law."""

from statistics import NormalDist

import numpy as np
import pytest
from scipy import stats

from scoring.rank_intervals import rank_intervals

ESTIMATES = np.array([80.0, 78.5, 77.0, 70.0, 69.0, 60.0])
SE = np.array([1.0, 3.0, 1.5, 2.0, 6.0, 1.0])


def _covariance(correlation: float) -> np.ndarray:
    corr = np.full((6, 6), correlation)
    np.fill_diagonal(corr, 1.0)
    return corr * np.outer(SE, SE)


def _brute_force(estimates, covariance, draws, seed):
    """Independent draws (scipy), each ranked by counting who is higher, one at a time."""
    sample = stats.multivariate_normal(estimates, covariance).rvs(draws, random_state=seed)
    ranks = [[] for _ in estimates]
    for draw in sample:
        for i, value in enumerate(draw):
            ranks[i].append(1 + sum(1 for other in draw if other > value))
    out = []
    for mine in ranks:
        ordered = sorted(mine)
        low = ordered[int(np.ceil(0.025 * draws)) - 1]
        high = ordered[int(np.ceil(0.975 * draws)) - 1]
        out.append((low, high, np.mean([r > len(estimates) - 3 for r in mine])))
    return out


@pytest.mark.parametrize("correlation", [0.0, 0.6])
def test_rank_intervals_agree_with_a_brute_force_simulation(correlation):
    # given
    covariance = _covariance(correlation)
    # when
    ours = rank_intervals(ESTIMATES, covariance, seed=7, draws=20_000)
    theirs = _brute_force(ESTIMATES, covariance, 20_000, seed=11)
    # then: the same quantiles up to one place of simulation noise, the same shares
    for row, (low, high, p_bottom) in zip(ours.to_dict("records"), theirs, strict=True):
        assert abs(row["rank_low"] - low) <= 1 and abs(row["rank_high"] - high) <= 1
        assert row["p_bottom"] == pytest.approx(p_bottom, abs=0.015)


def test_two_domains_rank_first_with_the_normal_probability_of_their_difference():
    # given: 72 ± 2 and 70 ± 3 with correlation 0.5: P(first is higher) = Φ(2 / sd)
    covariance = np.array([[4.0, 3.0], [3.0, 9.0]])
    sd = np.sqrt(4 + 9 - 2 * 3)
    p_first = NormalDist().cdf(2 / sd)
    # when: p_bottom with bottom = 1 is the share of draws in which a domain is last
    out = rank_intervals([72.0, 70.0], covariance, seed=3, draws=100_000, bottom=1)
    # then
    assert out.loc[0, "p_bottom"] == pytest.approx(1 - p_first, abs=0.005)
    assert out.loc[1, "p_bottom"] == pytest.approx(p_first, abs=0.005)


def test_correlation_between_estimates_narrows_the_rank_intervals():
    """Ignoring a positive covariance overstates how much the ranks can move."""
    # when
    independent = rank_intervals(ESTIMATES, _covariance(0.0), seed=1)
    correlated = rank_intervals(ESTIMATES, _covariance(0.8), seed=1)
    # then
    width = lambda t: (t["rank_high"] - t["rank_low"]).sum()  # noqa: E731
    assert width(correlated) < width(independent)


def test_the_same_seed_gives_the_same_intervals_and_a_clear_leader_has_rank_1_to_1():
    # given
    estimates = [90.0, 50.0, 49.0]
    covariance = np.diag([0.25, 4.0, 4.0])
    # when
    first = rank_intervals(estimates, covariance, seed=5)
    again = rank_intervals(estimates, covariance, seed=5)
    # then
    assert first.equals(again)
    assert (first.loc[0, "rank_low"], first.loc[0, "rank_high"]) == (1, 1)
    assert (first.loc[1, "rank_low"], first.loc[1, "rank_high"]) == (2, 3)
