"""Which expressions the interview page may evaluate in the browser, and in what form. Pure.

The page recomputes relevance and calculates of its own questions as the interviewer answers
(static/js/live.js), so that a question appears the moment its condition is met. The browser
gets the parsed tree (questionnaires.xpath.parser's tuples, as JSON lists) of an expression
only when every node is in the subset live.js runs with the same semantics as the server's
evaluator: literals, `${name}` and bare names, comparisons, and/or, arithmetic, unary minus,
and the functions in BROWSER_FUNCTIONS. Anything else (paths, instance(), dates, regex, ...)
gives None: the page then waits for the server, which checks what the browser showed (the
form's `shown` field) and stays the authority for every answer it stores.
"""

from questionnaires.xpath.errors import ExpressionError
from questionnaires.xpath.parser import parse

__all__ = ["BROWSER_FUNCTIONS", "browser_program", "names_in"]

BROWSER_FUNCTIONS = frozenset({
    "selected", "count-selected", "not", "true", "false", "string-length", "number", "string",
    "concat", "if", "coalesce", "contains", "starts-with", "ends-with", "boolean", "int",
})  # fmt: skip
_NODES = {"lit", "ref", "name", "cmp", "and", "or", "arith", "neg", "call"}


def _runs_here(node) -> bool:
    kind = node[0]
    if kind not in _NODES:
        return False
    if kind in ("lit", "ref", "name"):
        return True
    if kind == "neg":
        return _runs_here(node[1])
    if kind == "call":
        return node[1] in BROWSER_FUNCTIONS and all(_runs_here(a) for a in node[2])
    if kind == "cmp" or kind == "arith":
        return node[1] != "mod" and _runs_here(node[2]) and _runs_here(node[3])
    return _runs_here(node[1]) and _runs_here(node[2])  # and, or


def browser_program(expression: str | None):
    """The expression's tree for the browser, or None when the browser cannot run it."""
    if not expression:
        return None
    try:
        tree = parse(expression)
    except ExpressionError:
        return None
    return tree if _runs_here(tree) else None


def names_in(tree) -> set[str]:
    """The answer names a browser program reads."""
    if not isinstance(tree, tuple | list) or not tree:
        return set()
    if tree[0] in ("ref", "name"):
        return {tree[1]}
    found: set[str] = set()
    for part in tree[1:]:
        if isinstance(part, list):
            for item in part:
                found |= names_in(item)
        elif isinstance(part, tuple):
            found |= names_in(part)
    return found
