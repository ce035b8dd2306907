"""Circular logic between questions, found in a definition and told step by step."""

import inspect
import sys

from questionnaires.dependencies import ON_PAGE, Step, logic_cycles
from questionnaires.xlsform import parse_xlsform
from tests.questionnaires.workbooks import rich_xlsx


def q(name, type_="integer", **columns):
    return {"name": name, "type": type_, **columns}


def form(*groups):
    return {"groups": list(groups)}


def page(name, *questions, relevant=None, repeat=None):
    return {"name": name, "relevant": relevant, "repeat": repeat, "questions": list(questions)}


def test_forms_without_cycles_have_none(standard_form):
    _, standard = standard_form
    assert logic_cycles(standard.definition) == []
    assert logic_cycles(parse_xlsform(rich_xlsx(), "rich.xlsx").definition) == []


def test_forward_and_backward_references_without_a_cycle_are_fine():
    definition = form(
        page(
            "p1",
            q("a", relevant="${c} != ''"),  # refers forward: odd, but not circular
            q("b", "calculate", calculation="${a} + 1"),
            q("c", constraint=". > 0"),
        )
    )
    assert logic_cycles(definition) == []


def test_relevant_and_calculation_that_depend_on_each_other():
    definition = form(
        page(
            "p1",
            q("q1"),
            q("q3", relevant="${q5} > 1"),
            q("q5", "calculate", calculation="${q3} * 2"),
        )
    )
    assert logic_cycles(definition) == [
        [Step("q3", "relevant", "q5"), Step("q5", "calculation", "q3")]
    ]


def test_a_calculation_that_refers_to_itself():
    definition = form(page("p1", q("total", "calculate", calculation="${total} + 1")))
    assert logic_cycles(definition) == [[Step("total", "calculation", "total")]]


def test_a_constraint_may_refer_to_its_own_question():
    definition = form(page("p1", q("age", constraint="${age} >= 0 and . <= 120")))
    assert logic_cycles(definition) == []


def test_a_constraint_on_a_value_computed_from_the_same_question_is_a_cycle():
    definition = form(
        page(
            "p1",
            q("age", constraint=". < ${limit}"),
            q("limit", "calculate", calculation="${age} + 10"),
        )
    )
    assert logic_cycles(definition) == [
        [Step("age", "constraint", "limit"), Step("limit", "calculation", "age")]
    ]


def test_a_page_shown_by_a_question_on_it():
    definition = form(page("p1", q("a"), q("b"), relevant="${b} = 1"))
    assert logic_cycles(definition) == [[Step("p1", "relevant", "b"), Step("b", ON_PAGE, "p1")]]


def test_a_roster_sized_by_its_own_rows():
    definition = form(page("roster", q("age"), repeat={"count": "${age}", "max": 5}))
    assert logic_cycles(definition) == [
        [Step("roster", "repeat_count", "age"), Step("age", ON_PAGE, "roster")]
    ]


def test_choice_filters_and_dynamic_defaults_take_part():
    definition = form(
        page(
            "p1",
            q("city", "select_one", choice_filter="province = ${district}"),
            q("district", "text", default="concat(${city}, '-1')"),
            q("fixed", "integer", default="2"),  # a literal default refers to nothing
        )
    )
    assert logic_cycles(definition) == [
        [Step("city", "choice_filter", "district"), Step("district", "default", "city")]
    ]


def test_separate_cycles_are_each_reported_from_their_first_question():
    definition = form(
        page(
            "p1",
            q("a", relevant="${b} = 1"),
            q("b", relevant="${a} = 1"),
            q("c", "calculate", calculation="${e}"),
            q("d"),
            q("e", "calculate", calculation="${d} + ${c}"),
        )
    )
    assert logic_cycles(definition) == [
        [Step("a", "relevant", "b"), Step("b", "relevant", "a")],
        [Step("c", "calculation", "e"), Step("e", "calculation", "c")],
    ]


def test_unreadable_expressions_and_unknown_names_are_left_to_the_parser_checks():
    definition = form(page("p1", q("a", relevant="${a} = ("), q("b", relevant="${ghost}")))
    assert logic_cycles(definition) == []


def test_a_cycle_through_thousands_of_calculates_is_found_without_recursion():
    n = 3000
    questions = [q("c0", "calculate", calculation=f"${{c{n - 1}}} + 1")]
    questions += [q(f"c{i}", "calculate", calculation=f"${{c{i - 1}}} + 1") for i in range(1, n)]
    definition = form(page("p1", *questions))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)
    try:
        [cycle] = logic_cycles(definition)
    finally:
        sys.setrecursionlimit(limit)
    assert len(cycle) == n
    assert cycle[0] == Step("c0", "calculation", f"c{n - 1}")
    assert cycle[-1] == Step("c1", "calculation", "c0")


def test_a_roster_row_s_filter_may_leave_out_what_the_other_rows_chose():
    # "Choose each member once" (a corpus form, ipa__repeat_allows_selection.xlsx): the
    # filter of a row reads a calculate outside the roster that gathers every row's answer.
    workers = page(
        "workers",
        q("member", "select_one", path="/workers/member",
          choice_filter="not(selected(${chosen}, name)) or ${member} = name"),
        q("place", "text", path="/workers/place", choice_filter="${member} != name"),
        q("chosen", "calculate", path="/chosen", calculation="join(' ', ${member})"),
        repeat={"count": "3"},
    )  # fmt: skip
    assert logic_cycles(form(workers)) == []
    # inside the row, or outside any roster, the same shape is circular
    inside = page(
        "workers",
        q("member", "select_one", path="/workers/member", choice_filter="${chosen} != name"),
        q("chosen", "calculate", path="/workers/chosen", calculation="concat(${member}, '')"),
        repeat={"count": "3"},
    )
    assert logic_cycles(form(inside)) == [
        [Step("member", "choice_filter", "chosen"), Step("chosen", "calculation", "member")]
    ]
    flat = page("p", q("member", "select_one", choice_filter="${chosen} != name"),
                q("chosen", "calculate", calculation="join(' ', ${member})"))  # fmt: skip
    assert len(logic_cycles(form(flat))) == 1
