import math
from datetime import date

import pytest

from questionnaires.xpath import (
    ExpressionError,
    as_text,
    bare_names,
    compute,
    default_value,
    evaluate,
    filter_choices,
    is_dynamic,
    is_relevant,
    parse,
    references,
    row_scope,
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
        ("device-info('x') > 1", "unsupported function(s) device-info()"),
        ("phone-call-log() = 1", "unsupported function(s) phone-call-log()"),
        ("/data/a = ", "expected a value, found the end"),
        ("instance('x')/root/ = 1", "expected a step of a path, found '='"),
        ("if(1, 2)", "if() takes 3 argument(s), got 2"),
        ("round()", "round() takes 1 to 2 argument(s), got 0"),
        ("concat(1, )", "expected a value, found ')'"),
        ("selected(${a})", "selected() takes 2 argument(s), got 1"),
        ("${a} # 2", "unexpected character '#' at position 6"),
        ("${} = 1", "bad reference ${}"),
        ("${a} = 'unterminated", "unexpected character"),
        ("and = 1", "unexpected word 'and'"),
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


# --- issue 5: the wider function set, dates, repeats, choice filters, defaults ---------------

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("if(${age} >= 18, 'adult', 'minor')", "adult"),
        ("if(${age} < 18, 'adult', 'minor')", "minor"),
        ("if(${missing}, 1, 2)", 2.0),
        ("coalesce(${missing}, 'x')", "x"),
        ("coalesce(${consent}, 'x')", "yes"),
        ("string-length(${text})", 5.0),
        ("string-length(${missing})", 0.0),
        ("string-length('安全感')", 3.0),  # characters, not bytes
        ("number('12.5') + 1", 13.5),
        ("int(7.9)", 7.0),
        ("int(-7.9)", -7.0),  # towards zero
        ("round(2.5)", 3.0),
        ("round(-2.5)", -2.0),  # XPath 1.0: halves go towards +infinity
        ("round(3.14159, 2)", 3.14),
        ("round(2.675, 2)", 2.68),  # on the decimal digits, half away from zero (ODK)
        ("concat(${consent}, '-', ${age})", "yes-30"),
        ("count-selected(${victim_type})", 2.0),
        ("selected-at(${victim_type}, 1)", "fraud"),
        ("selected-at(${victim_type}, 5)", ""),
        ("contains(${text}, 'ell')", True),
        ("starts-with(${text}, 'he')", True),
        ("ends-with(${text}, 'lo')", True),
        ("substr(${text}, 1, 3)", "el"),
        ("floor(-1.5)", -2.0),
        ("ceiling(1.2)", 2.0),
        ("abs(-3)", 3.0),
        ("pow(2, 10)", 1024.0),
        ("max(1, 5, 3)", 5.0),
        ("min(1, 5, 3)", 1.0),
        ("string(${age})", "30"),
        ("boolean(${missing})", False),
        ("today()", TODAY),
        ("date('2026-11-01')", date(2026, 11, 1)),
        ("date(0)", date(1970, 1, 1)),
        ("today() - date('2026-11-01')", 21.0),
        ("${age} div 4", 7.5),
    ],
)
def test_compute_returns_the_raw_value(expression, expected):
    assert compute(expression, ANSWERS, today=TODAY) == expected


def test_if_evaluates_only_the_branch_it_takes():
    # the other branch would be NaN arithmetic; a picked literal comes back untouched
    assert compute("if(true(), 'a', 1 div 0)", {}) == "a"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("${visit} <= today()", True),
        ("${visit} > today()", False),
        ("${visit} = '2026-11-20'", True),
        ("${visit} = date('2026-11-20')", True),
        ("today() - ${visit} = 2", True),
        ("${visit} < '2026-12-01'", True),
        ("${missing} <= today()", False),
    ],
)
def test_iso_date_answers_compare_as_days(expression, expected):
    assert evaluate(expression, {"visit": "2026-11-20"}, today=TODAY) is expected


def test_today_defaults_to_the_local_date():
    assert isinstance(compute("today()", {}), date)


