"""Intervals on the scale: the logit interval by hand, t quantiles, the design's df."""

import math

import numpy as np
import pytest

from scoring.design.designs import make_design
from scoring.design.intervals import domain_df, logit_interval, scaled_logit_interval


def test_the_logit_interval_by_hand_with_a_t_quantile():
    # given: p = 0.9, se = 0.05, 9 df: t_{9, .975} = 2.2621571627982 (tables)
    half = 2.2621571627982 * 0.05 / (0.9 * 0.1)
    logit = math.log(9)
    # when
    low, high = logit_interval([0.9], [0.05], [9])
    # then
    assert low[0] == pytest.approx(1 / (1 + math.exp(-(logit - half))), rel=1e-10)
    assert high[0] == pytest.approx(1 / (1 + math.exp(-(logit + half))), rel=1e-10)


def test_a_score_near_the_top_keeps_its_interval_inside_0_to_100():
    """The normal interval of 95.1 ± 2 × 7.4 would run to 109.6; the logit one stops short."""
    # when
    low, high = scaled_logit_interval([95.1, 3.0, 50.0], [7.4, 4.0, 1.0], [1, 2, 400])
    # then
    assert (low >= 0).all() and (high <= 100).all()
    assert low[0] < 95.1 < high[0] < 100
    assert 0 < low[1] < 3.0 < high[1]
    # many df and a small se: close to the symmetric normal interval
    assert (low[2], high[2]) == pytest.approx((50 - 1.96 * 1.0, 50 + 1.96 * 1.0), abs=0.01)


def test_no_df_gives_the_whole_scale_and_an_end_of_the_scale_gives_a_point():
    # when
    low, high = scaled_logit_interval([80.0, 100.0, np.nan], [0.0, 0.0, np.nan], [0, 5, 5])
    # then
    assert (low[0], high[0]) == (0.0, 100.0)
    assert (low[1], high[1]) == (100.0, 100.0)
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_domain_df_counts_psus_minus_strata_of_the_domain():
    # given: 2 strata; clusters a, b in stratum 1 and c, d, e in stratum 2
    design = make_design(
        weights=np.ones(8),
        strata=["1", "1", "1", "2", "2", "2", "2", "2"],
        clusters=[["a", "a", "b", "c", "c", "d", "e", "e"]],
    )
    rows = np.arange(8)
    # domain 0: rows 0–4 (PSUs a, b, c in 2 strata); domain 1: rows 5–7 (d, e in 1 stratum)
    domains = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    # when
    df = domain_df(design, rows=rows, domains=domains, n_domains=3)
    # then: 3 − 2, 2 − 1, and an empty domain 0
    assert df.tolist() == [1.0, 1.0, 0.0]
