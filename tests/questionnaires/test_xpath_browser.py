"""Which expressions the page runs in the browser: the subset live.js evaluates as the server
does, as the parser's tree; everything else waits for the server."""

import pytest

from questionnaires.xpath.browser import browser_program, names_in


@pytest.mark.parametrize(
    "expression",
    ["${a} = 'yes'", "selected(${b}, 'x') and ${age} >= 18", "not(${c} != '')",
     "count-selected(${b}) > 1 or -${x} + 2 * 3 < 0", "if(${a} = '1', 'y', 'n')",
     "string-length(concat(${a}, ${b})) > 2", "coalesce(${a}, ${b}) != ''", "true()"],
)  # fmt: skip
def test_the_browser_gets_the_tree_of_what_it_runs(expression):
    program = browser_program(expression)
    assert program is not None and program[0] in ("cmp", "and", "or", "call")


@pytest.mark.parametrize(
    "expression",
    ["today() > ${d}", "regex(${a}, '^1')", "${n} mod 2 = 0", "string-length(.) > 2",
     "count(${rows}) > 1", "instance('l')/root/item[name=${a}]/label = 'x'", "position(..) = 1",
     "${a} = ", None, ""],
)  # fmt: skip
def test_what_the_browser_does_not_run_waits_for_the_server(expression):
    assert browser_program(expression) is None


def test_the_names_a_program_reads():
    program = browser_program("selected(${b}, 'x') and (${age} >= 18 or not(${c}))")
    assert names_in(program) == {"b", "age", "c"}