ROSTER = {
    "household_size": "3",
    "household": [
        {"member_age": "34", "member_sex": "1"},
        {"member_age": "67", "member_sex": "2"},
        {"member_age": "5", "member_sex": "2"},
    ],
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("count(${household})", 3.0),
        ("sum(${member_age})", 106.0),
        ("max(${member_age})", 67.0),
        ("min(${member_age})", 5.0),
        ("count(${household}) = ${household_size}", True),
        ("${member_age} > 60", True),  # any row (an XPath node-set)
        ("${member_age} > 70", False),
        ("${member_sex} = '1'", True),
    ],
)
def test_repeat_values_read_from_outside_are_node_sets(expression, expected):
    assert compute(expression, ROSTER) == expected


def test_inside_a_row_a_sibling_reads_that_row():
    second = row_scope(ROSTER, ROSTER["household"][1])
    assert evaluate("${member_age} >= 60 and ${member_sex} = '2'", second)
    first = row_scope(ROSTER, ROSTER["household"][0])
    assert not evaluate("${member_age} >= 60", first)
    assert compute("${household_size}", first) == "3"  # answers outside the row still visible


def test_bare_names_read_the_choice_columns_in_a_choice_filter():
    question = {"name": "street", "choice_filter": "district = ${district}"}
    choices = [
        {"value": "s1", "label": {}, "extra": {"district": "d1"}},
        {"value": "s2", "label": {}, "extra": {"district": "d2"}},
        {"value": "s3", "label": {}, "extra": {"district": "d1"}},
    ]
    kept = filter_choices(question, choices, {"district": "d1"})
    assert [c["value"] for c in kept] == ["s1", "s3"]
    assert filter_choices(question, choices, {}) == []
    by_name = {"name": "q", "choice_filter": "name != '9' or ${dk_allowed} = 'yes'"}
    assert [c["value"] for c in filter_choices(by_name, choices, {})] == ["s1", "s2", "s3"]
    no_filter = {"name": "q", "choice_filter": None}
    assert filter_choices(no_filter, choices, {}) == choices


def test_bare_name_without_a_choice_reads_the_answers():
    assert evaluate("consent = 'yes'", ANSWERS)


def test_bare_names_and_references_are_listed_apart():
    assert bare_names("district = ${district} and level != 'x'") == {"district", "level"}
    assert references("district = ${district}") == {"district"}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ({"type": "integer", "default": "2"}, "2"),
        ({"type": "select_multiple", "default": "a c"}, ["a", "c"]),
        ({"type": "text", "default": None}, None),
        ({"type": "date", "default": "today()"}, "2026-11-22"),
        ({"type": "integer", "default": "${age} + 1"}, "31"),
        ({"type": "date", "default": "2024-01-31"}, "2024-01-31"),  # a literal, not arithmetic
    ],
)
def test_default_value_literal_or_dynamic(question, expected):
    assert default_value(question, ANSWERS, today=TODAY) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [(2.0, "2"), (2.5, "2.5"), (math.nan, ""), (True, "true"), (date(2026, 1, 2), "2026-01-02"),
     (["a", "b"], "a b"), ("x", "x")],
)  # fmt: skip
def test_as_text_is_what_a_calculate_stores(value, text):
    assert as_text(value) == text


def test_constraint_and_relevance_take_today():
    question = {"name": "visit", "constraint": ". <= today()", "relevant": "today() > '2026-01-01'"}
    assert satisfies_constraint(question, {}, "2026-11-22", today=TODAY)
    assert not satisfies_constraint(question, {}, "2026-11-23", today=TODAY)
    assert is_relevant(question, {}, today=TODAY)
    assert not is_relevant(question, {}, today=date(2025, 12, 31))


def test_is_dynamic_tells_expressions_from_literals():
    assert is_dynamic("${a}") and is_dynamic("today()") and is_dynamic("concat('a', 'b')")
    assert not is_dynamic("2024-01-31") and not is_dynamic("yes") and not is_dynamic("1 2")
