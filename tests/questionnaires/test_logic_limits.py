"""The evaluator's limits: expressions too long or too deeply nested are refused with the limit
named, and whatever is accepted parses and evaluates within a fixed number of stack frames."""

import inspect
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.translatable import Translatable
from questionnaires.xpath import (
    MAX_LENGTH,
    MAX_NESTING,
    ExpressionError,
    compute,
    evaluate,
    parse,
    references,
)

# Python's default recursion limit is 1000 and a Django request already uses ~100-200 frames:
# the deepest expression we accept must fit well within what is left.
FRAME_BUDGET = 450

WRAPPERS = {
    "brackets": lambda inner: f"({inner})",
    "function calls": lambda inner: f"abs({inner})",
    "if branches": lambda inner: f"if(1 = 2, 0, {inner})",
    "minus signs": lambda inner: f"-{inner}",
    "every operator on the right": lambda inner: f"0 or 1 and 1 = 1 < 2 + 1 * ({inner})",
}


def nested(wrap, levels: int) -> str:
    expression = "1"
    for _ in range(levels):
        expression = wrap(expression)
    return expression


def within_frames(frames: int, work):
    """Run `work` with only `frames` more stack frames allowed than the caller has now."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + frames)
    try:
        return work()
    finally:
        sys.setrecursionlimit(limit)


def error_of(expression: str) -> ExpressionError:
    parse.cache_clear()
    with pytest.raises(ExpressionError) as caught:
        parse(expression)
    return caught.value


@pytest.mark.parametrize("shape", WRAPPERS)
def test_nesting_beyond_the_limit_is_refused_naming_the_limit(shape):
    error = error_of(nested(WRAPPERS[shape], MAX_NESTING + 1))
    assert f"nested more than {MAX_NESTING} levels deep" in str(error)
    assert isinstance(error.message, Translatable)  # shown in the reader's language


def test_the_audits_140_nested_brackets_are_refused_not_a_recursion_error():
    error = error_of("(" * 140 + "${a}" + ")" * 140)
    assert "nested more than 40 levels deep at position 41" in str(error)


@pytest.mark.parametrize("shape", WRAPPERS)
def test_nesting_at_the_limit_parses_and_evaluates_within_the_frame_budget(shape):
    expression = nested(WRAPPERS[shape], MAX_NESTING)
    parse.cache_clear()
    value = within_frames(FRAME_BUDGET, lambda: compute(expression, {}))
    assert value in (1.0, -1.0, True)
    within_frames(FRAME_BUDGET, lambda: references(expression))


def test_expression_longer_than_the_limit_is_refused_without_being_quoted_in_full():
    expression = "${a} + " * 200_000 + "1"  # 1.4 million characters
    error = error_of(expression)
    assert f"{len(expression)} characters long, more than the {MAX_LENGTH} allowed" in str(error)
    assert len(str(error)) < 300
    assert isinstance(error.message, Translatable)


def test_expression_of_exactly_the_limit_is_accepted():
    expression = " 1" + "+1" * (MAX_LENGTH // 2 - 1)
    assert len(expression) == MAX_LENGTH
    assert compute(expression, {}) == MAX_LENGTH // 2


@pytest.mark.parametrize(
    ("operator", "expected"),
    [("+", 1999.0), ("*", 1.0), ("-", -1997.0), ("and", True), ("or", True), ("=", True)],
)
def test_the_longest_chains_evaluate_in_a_loop(operator, expected):
    terms = (MAX_LENGTH - 1) // (len(operator) + 3)
    expression = f" {operator} ".join(["1"] * terms)
    if operator in ("+", "-"):
        expression = f"{operator}".join(["1"] * 1999)
    parse.cache_clear()
    assert within_frames(60, lambda: compute(expression, {})) == expected


def test_a_long_chain_of_references_finds_every_name_without_recursion():
    names = [f"q{i}" for i in range(450)]
    expression = "+".join(f"${{{name}}}" for name in names)
    parse.cache_clear()
    assert within_frames(60, lambda: references(expression)) == set(names)


class Answers(dict):
    """Answers that remember which names the evaluator read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: list[str] = []

    def __contains__(self, name):
        self.read.append(name)
        return super().__contains__(name)


def test_and_or_chains_still_stop_at_the_first_deciding_term():
    answers = Answers(a="x", b="1", c="1")
    assert evaluate("${a} = 'x' or ${b} > 1 or ${c} > 1", answers)
    assert answers.read == ["a"]
    answers = Answers(a="x", b="1", c="1")
    assert not evaluate("${a} = 'x' and ${b} > 1 and ${c} > 1", answers)
    assert answers.read == ["a", "b"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(WRAPPERS)), min_size=0, max_size=MAX_NESTING + 25),
)
def test_any_nesting_parses_or_is_refused_never_exhausting_the_stack(shapes):
    expression = "1"
    for shape in shapes:
        expression = WRAPPERS[shape](expression)
    parse.cache_clear()
    refused = len(shapes) > MAX_NESTING or len(expression) > MAX_LENGTH  # a level per wrapper
    try:
        within_frames(FRAME_BUDGET, lambda: compute(expression, {}))
    except ExpressionError as error:
        assert refused, str(error)
        assert "levels deep" in str(error) or "characters long" in str(error)
    else:
        assert not refused


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.sampled_from(["+", "-"]), st.integers(0, 9)),
            st.tuples(st.just("*"), st.integers(0, 1)),  # sums stay exact in floats
        ),
        max_size=900,
    )
)
def test_long_arithmetic_chains_agree_with_python_integers(terms):
    expression = "2" + "".join(f" {op} {n}" for op, n in terms)
    # the reference: products first, then the sum, in exact integers
    total, product, sign = 0, 2, 1
    for op, n in terms:
        if op == "*":
            product *= n
        else:
            total, product, sign = total + sign * product, n, (1 if op == "+" else -1)
    expected = total + sign * product
    parse.cache_clear()
    assert within_frames(60, lambda: compute(expression, {})) == float(expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(list("()-,1") + ["abs(", "if(", " + ", " and "]), max_size=400))
def test_bracket_heavy_text_parses_or_raises_expression_error(parts):
    text = "".join(parts)
    parse.cache_clear()
    try:
        within_frames(FRAME_BUDGET, lambda: compute(text, {}))
    except ExpressionError:
        pass
