"""The answers folded once per respondent (scoring.answer_cube) give the tables the row-by-row
route gives, and estimating many tables in one pass gives what each alone gives."""

import numpy as np
import pandas as pd
import pytest

from scoring.answer_cube import AnswerCube, row_values
from scoring.design.calibration import rake
from scoring.rank_intervals import grouped_rank_intervals, rank_intervals
from scoring.score_tables import (
    domain_scores,
    domain_tables,
    respondent_design,
    scope_table,
    scope_tables,
    summarize,
    with_scope,
)
from tests.scoring.test_score_tables import random_long, reference

BYS = [
    ["dimension"],
    ["scope"],
    ["item"],
    ["district"],
    ["district", "scope"],
    ["district", "street", "scope"],
    ["district", "dimension"],
    ["street", "dimension"],
    ["area_type", "scope"],
]


def raked(long: pd.DataFrame):
    """A stratified, raked design over the respondents of `long` (by district and area type),
    so the one-pass linearisation carries calibration residuals."""
    design, row_of = respondent_design(long.assign(stratum=long["district"]))
    first = long.drop_duplicates("interview_id")
    margins = []
    for column in ("district", "area_type"):
        labels = first[column].to_numpy()
        counts = pd.Series(labels).value_counts()
        margins.append((labels, {k: 40.0 * v for k, v in counts.items()}))
    return rake(design, margins), row_of


@pytest.mark.parametrize("by", BYS)
@pytest.mark.parametrize("seed", [1, 2])
def test_the_cube_gives_the_respondent_values_of_the_rows(by, seed):
    # given: skipped items, don't knows, unknown streets, unequal weights
    long = with_scope(random_long(seed))
    # when
    found = AnswerCube(long).values(by)
    # then: the same respondents, domains, sums and dtypes as the row-by-row route
    expected_per, expected_domain = row_values(long, by)
    assert found is not None
    pd.testing.assert_frame_equal(found[0], expected_per, check_exact=True)
    np.testing.assert_array_equal(found[1], expected_domain)


@pytest.mark.parametrize("by", BYS)
def test_domain_scores_through_the_cube_match_the_reference_implementation(by):
    # given
    long = with_scope(random_long(3))
    # when
    got = domain_scores(long, by, cube=AnswerCube(long))
    # then: the loop reference of tests.scoring.test_score_tables, domain by domain
    expected = reference(long, by)
    assert len(got) == len(expected)
    for row in got.to_dict("records"):
        want = expected[tuple(row[c] for c in by)]
        for column in ["n_respondents", "n_answers", "n_missing"]:
            assert row[column] == want[column], column
        for column in ["score", "rate", "item_nonresponse"]:
            assert row[column] == pytest.approx(want[column], abs=1e-9, nan_ok=True), column


def test_a_column_that_varies_within_a_respondent_is_estimated_row_by_row():
    # given: one respondent's answers filed under two streets, and a category before an
    # attribute: neither folds into the cube
    long = with_scope(random_long(4))
    first = long["interview_id"] == long["interview_id"].iloc[0]
    long.loc[first & (long["item"] == "police_q1"), "street"] = "S99"
    cube = AnswerCube(long)
    # when / then
    for by in (["street", "scope"], ["dimension", "district"]):
        assert cube.values(by) is None
        pd.testing.assert_frame_equal(
            domain_scores(long, by, cube=cube), domain_scores(long, by), check_exact=True
        )


@pytest.mark.parametrize("seed", [1, 2])
def test_many_tables_in_one_pass_equal_each_table_alone(seed):
    # given: a raked design, so every term of the linearised variance is exercised
    long = with_scope(random_long(seed))
    design = raked(long)
    assert design[0].calibration is not None
    # when
    together = domain_tables(long, BYS, design=design, cube=AnswerCube(long))
    # then: to rounding, each table as domain_scores estimates it alone, without the cube
    for by, table in zip(BYS, together, strict=True):
        alone = domain_scores(long, by, design=design)
        pd.testing.assert_frame_equal(table, alone, check_exact=False, rtol=1e-12, atol=1e-12)
    assert together[0]["se"].gt(0).all()


def test_group_tables_from_respondent_columns_equal_the_merged_frame():
    # given: a respondent group (not in the long frame) with a missing value
    long = with_scope(random_long(5))
    ids = long["interview_id"].drop_duplicates().to_numpy()
    groups = pd.DataFrame(
        {"interview_id": ids, "sex": np.where(ids % 3 == 0, "F", np.where(ids % 7, "M", None))}
    )
    design = raked(long)
    cube = AnswerCube(long).with_columns(groups)
    # when
    (by_sex, by_area) = scope_tables(long, [["sex"], ["area_type"]], design=design, cube=cube)
    # then: as scope_table on the answers with the group merged onto every row
    merged = long.merge(groups, on="interview_id", how="left")
    expected = scope_table(merged, ["sex"], design=design)
    pd.testing.assert_frame_equal(by_sex, expected, check_exact=False, rtol=1e-12, atol=1e-12)
    expected = scope_table(long, ["area_type"], design=design)
    pd.testing.assert_frame_equal(by_area, expected, check_exact=False, rtol=1e-12, atol=1e-12)
    assert set(by_sex["sex"]) == {"F", "M"}


def test_summarize_counts_the_interviews_of_each_place_as_a_groupby_does():
    # given
    long = with_scope(random_long(6))
    # when
    tables = summarize(long)
    # then
    counted = long.groupby(["district", "street"])["interview_id"].nunique()
    by_street = tables["by_street"].set_index(["district", "street"])["n_interviews"]
    pd.testing.assert_series_equal(by_street, counted, check_names=False)
    assert tables["n_interviews"] == long["interview_id"].nunique()


def test_grouped_rank_intervals_are_each_groups_own_rank_intervals():
    # given: 12 correlated estimates in groups of unequal size, one of a single domain
    rng = np.random.default_rng(8)
    estimates = rng.normal(75, 4, 12)
    loadings = rng.normal(0, 1, (12, 12))
    covariance = loadings @ loadings.T / 6
    members = [np.array([0, 3, 5, 7]), np.array([1, 2, 4, 6]), np.array([8, 9, 10]), [11]]
    members = [np.asarray(m) for m in members]
    # when
    grouped = grouped_rank_intervals(estimates, covariance, members, seed=20, draws=4000)
    # then: exactly the seeded draws of rank_intervals on each group's restriction
    for member, found in zip(members, grouped, strict=True):
        alone = rank_intervals(
            estimates[member], covariance[np.ix_(member, member)], seed=20, draws=4000
        )
        pd.testing.assert_frame_equal(found, alone, check_exact=True)
    assert grouped[3].to_dict("records") == [{"rank_low": 1, "rank_high": 1, "p_bottom": 1.0}]


def test_a_category_of_many_values_each_asked_of_few_is_estimated_row_by_row():
    # given: every respondent answers 2 of 60 items, so the (respondent, item) cells would
    # be 30 times the answers
    long = with_scope(random_long(7))
    long = long[long.groupby("interview_id").cumcount() < 2].reset_index(drop=True)
    position = long.groupby("interview_id").cumcount()
    long = long.assign(item="q" + ((long["interview_id"] * 2 + position) % 60).astype(str))
    cube = AnswerCube(long)
    # when / then: left to the row-by-row route, with the same table
    assert cube.values(["district", "item"]) is None
    pd.testing.assert_frame_equal(
        domain_scores(long, ["district", "item"], cube=cube),
        domain_scores(long, ["district", "item"]),
        check_exact=True,
    )
