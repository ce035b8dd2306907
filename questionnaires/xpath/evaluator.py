"""Evaluation of a parsed expression against an interview's answers. Pure: no Django.

`answers` is {question name: value}; inside a repeat row the caller passes the row's values
over the others (row_scope), so `${sibling}` and `../sibling` read that row's value. A question
inside a repeat, read from outside it, is every row's value (a Nodeset). `Interview` carries
what some functions need beyond the answers: the clock, the seed of random(), the case's public
id (SurveyCTO's `caseid`), the choice lists (instance('list') and jr:choice-name), attached CSV
data (pulldata and instance('file')), and the row's position in each repeat it is in.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from common.labels import localized
from questionnaires.xpath.errors import ExpressionError, quoted
from questionnaires.xpath.functions import EAGER
from questionnaires.xpath.parser import BINARY, parse
from questionnaires.xpath.values import (
    Nodeset,
    arith,
    compare,
    is_number,
    to_bool,
    to_number,
    to_string,
)

__all__ = ["Interview", "compute"]


@dataclass(frozen=True)
class Interview:
    """What an expression may read besides the answers. All optional."""

    today: date | None = None  # today(): the survey's local date (default: the machine's)
    now: datetime | None = None  # now(): default the machine's clock
    started: datetime | None = None  # when the interview began: SurveyCTO's duration()
    seed: str = ""  # random() is the same for the same interview, expression and call
    case_id: str = ""  # SurveyCTO's caseid: the case's public id
    language: str | None = None  # the language labels are read in (default: the first)
    choice_lists: dict = field(default_factory=dict)  # list name → choices (definition dicts)
    question_lists: dict = field(default_factory=dict)  # question name → its list's name
    data: dict = field(default_factory=dict)  # attached file's name (no extension) → rows
    positions: tuple = ()  # 1-based row number in each enclosing repeat, innermost last


_NONE = Interview()


class _Items(Nodeset):
    """Items of an instance() (choices or rows of an attached file), each a dict."""


def _label(label: Any, language: str | None) -> str:
    """A label in the interview's language (`zh-hans` finds `zh`), else English, else any."""
    return localized(label, language) if isinstance(label, dict | str) else ""


def _lookup(name: str, answers: dict) -> Any:
    if name in answers:
        value = answers[name]
        return "" if value is None else value
    # A question inside a repeat, read from outside it: every row's value.
    for value in answers.values():
        if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
            if any(name in row for row in value):
                return Nodeset("" if row.get(name) is None else row.get(name) for row in value)
    return ""


