"""Property tests of the expression evaluator, against Python's own arithmetic and logic."""

import math
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaires.xpath import ExpressionError, compute, evaluate, parse, references

FAST = settings(max_examples=50, deadline=None)

numbers = st.decimals(
    min_value=-100_000, max_value=100_000, places=3, allow_nan=False, allow_infinity=False
)


def literal(number: Decimal) -> str:
    """A number as expression text; negatives through unary minus (XPath has no signed literal)."""
    text = format(abs(number), "f")
    return f"(-{text})" if number < 0 else text


def python_arith(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            return math.nan if a == 0 else math.copysign(math.inf, a)
        return a / b
    return math.nan if b == 0 else math.fmod(a, b)


def same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


@FAST
@given(numbers, numbers, st.sampled_from(["+", "-", "*", "div", "mod"]))
def test_arithmetic_agrees_with_python(a, b, op):
    expected = python_arith(op, float(a), float(b))
    assert same(compute(f"{literal(a)} {op} {literal(b)}", {}), expected)


@FAST
@given(numbers, numbers, st.sampled_from(["+", "-", "*", "div", "mod"]))
def test_arithmetic_on_answers_agrees_with_literals(a, b, op):
    # answers arrive as strings from forms, or as numbers: both read the same
    answers = {"a": format(a, "f"), "b": float(b)}
    assert same(compute(f"${{a}} {op} ${{b}}", answers), python_arith(op, float(a), float(b)))


@FAST
@given(numbers, numbers, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]))
def test_comparison_agrees_with_python(a, b, op):
    python = {
        "=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b,
    }[op]  # fmt: skip
    assert evaluate(f"{literal(a)} {op} {literal(b)}", {}) is python


@FAST
@given(numbers, numbers, numbers)
def test_precedence_matches_python(a, b, c):
    x, y, z = float(a), float(b), float(c)
    expression = f"{literal(a)} + {literal(b)} * {literal(c)} - {literal(a)}"
    assert math.isclose(compute(expression, {}), x + y * z - x, rel_tol=1e-12, abs_tol=1e-9)


def bool_trees():
    leaves = st.sampled_from([("true()", True), ("false()", False)])

    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(
                lambda p: (f"({p[0][0]} and {p[1][0]})", p[0][1] and p[1][1])
            ),
            st.tuples(children, children).map(
                lambda p: (f"({p[0][0]} or {p[1][0]})", p[0][1] or p[1][1])
            ),
            children.map(lambda c: (f"not({c[0]})", not c[1])),
        )

    return st.recursive(leaves, extend, max_leaves=12)


@FAST
@given(bool_trees())
def test_boolean_expressions_agree_with_python(tree):
    expression, expected = tree
    assert evaluate(expression, {}) is expected


@FAST
@given(st.booleans(), st.booleans(), st.booleans())
def test_boolean_algebra_laws(a, b, c):
    env = {"a": "x" if a else "", "b": "x" if b else "", "c": "x" if c else ""}

    def ev(text: str) -> bool:
        return evaluate(text, env)

    assert ev("not(${a} and ${b})") == ev("not(${a}) or not(${b})")  # De Morgan
    assert ev("not(${a} or ${b})") == ev("not(${a}) and not(${b})")
    assert ev("${a} and (${b} or ${c})") == ev("(${a} and ${b}) or (${a} and ${c})")
    assert ev("${a} or ${b} and ${c}") == ev("${a} or (${b} and ${c})")  # and binds tighter
    assert ev("not(not(${a}))") == a


@FAST
@given(st.booleans(), st.text(alphabet="abc测", max_size=5), st.text(alphabet="xyz", max_size=5))
def test_if_picks_the_right_branch(condition, yes, no):
    answers = {"c": "1" if condition else "0", "yes": yes, "no": no}
    assert compute("if(${c} = 1, ${yes}, ${no})", answers) == (yes if condition else no)


@FAST
@given(st.one_of(st.none(), st.text(alphabet="ab ", max_size=4)), st.text(max_size=4))
def test_coalesce_takes_the_first_non_empty(first, second):
    answers = {"first": first, "second": second}
    expected = first if first else second
    assert compute("coalesce(${first}, ${second})", answers) == expected


@FAST
@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True), st.sampled_from("abcde"))
def test_selected_and_count_selected_follow_the_list(chosen, code):
    answers = {"v": chosen, "s": " ".join(chosen)}
    for ref in ("${v}", "${s}"):
        assert evaluate(f"selected({ref}, '{code}')", answers) is (code in chosen)
        assert compute(f"count-selected({ref})", answers) == len(chosen)


@FAST
@given(st.text(alphabet="安全 abc'\"", max_size=12))
def test_string_length_counts_characters(text):
    assert compute("string-length(${t})", {"t": text}) == len(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_parse_raises_only_expression_error_on_random_text(text):
    try:
        parse(text)
    except ExpressionError:
        pass


EXPRESSION_ALPHABET = list("${}().,'\" =!<>+-*/0123456789abcdxyz") + [
    " and ", " or ", " div ", " mod ", "not(", "if(", "selected(", "today()", "coalesce(",
]  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(EXPRESSION_ALPHABET), max_size=25).map("".join))
def test_expression_like_text_parses_or_raises_expression_error_and_evaluates(text):
    try:
        parse(text)
    except ExpressionError:
        return
    # whatever parses also evaluates without raising, against any answers
    compute(text, {"a": "1", "b": ["x"], "x": "", "d": "2026-01-01"})


names = st.tuples(st.sampled_from("abcxyz"), st.text(alphabet="abc019_", max_size=6)).map("".join)


@FAST
@given(st.lists(names, min_size=1, max_size=5))
def test_references_finds_every_name(found):
    expression = " and ".join(f"${{{name}}} != ''" for name in found)
    assert references(expression) == set(found)
