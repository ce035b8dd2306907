import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from scoring.loaders import LONG_COLUMNS, empty_long_frame
from scoring.score_tables import (
    add_rank,
    domain_scores,
    scope_table,
    summarize,
    with_scope,
)

NAN = float("nan")


def frame(rows: list[tuple]) -> pd.DataFrame:
    """rows: (interview_id, weight, district, street, item, dimension, score, positive)."""
    records = [(i, w, d, s, "central", item, dim, sc, p) for i, w, d, s, item, dim, sc, p in rows]
    return pd.DataFrame.from_records(records, columns=LONG_COLUMNS)


def reference(long: pd.DataFrame, by: list[str], min_respondents: int = 30) -> dict:
    """The slow, obvious version: loop over domains, then respondents, then items."""
    people: dict[tuple, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    weights = {}
    for row in long.to_dict("records"):
        key = tuple(row[c] for c in by)
        if any(k is None or (isinstance(k, float) and math.isnan(k)) for k in key):
            continue
        people[key][row["interview_id"]].append((row["score"], row["positive"]))
        weights[row["interview_id"]] = row["weight"]
    result = {}
    for key, respondents in people.items():
        n = answers = missing = 0
        weighted_score = weighted_positive = weight_sum = 0.0
        for interview_id, items in respondents.items():
            valid = [(s, p) for s, p in items if not math.isnan(s)]
            answers += len(items)
            missing += len(items) - len(valid)
            if not valid:
                continue
            n += 1
            w = weights[interview_id]
            weighted_score += w * sum(s for s, _ in valid) / len(valid)
            weighted_positive += w * sum(1 for _, p in valid if p is True) / len(valid)
            weight_sum += w
        result[key] = {
            "n_respondents": n,
            "score": weighted_score / weight_sum if n else NAN,
            "rate": 100 * weighted_positive / weight_sum if n else NAN,
            "n_answers": answers,
            "n_missing": missing,
            "item_nonresponse": 100 * missing / answers,
            "unreliable": n < min_respondents,
        }
    return result


def random_long(seed: int, n_interviews: int = 240) -> pd.DataFrame:
    """A messy survey: skipped items, don't knows, respondents with no valid answer,
    unknown streets, unequal weights."""
    rng = np.random.default_rng(seed)
    items = [
        ("safety_overall", "sense_of_safety"),
        ("safety_night", "sense_of_safety"),
        ("order_q1", "public_order"),
        ("police_q1", "police"),
        ("police_q2", "police"),
        ("court_q1", "courts"),
    ]
    streets = {"D1": ["S11", "S12"], "D2": ["S21", "S22", "S23"], "D3": ["S31"]}
    scores = np.array([100.0, 80.0, 60.0, 40.0, 0.0, NAN])
    rows = []
    for interview_id in range(1, n_interviews + 1):
        district = rng.choice(list(streets))
        street = rng.choice(streets[district]) if rng.random() > 0.1 else None
        area = rng.choice(["central", "peri_urban", "rural"])
        weight = float(rng.lognormal(0.0, 0.7))
        dont_know_everything = rng.random() < 0.05
        for item, dimension in items:
            if rng.random() < 0.15:
                continue  # not asked
            score = NAN if dont_know_everything else rng.choice(scores, p=[*[0.18] * 5, 0.1])
            positive = None if math.isnan(score) else bool(score >= 80)
            rows.append(
                (interview_id, weight, district, street, area, item, dimension, score, positive)
            )
    return pd.DataFrame.from_records(rows, columns=LONG_COLUMNS)


@pytest.mark.parametrize(
    "by",
    [
        [],
        ["dimension"],
        ["scope"],
        ["district"],
        ["district", "street"],
        ["district", "dimension"],
        ["area_type", "scope"],
        ["street", "scope"],
    ],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_domain_scores_match_the_reference_implementation(by, seed):
    # given
    long = with_scope(random_long(seed))
    # when
    got = domain_scores(long, by, min_respondents=30)
    # then
    expected = reference(long, by)
    assert len(got) == len(expected)
    for row in got.to_dict("records"):
        want = expected[tuple(row[c] for c in by)]
        for column in ["n_respondents", "n_answers", "n_missing"]:
            assert row[column] == want[column], column
        # unreliable: too few respondents, or too few effective respondents
        assert row["unreliable"] == (want["unreliable"] or row["n_eff"] < 30)
        for column in ["score", "rate", "item_nonresponse"]:
            assert row[column] == pytest.approx(want[column], abs=1e-9, nan_ok=True), column


def test_weights_change_the_score_and_rate():
    # given respondent 1 (weight 1): 100 satisfied, 60 not; respondent 2 (weight 3): 40 not,
    # and a don't know
    long = frame(
        [
            (1, 1.0, "D1", "S1", "q1", "public_order", 100.0, True),
            (1, 1.0, "D1", "S1", "q2", "public_order", 60.0, False),
            (2, 3.0, "D1", "S2", "q1", "public_order", 40.0, False),
            (2, 3.0, "D1", "S2", "q2", "public_order", NAN, None),
        ]
    )
    # when
    row = domain_scores(long, []).iloc[0]
    unweighted = domain_scores(long.assign(weight=1.0), []).iloc[0]
    # then: (1·80 + 3·40) / 4 = 50, and (1·0.5 + 3·0) / 4 = 12.5 %
    assert row["score"] == pytest.approx(50.0, abs=1e-12)
    assert row["rate"] == pytest.approx(12.5, abs=1e-12)
    # unweighted the same answers give (80 + 40) / 2 = 60 and 25 %
    assert unweighted["score"] == pytest.approx(60.0, abs=1e-12)
    assert unweighted["rate"] == pytest.approx(25.0, abs=1e-12)
    assert row["n_respondents"] == 2
    assert row["item_nonresponse"] == pytest.approx(25.0)  # 1 of 4 answers


def test_dont_know_is_excluded_from_the_denominator():
    # given respondent 1 answers 80 and a don't know; respondent 2 only don't knows
    long = frame(
        [
            (1, 1.0, "D1", "S1", "q1", "police", 80.0, True),
            (1, 1.0, "D1", "S1", "q2", "police", NAN, None),
            (2, 5.0, "D1", "S1", "q1", "police", NAN, None),
            (2, 5.0, "D1", "S1", "q2", "police", NAN, None),
        ]
    )
    # when
    row = domain_scores(long, ["dimension"]).iloc[0]
    # then: the don't knows neither pull the score to 0 nor count respondent 2
    assert row["score"] == pytest.approx(80.0)
    assert row["rate"] == pytest.approx(100.0)
    assert row["n_respondents"] == 1
    assert (row["n_answers"], row["n_missing"]) == (4, 3)
    assert row["item_nonresponse"] == pytest.approx(75.0)


def test_each_respondent_is_averaged_before_weighting():
    # given respondent 1 answers three items at 100, respondent 2 one item at 0, equal weights
    long = frame(
        [
            (1, 1.0, "D1", "S1", "q1", "police", 100.0, True),
            (1, 1.0, "D1", "S1", "q2", "police", 100.0, True),
            (1, 1.0, "D1", "S1", "q3", "police", 100.0, True),
            (2, 1.0, "D1", "S1", "q1", "police", 0.0, False),
        ]
    )
    # when
    row = domain_scores(long, []).iloc[0]
    # then: one vote each, (100 + 0) / 2, not the pooled 300 / 4 = 75
    assert row["score"] == pytest.approx(50.0)
    assert row["rate"] == pytest.approx(50.0)


def test_domains_under_thirty_respondents_are_flagged_not_hidden():
    # given 30 respondents in D1 and 29 in D2
    rows = [(i, 1.0, "D1", "S1", "q1", "police", 80.0, True) for i in range(1, 31)]
    rows += [(i, 1.0, "D2", "S2", "q1", "police", 60.0, False) for i in range(31, 60)]
    # when
    table = domain_scores(frame(rows), ["district"]).set_index("district")
    # then
    assert not table.loc["D1", "unreliable"]
    assert table.loc["D2", "unreliable"]
    assert table.loc["D2", "score"] == pytest.approx(60.0)


def test_scope_table_keeps_safety_apart_from_satisfaction():
    # given
    long = frame(
        [
            (1, 1.0, "D1", "S1", "s1", "sense_of_safety", 100.0, True),
            (1, 1.0, "D1", "S1", "q1", "police", 40.0, False),
            (2, 2.0, "D1", "S1", "q1", "police", 100.0, True),
            (3, 1.0, "D2", "S2", "s1", "sense_of_safety", 60.0, False),
        ]
    )
    # when
    table = scope_table(long, ["district"], min_respondents=2).set_index("district")
    # then
    assert table.loc["D1", "safety_score"] == pytest.approx(100.0)
    assert table.loc["D1", "satisfaction_score"] == pytest.approx((40 + 2 * 100) / 3)
    assert table.loc["D1", "satisfaction_rate"] == pytest.approx(200 / 3)
    assert (table.loc["D1", "n_interviews"], table.loc["D1", "satisfaction_n"]) == (2, 2)
    assert table.loc["D1", "safety_unreliable"] and not table.loc["D1", "satisfaction_unreliable"]
    assert math.isnan(table.loc["D2", "satisfaction_score"])
    assert table.loc["D2", "satisfaction_n"] == 0 and table.loc["D2", "unreliable"]


def test_summarize_overall_separates_the_scopes():
    # given
    long = frame(
        [
            (1, 1.0, "D1", "S1", "s1", "sense_of_safety", 80.0, True),
            (1, 1.0, "D1", "S1", "q1", "police", 20.0, False),
            (2, 1.0, "D2", None, "q1", "public_order", 60.0, False),
        ]
    )
    # when
    tables = summarize(long)
    # then
    overall = tables["overall"].set_index("scope")
    assert overall.loc["safety", "score"] == pytest.approx(80.0)
    assert overall.loc["satisfaction", "score"] == pytest.approx(40.0)
    assert tables["n_interviews"] == 2
    assert list(tables["by_street"]["street"]) == ["S1"]  # the unknown street is no row
    assert list(tables["by_district"]["district"]) == ["D1", "D2"]
    scopes = tables["by_dimension"].set_index("dimension")["scope"]
    assert scopes.to_dict() == {
        "police": "satisfaction",
        "public_order": "satisfaction",
        "sense_of_safety": "safety",
    }


def test_rank_gives_ties_the_best_rank_and_skips_missing_scores():
    # given
    table = pd.DataFrame({"name": list("abcd"), "score": [70.0, 90.0, 70.0, NAN]})
    # when
    ranked = add_rank(table)
    # then
    assert ranked["rank"].tolist()[:3] == [2, 1, 2]
    assert ranked["rank"].isna().tolist() == [False, False, False, True]


def test_an_empty_frame_gives_empty_tables():
    # when
    tables = summarize(empty_long_frame())
    # then
    assert tables["overall"].empty and tables["by_street"].empty
    assert tables["n_interviews"] == 0