class _Context:
    def __init__(self, expression: str, answers: dict, current: Any, interview: Interview,
                 choice: dict | None) -> None:  # fmt: skip
        self.expression = expression
        self.answers = answers
        self.current = current
        self.interview = interview
        self.choice = choice
        self.random_calls = 0
        self.item_position: int | None = None  # position() inside an instance() predicate

    def error(self, message: str) -> ExpressionError:
        return ExpressionError(f"{quoted(self.expression)}: {message}")

    def value(self, node: tuple) -> Any:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "ref":
            return _lookup(node[1], self.answers)
        if kind == "name":
            return self.bare(node[1])
        if kind == "current":
            return "" if self.current is None else self.current
        if kind in BINARY:
            return self.chain(node)
        if kind == "neg":
            return -to_number(self.value(node[1]))
        if kind == "path":
            return self.path(node[1], node[2])
        return self.call(node[1], node[2])

    def bare(self, name: str) -> Any:
        if self.choice is not None and name in self.choice:
            value = self.choice[name]
            return "" if value is None else value
        if name in self.answers or self.choice is not None:
            return _lookup(name, self.answers)
        if name == "null":  # SurveyCTO: the empty value
            return ""
        if name == "caseid":  # SurveyCTO: the case's id
            return self.interview.case_id
        return _lookup(name, self.answers)

    def chain(self, node: tuple) -> Any:
        """A binary operator and those down its left side, in a loop: `a + b + c` is as deep
        as it is long, so it is walked down its left side and folded back up, evaluating the
        left operand first (and the right only when needed, for `and` and `or`)."""
        spine = []
        while node[0] in BINARY:
            spine.append(node)
            node = node[-2]  # the left operand: ("or", left, right), ("cmp", op, left, right)
        result = self.value(node)
        for operation in reversed(spine):
            kind, right = operation[0], operation[-1]
            evaluate = self.chain if right[0] in BINARY else self.value
            if kind == "or":
                result = to_bool(result) or to_bool(evaluate(right))
            elif kind == "and":
                result = to_bool(result) and to_bool(evaluate(right))
            elif kind == "cmp":
                result = compare(operation[1], result, evaluate(right))
            elif kind == "union":
                result = Nodeset((*_as_nodes(result), *_as_nodes(evaluate(right))))
            else:
                result = arith(operation[1], result, evaluate(right))
        return result

    # paths -----------------------------------------------------------------------------------

    def path(self, base: Any, steps: list) -> Any:
        if isinstance(base, tuple) and base[:2] == ("call", "instance"):
            return self.instance_path(self.instance(base[2]), steps)
        if isinstance(base, tuple) and base[:2] != ("call", "current"):
            raise self.error("a path may start only with /, ., .., instance() or current()")
        named = [step for step in steps if step[0] == "child"]
        if any(predicates for _, _, predicates in named):
            raise self.error("conditions in [ ] work on instance() lists only")
        if not named:
            return "" if self.current is None else self.current
        return _lookup(named[-1][1], self.answers)  # names are unique in a form (pyxform)

    def instance(self, arguments: list) -> _Items:
        name = to_string(self.value(arguments[0]))
        interview = self.interview
        if name in interview.choice_lists:
            return _Items(
                {
                    **choice.get("extra", {}),
                    "name": choice["value"],
                    "label": _label(choice.get("label"), interview.language),
                }  # fmt: skip
                for choice in interview.choice_lists[name]
            )
        if name in interview.data:
            return _Items(dict(row) for row in interview.data[name])
        raise self.error(f"no choice list or attached file named {name!r}")

    def instance_path(self, found: _Items, steps: list) -> Any:
        # instance('x')/root/item[...]/column: root and item name the list's items.
        remaining = list(steps)
        if remaining and remaining[0][:2] == ("child", "root"):
            remaining.pop(0)
        if not remaining or remaining[0][1] != "item":
            raise self.error("an instance() path goes /root/item")
        for predicate in remaining.pop(0)[2]:
            found = self.select(found, predicate)
        if not remaining:
            return found
        if len(remaining) > 1 or remaining[0][0] != "child" or remaining[0][2]:
            raise self.error("an instance() path ends at one column of its items")
        column = remaining[0][1]
        return Nodeset(to_string(item.get(column)) for item in found)

    def select(self, found: _Items, predicate: tuple) -> _Items:
        kept = []
        for position, item in enumerate(found, start=1):
            inner = _Context(self.expression, self.answers, self.current, self.interview, item)
            inner.item_position = position
            result = inner.value(predicate)
            if is_number(result) and not isinstance(result, bool):
                if result == position:
                    kept.append(item)
            elif to_bool(result):
                kept.append(item)
        return _Items(kept)

    # functions -------------------------------------------------------------------------------

    def call(self, name: str, nodes: list[tuple]) -> Any:
        special = getattr(self, "call_" + name.replace("-", "_").replace(":", "_"), None)
        if special is not None:
            return special(nodes)
        function = EAGER.get(name)
        if function is None:
            raise self.error(f"unsupported function {name}()")
        return function([self.value(node) for node in nodes])

    def call_if(self, nodes: list) -> Any:  # only the branch it picks is evaluated
        return self.value(nodes[1] if to_bool(self.value(nodes[0])) else nodes[2])

    def call_coalesce(self, nodes: list) -> Any:
        for node in nodes:
            value = self.value(node)
            if to_string(value) != "":
                return value
        return ""

    def call_once(self, nodes: list) -> Any:
        """The value already there (`.`), or else the argument: computed once, kept after."""
        if self.current is not None and to_string(self.current) != "":
            return self.current
        return self.value(nodes[0])

    def call_current(self, nodes: list) -> Any:
        return "" if self.current is None else self.current

    def call_instance(self, nodes: list) -> Any:
        return self.instance(nodes)

    def call_today(self, nodes: list) -> date:
        return self.interview.today or datetime.now(UTC).astimezone().date()

    def call_now(self, nodes: list) -> datetime:
        return self.interview.now or datetime.now(UTC).astimezone()

    def call_duration(self, nodes: list) -> float:
        """SurveyCTO: seconds since the interview began."""
        if self.interview.started is None:
            return math.nan
        return (self.call_now(nodes) - self.interview.started).total_seconds()

    def call_random(self, nodes: list) -> float:
        self.random_calls += 1
        if not self.interview.seed:
            return random.random()  # noqa: S311 (not for security)
        key = f"{self.interview.seed}|{self.expression}|{self.random_calls}"
        return random.Random(key).random()  # noqa: S311

    def call_position(self, nodes: list) -> float:
        if not nodes:
            if self.item_position is not None:
                return float(self.item_position)
            nodes = [("path", ".", [("parent", "", [])])]
        node = nodes[0]
        if node[0] != "path" or node[1] != "." or any(s[0] != "parent" for s in node[2]):
            raise self.error("position() takes .. (the repeat's row) or ../.. and so on")
        positions = self.interview.positions
        depth = len(node[2])
        return float(positions[-depth]) if depth <= len(positions) else math.nan

    def call_indexed_repeat(self, nodes: list) -> Any:
        if len(nodes) % 2 == 0:
            raise self.error("indexed-repeat() takes a question, then repeats and row numbers")
        target = _name_of(nodes[0])
        scope: Any = self.answers
        for index in range(1, len(nodes), 2):
            rows = scope.get(_name_of(nodes[index])) if isinstance(scope, dict) else None
            number = to_number(self.value(nodes[index + 1]))
            if not isinstance(rows, list) or math.isnan(number) or not 1 <= number <= len(rows):
                return ""
            scope = rows[int(number) - 1]
        value = scope.get(target) if isinstance(scope, dict) else None
        return "" if value is None else value

    def call_count(self, nodes: list) -> float:
        value = self.value(nodes[0])
        if isinstance(value, list | tuple):
            return float(len(value))
        return 1.0 if to_string(value) != "" else 0.0

    def call_count_non_empty(self, nodes: list) -> float:
        return float(sum(1 for item in _as_nodes(self.value(nodes[0])) if to_string(item)))

    def call_jr_choice_name(self, nodes: list) -> str:
        value = to_string(self.value(nodes[0]))
        question = to_string(self.value(nodes[1])).strip().removeprefix("${").removesuffix("}")
        question = question.rstrip("/").rsplit("/", 1)[-1]
        listed = self.interview.question_lists.get(question)
        if listed is None:
            raise self.error(f"jr:choice-name(): {question!r} is not a select question")
        for choice in self.interview.choice_lists.get(listed, []):
            if choice["value"] == value:
                return _label(choice.get("label"), self.interview.language)
        return ""

    def call_pulldata(self, nodes: list) -> str:
        source, column, key_column, key = (to_string(self.value(node)) for node in nodes)
        for row in self.interview.data.get(source.removesuffix(".csv"), []):
            if to_string(row.get(key_column)) == key:
                return to_string(row.get(column))
        return ""


def _as_nodes(value: Any) -> tuple:
    if isinstance(value, Nodeset):
        return tuple(value)
    return (value,)


def _name_of(node: tuple) -> str:
    if node[0] in ("ref", "name"):
        return node[1]
    if node[0] == "path":
        named = [step[1] for step in node[2] if step[0] == "child"]
        if named:
            return named[-1]
    raise ExpressionError("indexed-repeat() names questions and repeats as ${name}")


def compute(expression: str, answers: dict, current: Any = None, *,
            interview: Interview | None = None, choice: dict | None = None) -> Any:  # fmt: skip
    """The raw value of `expression`: str, float, bool, date, datetime, a list or Nodeset."""
    context = _Context(expression, answers, current, interview or _NONE, choice)
    return context.value(parse(expression))
