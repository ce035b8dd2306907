import pytest

from questionnaires.logic import (
    ExpressionError,
    evaluate,
    is_relevant,
    parse,
    references,
    satisfies_constraint,
)

ANSWERS = {
    "consent": "yes",
    "age": 30,
    "score": 4.5,
    "sat": "5",
    "dk": "9",
    "victim_type": ["theft", "fraud"],
    "text": "hello",
    "empty_list": [],
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # comparisons of strings and numbers
        ("${consent} = 'yes'", True),
        ('${consent} = "yes"', True),
        ("${consent} != 'yes'", False),
        ("${age} >= 16", True),
        ("${age} > 30", False),
        ("${age} <= 30", True),
        ("${age} < 30", False),
        ("${age} = 30", True),
        ("${age} = '30'", True),  # number against string: compared as numbers
        ("${sat} = 5", True),  # a select_one code compared with a number
        ("${sat} = '5'", True),
        ("${sat} >= 4", True),
        ("${dk} < 9", False),
        ("${score} > 4", True),
        ("${text} = 'hello'", True),
        ("'abc' < 5", False),  # 'abc' is NaN
        # missing answers read as ''
        ("${missing} = ''", True),
        ("${missing} != ''", False),
        ("${missing} = 'yes'", False),
        ("${missing} >= 16", False),  # '' is NaN: every numeric comparison is false
        ("${missing} < 16", False),
        ("${missing} = 0", False),
        ("${missing} != 0", True),  # XPath: NaN != 0
        ("${missing}", False),
        ("not(${missing})", True),
        ("${consent}", True),
        # boolean logic and precedence
        ("${consent} = 'yes' and ${age} >= 16", True),
        ("${consent} = 'no' or ${age} >= 16", True),
        ("${consent} = 'no' and ${age} >= 16", False),
        ("true() or false() and false()", True),  # and binds tighter than or
        ("(true() or false()) and false()", False),
        ("not(${consent} = 'yes')", False),
        ("not(${age} > 40) and ${consent} = 'yes'", True),
        ("1 = 1 = true()", True),  # left associative: (1 = 1) = true()
        ("1 < 2 = true()", True),  # < binds tighter than =
        # arithmetic
        ("1 + 2 * 3 = 7", True),
        ("(1 + 2) * 3 = 9", True),
        ("10 - 2 - 3 = 5", True),  # left associative
        ("7 div 2 = 3.5", True),
        ("7 mod 3 = 1", True),
        ("-7 mod 3 = -1", True),  # XPath mod keeps the dividend's sign
        ("-${age} = -30", True),
        ("${age} - 1 = 29", True),
        ("${age}-1 = 29", True),
        ("1 div 0 > 1000000", True),  # infinity
        ("0 div 0 = 0 div 0", False),  # NaN equals nothing
        ("${missing} + 1 = 1", False),
        (".5 + .5 = 1", True),
        # select_multiple
        ("selected(${victim_type}, 'fraud')", True),
        ("selected(${victim_type}, 'robbery')", False),
        ("selected(${victim_type}, 'fra')", False),  # whole codes only
        ("selected(${missing}, 'fraud')", False),
        ("selected(${sat}, '5')", True),
        ("count-selected(${victim_type}) = 2", True),
        ("count-selected(${empty_list}) = 0", True),
        ("count-selected(${missing}) = 0", True),
        ("count-selected(${victim_type}) >= 1 and not(selected(${victim_type}, 'other'))", True),
        ("${empty_list} = ''", True),
        ("${victim_type} = 'theft fraud'", True),  # ODK's space-separated form
    ],
)
def test_expression_evaluates_like_xpath(expression, expected):
    assert evaluate(expression, ANSWERS) is expected


def test_space_separated_select_multiple_string_is_understood():
    assert evaluate("selected(${v}, 'b')", {"v": "a b c"})
    assert evaluate("count-selected(${v}) = 3", {"v": "a b c"})


@pytest.mark.parametrize(
    ("current", "expected"),
    [(30, True), (0, True), (120, True), (121, False), (-1, False), ("45", True), (None, False)],
)
def test_dot_is_the_value_being_checked(current, expected):
    assert evaluate(". >= 0 and . <= 120", {}, current=current) is expected


def test_boolean_values_in_answers():
    assert evaluate("${flag} = true()", {"flag": True})
    assert not evaluate("${flag}", {"flag": False})


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "empty expression"),
        ("   ", "empty expression"),
        ("${a} =", "expected a value, found the end"),
        ("(${a} = 1", "expected ')', found the end"),
        ("${a} = 1)", "unexpected ')' at position 9"),
        ("today() > 1", "unsupported function today()"),
        ("selected(${a})", "selected() takes 2 argument(s), got 1"),
        ("${a} # 2", "unexpected character '#' at position 6"),
        ("${} = 1", "bad reference ${}"),
        ("${a} = 'unterminated", "unexpected character"),
        ("yes = 1", "unexpected word 'yes'"),
        ("1 2", "unexpected '2' at position 3"),
    ],
)
def test_bad_expression_raises_clear_error(expression, message):
    with pytest.raises(ExpressionError) as caught:
        evaluate(expression, {})
    assert message in str(caught.value)
    assert repr(expression) in str(caught.value)  # the message quotes the expression


def test_parse_builds_a_tree_with_precedence():
    assert parse("${a} = 1 or ${b} > 2 and not(${c})") == (
        "or",
        ("cmp", "=", ("ref", "a"), ("lit", 1.0)),
        ("and", ("cmp", ">", ("ref", "b"), ("lit", 2.0)), ("call", "not", [("ref", "c")])),
    )


def test_references_lists_every_name():
    expression = "${a} = 'x' and (selected(${b}, 'y') or count-selected(${c}) > ${d})"
    assert references(expression) == {"a", "b", "c", "d"}
    assert references(". > 1") == set()


def test_is_relevant_without_expression_is_true():
    assert is_relevant({"name": "g", "relevant": None}, {})
    assert is_relevant({"name": "g"}, {})


def test_is_relevant_evaluates_the_expression():
    group = {"name": "g", "relevant": "${age} >= 16"}
    assert is_relevant(group, {"age": 16})
    assert not is_relevant(group, {"age": 15})
    assert not is_relevant(group, {})


def test_satisfies_constraint_skips_empty_answers():
    question = {"name": "age", "constraint": ". >= 0 and . <= 120"}
    assert satisfies_constraint(question, {}, None)
    assert satisfies_constraint(question, {}, "")
    assert satisfies_constraint(question, {}, 50)
    assert not satisfies_constraint(question, {}, 150)
    assert satisfies_constraint({"name": "x", "constraint": None}, {}, 150)


def test_constraint_can_refer_to_other_answers():
    question = {"name": "years", "constraint": ". <= ${age}"}
    assert satisfies_constraint(question, {"age": 30}, 20)
    assert not satisfies_constraint(question, {"age": 30}, 31)
