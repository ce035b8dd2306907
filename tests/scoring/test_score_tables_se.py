"""Standard errors of scoring.score_tables's domain scores, against a slow loop reference."""

import math
from collections import defaultdict

import numpy as np
import pytest
from scipy import stats

from scoring.score_tables import domain_scores, scope_table, with_scope
from tests.scoring.test_score_tables import NAN, frame, random_long


def reference_se(long, by: list[str], value: str = "score") -> dict:
    """Loop version: respondent values per domain, then the stratified Taylor variance of
    the ratio mean over *every* respondent of the frame (zeros outside the domain)."""
    weights, strata, per = {}, {}, defaultdict(lambda: defaultdict(list))
    for row in long.to_dict("records"):
        weights[row["interview_id"]] = row["weight"]
        strata[row["interview_id"]] = row.get("stratum", "all")
        key = tuple(row[c] for c in by)
        if any(isinstance(k, float) and math.isnan(k) for k in key) or any(k is None for k in key):
            continue
        if not math.isnan(row["score"]):
            per[key][row["interview_id"]].append(
                row["score"] if value == "score" else 100.0 * (row["positive"] is True)
            )
    result = {}
    for key, people in per.items():
        y = {i: sum(v) / len(v) for i, v in people.items()}
        total_w = sum(weights[i] for i in y)
        mean = sum(weights[i] * y[i] for i in y) / total_w
        by_stratum = defaultdict(list)
        for i in weights:  # the full design
            z = weights[i] * (y[i] - mean) / total_w if i in y else 0.0
            by_stratum[strata[i]].append(z)
        variance = 0.0
        for zs in by_stratum.values():
            m = len(zs)
            centre = sum(zs) / m
            variance += m / (m - 1) * sum((z - centre) ** 2 for z in zs)
        result[key] = math.sqrt(variance)
    return result


@pytest.mark.parametrize("by", [["district"], ["district", "dimension"], ["street", "scope"]])
def test_domain_score_se_matches_the_loop_reference(by):
    long = with_scope(random_long(5))
    got = domain_scores(long, by)
    expected = reference_se(long, by)
    for row in got.to_dict("records"):
        assert row["se"] == pytest.approx(expected[tuple(row[c] for c in by)], rel=1e-9)


def test_rate_se_matches_the_loop_reference():
    long = with_scope(random_long(6))
    got = domain_scores(long, ["district"])
    expected = reference_se(long, ["district"], value="rate")
    for row in got.to_dict("records"):
        assert row["rate_se"] == pytest.approx(expected[(row["district"],)], rel=1e-9)


def test_stratum_column_enters_the_se():
    long = with_scope(random_long(7))
    stratified = long.assign(stratum=long["district"])
    got = domain_scores(stratified, ["street"])
    expected = reference_se(stratified, ["street"])
    plain = domain_scores(long, ["street"]).set_index("street")["se"]
    for row in got.dropna(subset=["street"]).to_dict("records"):
        assert row["se"] == pytest.approx(expected[(row["street"],)], rel=1e-9)
        # a street lies inside one district stratum: stratifying removes the between-district
        # part of its variance, so its SE is different from the unstratified one
        assert row["se"] != pytest.approx(plain[row["street"]], rel=1e-6)


def test_interval_is_the_logit_interval_of_score_over_100_with_t_on_n_minus_1_df():
    # given: one stratum, each respondent its own PSU: df = respondents − 1
    row = domain_scores(with_scope(random_long(8)), ["scope"]).iloc[0]
    p, se = row["score"] / 100, row["se"] / 100
    t = stats.t.ppf(0.975, row["n_respondents"] - 1)
    # then: by hand
    logit, half = math.log(p / (1 - p)), t * se / (p * (1 - p))
    assert row["df"] == row["n_respondents"] - 1
    assert row["ci_low"] == pytest.approx(100 / (1 + math.exp(-(logit - half))), rel=1e-9)
    assert row["ci_high"] == pytest.approx(100 / (1 + math.exp(-(logit + half))), rel=1e-9)


def test_unequal_weights_lower_n_eff_and_flag_the_domain():
    # 40 respondents: without weighting n_eff = 40 (reliable); with one dominating weight
    # the effective sample size collapses below 30
    rows = [(i, 1.0, "D1", "S1", "q1", "police", float(i % 5) * 25, i % 2 == 0) for i in range(40)]
    plain = domain_scores(frame(rows), []).iloc[0]
    heavy = [(i, 50.0 if i < 2 else w, *rest) for i, w, *rest in rows]
    weighted = domain_scores(frame(heavy), []).iloc[0]
    assert plain["n_eff"] == pytest.approx(40.0) and not plain["unreliable"]
    assert weighted["n_eff"] < 30 and weighted["unreliable"]
    assert weighted["n_respondents"] == 40


def test_a_domain_where_everyone_agrees_has_zero_se_and_keeps_its_flag_by_count():
    rows = [(i, 1.0, "D1", "S1", "q1", "police", 80.0, True) for i in range(35)]
    rows += [(99, 1.0, "D2", "S2", "q1", "police", NAN, None)]
    row = domain_scores(frame(rows), ["district"]).set_index("district").loc["D1"]
    assert row["se"] == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(row["n_eff"]) and not row["unreliable"]


def test_scope_table_carries_se_and_n_eff_per_scope():
    long = with_scope(random_long(9))
    table = scope_table(long, ["district"]).set_index("district")
    scores = domain_scores(long, ["district", "scope"]).set_index(["district", "scope"])
    for district in table.index:
        for scope in ["satisfaction", "safety"]:
            assert table.loc[district, f"{scope}_se"] == pytest.approx(
                scores.loc[(district, scope), "se"]
            )
            assert table.loc[district, f"{scope}_n_eff"] == pytest.approx(
                scores.loc[(district, scope), "n_eff"]
            )
