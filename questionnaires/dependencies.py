"""Circular logic in a questionnaire definition. Pure: no Django.

A question depends on every question its relevant, calculation, default (when it is an
expression), choice_filter or constraint refers to, and on the page it is on (a page that is
not shown hides its questions); a page depends on what its relevant and its repeat_count
refer to. A cycle in these dependencies ("relevant of q3 depends on q5, whose calculation
depends on q3") has no order in which the interview could evaluate it, so the import refuses it.
A constraint may refer to its own question (`${q}` is `.` there); nothing else may.

The definition's shape is documented in questionnaires.xlsform.
"""

from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

from questionnaires.xpath import ExpressionError, is_dynamic, references

__all__ = ["ON_PAGE", "Step", "logic_cycles"]

# The columns whose references are dependencies, in the order a cycle is told when a question
# depends on another through several of them.
_QUESTION_COLUMNS = ("relevant", "calculation", "default", "choice_filter", "constraint")
ON_PAGE = "page"  # the column of a step from a question to the page it is on
# A choice_filter of a question in a roster that refers outside the roster is no step of a
# cycle: what lies outside reads the roster's questions only across all rows, so the filter
# of one row reads the other rows' answers ("choose each member once": the filter leaves out
# the members chosen in the other rows, gathered by a calculate). ODK Collect does not count
# choice filters in its dependency graph at all; the wizard evaluates a filter when it shows
# the page.


@dataclass(frozen=True)
class Step:
    """`name` depends on `target` through its `column` (or ON_PAGE: `name` is on page `target`)."""

    name: str
    column: str
    target: str


def logic_cycles(definition: dict) -> list[list[Step]]:
    """The cycles in the definition's logic, each once, as steps around the cycle.

    Each cycle starts at its element that comes first in the questionnaire, through one of its
    columns (never ON_PAGE), and its last step leads back to that element. Cycles that share an
    element are reported as the first of them found; the one left is found after it is fixed.
    Expressions that do not parse are left out (the import reports them on their own).
    """
    edges, order = _edges(definition)
    position: dict[str, int] = {}
    for index, name in enumerate(order):
        position.setdefault(_shown(name), index)
    remaining = dict(edges)
    cycles: list[list[Step]] = []
    while True:
        graph = {name: set(targets) & remaining.keys() for name, targets in remaining.items()}
        try:
            TopologicalSorter(graph).prepare()
        except CycleError as err:
            # err.args[1] lists nodes that each come before (are depended on by) the next one.
            ring = list(reversed(err.args[1]))[:-1]
        else:
            return cycles
        steps = [
            Step(_shown(name), edges[name][target], _shown(target))
            for name, target in zip(ring, ring[1:] + ring[:1], strict=True)
        ]
        start = min(
            (index for index, step in enumerate(steps) if step.column != ON_PAGE),
            key=lambda index: position.get(steps[index].name, 0),
            default=0,
        )
        cycles.append(steps[start:] + steps[:start])
        for name in ring:
            del remaining[name]


def _shown(key) -> str:
    """A page's key is ("page", name), so that a page and a question may share a name."""
    return key[1] if isinstance(key, tuple) else key


def _edges(definition: dict) -> tuple[dict, list]:
    """{name: {what it depends on: through which column}} and every name in questionnaire order."""
    order: list = []
    for group in definition["groups"]:
        order.append(("page", group["name"]))
        order.extend(question["name"] for question in group["questions"])
    known = set(order)
    edges: dict[str, dict[str, str]] = {name: {} for name in order}

    def add(name: str, column: str, expression: str | None, beside: set | None = None) -> None:
        if not expression:
            return
        try:
            targets = references(expression)
        except ExpressionError:
            return
        for target in sorted(targets & known):
            if column in ("constraint", "choice_filter") and target == name:
                continue
            if column == "choice_filter" and beside is not None and target not in beside:
                continue  # a roster row's filter reads the other rows: see _ROW_FILTERS
            edges[name].setdefault(target, column)

    for group in definition["groups"]:
        inside = (group.get("path") or "/" + group["name"]) + "/"
        beside = (
            {q["name"] for q in group["questions"] if (q.get("path") or inside).startswith(inside)}
            if group.get("repeat")
            else None
        )
        add(("page", group["name"]), "relevant", group.get("relevant"))
        add(("page", group["name"]), "repeat_count", (group.get("repeat") or {}).get("count"))
        for question in group["questions"]:
            for column in _QUESTION_COLUMNS:
                expression = question.get(column)
                if column == "default" and not (expression and is_dynamic(expression)):
                    continue
                add(question["name"], column, expression, beside)
            edges[question["name"]].setdefault(("page", group["name"]), ON_PAGE)
    return edges, order
