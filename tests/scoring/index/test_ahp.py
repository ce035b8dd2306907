"""AHP weights and consistency against published examples and a second method."""

import numpy as np
import pytest

from scoring.index.ahp import (
    RANDOM_INDEX,
    AHPError,
    ahp_weights,
    consistency,
    eigen_weights,
    geometric_mean_weights,
    parse_judgement,
    validate_matrix,
)

# Criteria of the "choosing a leader" case (Wikipedia, "Analytic hierarchy process – leader
# example", after Saaty's teaching material): Experience, Education, Charisma, Age.
# Published: priorities .547, .127, .270, .056 and consistency ratio 0.044.
LEADER = [
    [1, 4, 3, 7],
    ["1/4", 1, "1/3", 3],
    ["1/3", 3, 1, 5],
    ["1/7", "1/3", "1/5", 1],
]
LEADER_LABELS = ["experience", "education", "charisma", "age"]

# Saaty (2008), "Decision making with the analytic hierarchy process", Int. J. Services
# Sciences 1(1), Table 2: relative consumption of drinks in the USA. Published eigenvector
# .177 .019 .042 .116 .190 .129 .327 (actual consumption .180 .010 .040 .120 .180 .140 .330).
DRINKS = [
    [1, 9, 5, 2, 1, 1, "1/2"],
    ["1/9", 1, "1/3", "1/9", "1/9", "1/9", "1/9"],
    ["1/5", 3, 1, "1/3", "1/4", "1/3", "1/9"],
    ["1/2", 9, 3, 1, "1/2", 1, "1/3"],
    [1, 9, 4, 2, 1, 2, "1/2"],
    [1, 9, 3, 1, "1/2", 1, "1/3"],
    [2, 9, 9, 3, 2, 3, 1],
]


def test_leader_example_reproduces_published_weights_and_cr():
    result = consistency(LEADER, name="criteria", labels=LEADER_LABELS)

    # The article truncates: experience is 0.5476.
    weights = [result.weights[k] for k in LEADER_LABELS]
    assert weights == pytest.approx([0.547, 0.127, 0.270, 0.056], abs=0.001)
    assert round(result.cr, 3) == 0.044
    assert result.ri == 0.90
    assert result.ci == pytest.approx((result.lambda_max - 4) / 3)
    assert result.consistent


def test_drinks_example_reproduces_published_eigenvector():
    result = consistency(DRINKS, name="drinks")

    published = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    assert [round(w, 3) for w in result.weights.values()] == published
    assert result.lambda_max > 7
    assert result.cr < 0.1


def test_lambda_max_satisfies_the_eigen_equation():
    values = validate_matrix(DRINKS, name="drinks")
    weights, lambda_max = eigen_weights(values)

    np.testing.assert_allclose(values @ weights, lambda_max * weights, rtol=1e-10)
    assert weights.sum() == pytest.approx(1.0)


def test_power_iteration_agrees_with_eigen_solver():
    values = validate_matrix(LEADER, name="criteria")
    vector = np.ones(4)
    for _ in range(200):  # naive power iteration as an independent reference
        vector = values @ vector
        vector /= vector.sum()

    weights, _ = eigen_weights(values)
    np.testing.assert_allclose(weights, vector, atol=1e-12)


def test_geometric_mean_is_close_to_eigenvector_for_a_consistent_enough_matrix():
    values = validate_matrix(DRINKS, name="drinks")

    eigen, _ = eigen_weights(values)
    np.testing.assert_allclose(geometric_mean_weights(values), eigen, atol=0.01)


def test_perfectly_consistent_matrix_has_lambda_n_and_zero_cr():
    true = np.array([0.5, 0.3, 0.2])
    matrix = true[:, None] / true[None, :]

    result = consistency(matrix.tolist(), name="exact", labels=["a", "b", "c"])

    assert result.lambda_max == pytest.approx(3.0)
    assert result.cr == pytest.approx(0.0, abs=1e-12)
    assert list(result.weights.values()) == pytest.approx(list(true))
    np.testing.assert_allclose(geometric_mean_weights(matrix), true)


def test_two_elements_are_always_consistent():
    result = consistency([[1, 3], ["1/3", 1]], name="pair", labels=["x", "y"])

    assert result.weights == pytest.approx({"x": 0.75, "y": 0.25})
    assert result.cr == 0.0


def test_intransitive_judgements_are_refused_with_the_cr_named():
    # a ≫ b, b ≫ c, c ≫ a: as inconsistent as three judgements can be.
    cyclic = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]

    with pytest.raises(AHPError, match=r"Matrix dimensions: consistency ratio CR = \d+\.\d{3}"):
        ahp_weights(cyclic, name="dimensions", labels=["a", "b", "c"])
    assert consistency(cyclic, name="dimensions").cr > 0.1


def test_rounded_reciprocals_are_accepted_and_made_exact():
    values = validate_matrix([[1, 3], [0.333, 1]], name="m")

    assert values[1, 0] == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 3], [3, 1]], "must be reciprocal"),
        ([[1, -2], ["-1/2", 1]], "not a positive judgement"),
        ([[2, 3], ["1/3", 1]], "diagonal must be 1"),
        ([[1, 3], ["1/3"]], "has 1 entries, expected 2"),
        ([[1, "abc"], ["1/3", 1]], "not a number or a fraction"),
        ([[1, 0], [0, 1]], "not a positive judgement"),
    ],
)
def test_invalid_matrices_are_refused_naming_the_cell(matrix, message):
    with pytest.raises(AHPError, match=message) as caught:
        validate_matrix(matrix, name="police", labels=["patrol", "service"])
    assert str(caught.value).startswith("Matrix police")


def test_matrix_larger_than_the_ri_table_is_refused():
    big = np.ones((16, 16)).tolist()
    with pytest.raises(AHPError, match="at most 15"):
        validate_matrix(big, name="big")


def test_random_index_table_is_saatys():
    assert [RANDOM_INDEX[n] for n in range(1, 16)] == [
        0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
    ]  # fmt: skip


def test_parse_judgement_reads_fractions_and_decimals():
    assert parse_judgement("1/3") == pytest.approx(1 / 3)
    assert parse_judgement(" 5 ") == 5.0
    assert parse_judgement("0.25") == 0.25
    with pytest.raises(ValueError):
        parse_judgement("1/0")


@pytest.mark.parametrize(
    ("large", "typed"),
    [(3, "0.33"), (5, "0.2"), (6, "0.17"), (7, "0.14"), (8, "0.12"), (9, "0.11"), (3, "1/3")],
)
def test_reciprocals_as_people_type_them_are_accepted(large, typed):
    values = validate_matrix([[1, large], [typed, 1]], name="m")

    assert values[1, 0] == pytest.approx(1 / large)  # made exact from the upper triangle


@pytest.mark.parametrize(
    ("large", "typed"),
    [(3, "0.3"), (7, "0.12"), (9, "0.2"), (3, "0.5"), (1000, "0.004"), (150, "0.01")],
)
def test_pairs_that_are_not_reciprocal_even_rounded_are_refused(large, typed):
    with pytest.raises(AHPError, match="must be reciprocal"):
        validate_matrix([[1, large], [typed, 1]], name="m")
