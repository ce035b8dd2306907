"""The XLSForm (XPath) expression language we run, without eval(). Pure: no Django.

Expressions from the `relevant`, `constraint`, `calculation`, `choice_filter`, `qc_check`,
`repeat_count` and (dynamic) `default` columns are parsed by a small tokenizer and
recursive-descent parser into a tree of tuples, then evaluated against an interview's answers.

Supported (XPath 1.0 semantics, as ODK Collect applies them):
- `${name}` references to answers; `.` the value being checked (constraints, qc_check);
- bare names such as `district` (in choice filters: a column of the choice being filtered,
  ODK style, e.g. `district = ${district}`; without a choice they read the answers);
- string literals ('yes' or "yes") and numbers (16, 0.5);
- `=  !=  <  <=  >  >=`, `and`, `or`, `+  -  *  div  mod`, unary minus, parentheses;
- functions: see _FUNCTIONS (not, true, false, selected, count-selected, if, coalesce, today,
  string-length, number, int, round, concat, string, boolean, contains, starts-with, ends-with,
  substr, floor, ceiling, abs, pow, min, max, sum, count, date, selected-at).
  Anything else raises ExpressionError when parsed, so an import can report it.

Precedence, loosest first: or; and; = !=; < <= > >=; + -; * div mod; unary minus.

Limits, so that no cell of a spreadsheet can exhaust the stack or the time of a request: an
expression has at most MAX_LENGTH characters and nests at most MAX_NESTING levels deep
(brackets, function calls and minus signs each open a level). Parsing recurses once per level
and evaluation walks chains like `a + b + c + ...` in a loop, so both stay far inside Python's
recursion limit however an expression is written. Longer or deeper expressions raise
ExpressionError when parsed, so an import refuses them.

Answer values are strings (select_one codes, text, ISO dates "YYYY-MM-DD", calculate results),
lists of strings (select_multiple), ints or floats, lists of row dicts (repeat groups, stored
under the group's name), or missing. A missing answer reads as the empty string, as in ODK:
`${q} = ''` is true, and a numeric comparison with it (`${age} >= 16`) is false because ''
converts to NaN. Dates convert to numbers as days since 1970-01-01 (so `${d} <= today()` and
`today() - ${d}` work on ISO date strings). A reference to a question inside a repeat from
outside it reads every row's value (an XPath node-set): comparisons are true when any row's value
satisfies them, and `sum()`, `count()`, `min()`, `max()` aggregate them. Inside a repeat row the
caller passes `row_scope(answers, row)`, so `${sibling}` reads that row's value.
"""

import math
import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from common.translatable import Translatable, gettext_noop

__all__ = [
    "MAX_LENGTH",
    "MAX_NESTING",
    "ExpressionError",
    "as_text",
    "bare_names",
    "compute",
    "default_value",
    "evaluate",
    "filter_choices",
    "is_dynamic",
    "is_relevant",
    "parse",
    "references",
    "row_scope",
    "satisfies_constraint",
]


MAX_LENGTH = 4000  # characters: a longer rule belongs in several calculate questions
MAX_NESTING = 40  # levels of brackets, function calls and minus signs


class ExpressionError(ValueError):
    """An expression we cannot parse or evaluate; the message quotes it (its start, when long).

    `message` is the message; it is Translatable for the limits, so a page can show it in the
    reader's language.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _quoted(expression: str) -> str:
    """The expression as error messages quote it: whole when short, its start when long."""
    if len(expression) > 80:
        return repr(expression[:60] + "…")
    return repr(expression)


# ---------------------------------------------------------------------------------------------
# Tokenizer

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<dot>\.)
  | (?P<name>[^\W\d][\w-]*(?::[^\W\d][\w-]*)?)
    """,
    re.VERBOSE,
)
_NAME = re.compile(r"^[^\W\d][\w.:-]*$")

# (kind, text, position) where kind is one of: ref, number, string, op, dot, name, end
Token = tuple[str, str, int]


def _tokenize(expression: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            raise ExpressionError(
                f"{_quoted(expression)}: unexpected character {expression[position]!r} "
                f"at position {position + 1}"
            )
        kind = match.lastgroup  # the outer group: "ref", not its inner "refname"
        if kind == "ref":
            name = match.group("refname").strip()
            if not _NAME.match(name):
                raise ExpressionError(f"{_quoted(expression)}: bad reference ${{{name}}}")
            tokens.append(("ref", name, position))
        elif kind == "string":
            tokens.append(("string", match.group()[1:-1], position))
        elif kind != "space":
            tokens.append((kind, match.group(), position))
        position = match.end()
    tokens.append(("end", "", len(expression)))
    return tokens


# ---------------------------------------------------------------------------------------------
# Parser: expression text → tree of tuples
#
#   ("lit", value)            a string or float literal
#   ("ref", name)             ${name}
#   ("name", name)            a bare name (a choice column in a choice filter)
#   ("current",)              .
#   ("or" | "and", left, right)
#   ("cmp", op, left, right)  op one of = != < <= > >=
#   ("arith", op, left, right) op one of + - * div mod
#   ("neg", operand)
#   ("call", function, [arguments])

_FUNCTIONS: dict[str, tuple[int, int | None]] = {  # name → (fewest, most arguments)
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "selected-at": (2, 2),
    "if": (3, 3),
    "coalesce": (2, 2),
    "today": (0, 0),
    "string-length": (1, 1),
    "number": (1, 1),
    "int": (1, 1),
    "round": (1, 2),
    "concat": (1, None),
    "string": (1, 1),
    "boolean": (1, 1),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "abs": (1, 1),
    "pow": (2, 2),
    "min": (1, None),
    "max": (1, None),
    "sum": (1, 1),
    "count": (1, 1),
    "date": (1, 1),
}
_KEYWORDS = {"and", "or", "div", "mod"}


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = _tokenize(expression)
        self.index = 0
        self.depth = 0  # levels open: brackets, function calls, minus signs

    # helpers
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, token: Token) -> ExpressionError:
        where = "" if token[0] == "end" else f" at position {token[2] + 1}"
        return ExpressionError(f"{_quoted(self.expression)}: {message}{where}")

    def accept(self, kind: str, *texts: str) -> Token | None:
        token = self.peek()
        if token[0] == kind and (not texts or token[1] in texts):
            return self.advance()
        return None

    def enter(self, token: Token) -> None:
        """Open one level of nesting at `token`; refuse more than MAX_NESTING."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpressionError(
                Translatable(
                    gettext_noop(
                        "%(expression)s: nested more than %(limit)d levels deep at position "
                        "%(position)d (brackets, function calls and minus signs each open a "
                        "level); simplify it or split it into calculate questions"
                    ),
                    expression=_quoted(self.expression),
                    limit=MAX_NESTING,
                    position=token[2] + 1,
                )
            )

    def leave(self) -> None:
        self.depth -= 1

    def expect_op(self, text: str) -> None:
        token = self.peek()
        if not (token[0] == "op" and token[1] == text):
            found = "the end" if token[0] == "end" else repr(token[1])
            raise self.error(f"expected {text!r}, found {found}", token)
        self.advance()

    # grammar
    def parse(self) -> tuple:
        if self.peek()[0] == "end":
            raise ExpressionError(f"{_quoted(self.expression)}: empty expression")
        tree = self.or_expr()
        token = self.peek()
        if token[0] != "end":
            raise self.error(f"unexpected {token[1]!r}", token)
        return tree

    def or_expr(self) -> tuple:
        left = self.and_expr()
        while self.accept("name", "or"):
            left = ("or", left, self.and_expr())
        return left

    def and_expr(self) -> tuple:
        left = self.equality()
        while self.accept("name", "and"):
            left = ("and", left, self.equality())
        return left

    def equality(self) -> tuple:
        left = self.relational()
        while token := self.accept("op", "=", "!="):
            left = ("cmp", token[1], left, self.relational())
        return left

    def relational(self) -> tuple:
        left = self.additive()
        while token := self.accept("op", "<", "<=", ">", ">="):
            left = ("cmp", token[1], left, self.additive())
        return left

    def additive(self) -> tuple:
        left = self.multiplicative()
        while token := self.accept("op", "+", "-"):
            left = ("arith", token[1], left, self.multiplicative())
        return left

    def multiplicative(self) -> tuple:
        left = self.unary()
        while token := (self.accept("op", "*") or self.accept("name", "div", "mod")):
            left = ("arith", token[1], left, self.unary())
        return left

    def unary(self) -> tuple:
        if token := self.accept("op", "-"):
            self.enter(token)
            operand = self.unary()
            self.leave()
            return ("neg", operand)
        return self.primary()

    def primary(self) -> tuple:
        token = self.advance()
        kind, text, _ = token
        if kind == "number":
            return ("lit", float(text))
        if kind == "string":
            return ("lit", text)
        if kind == "ref":
            return ("ref", text)
        if kind == "dot":
            return ("current",)
        if kind == "op" and text == "(":
            self.enter(token)
            inner = self.or_expr()
            self.expect_op(")")
            self.leave()
            return inner
        if kind == "name":
            if self.peek()[0] == "op" and self.peek()[1] == "(":
                return self.call(token)
            if text in _KEYWORDS or ":" in text:
                raise self.error(f"unexpected word {text!r}", token)
            return ("name", text)
        found = "the end" if kind == "end" else repr(text)
        raise self.error(f"expected a value, found {found}", token)

    def call(self, name_token: Token) -> tuple:
        name = name_token[1]
        if name not in _FUNCTIONS:
            raise self.error(
                f"unsupported function {name}() (supported: "
                f"{', '.join(f'{n}()' for n in _FUNCTIONS)})",
                name_token,
            )
        self.expect_op("(")
        self.enter(name_token)
        arguments: list[tuple] = []
        if not self.accept("op", ")"):
            arguments.append(self.or_expr())
            while self.accept("op", ","):
                arguments.append(self.or_expr())
            self.expect_op(")")
        self.leave()
        fewest, most = _FUNCTIONS[name]
        if len(arguments) < fewest or (most is not None and len(arguments) > most):
            wanted = (
                str(fewest)
                if fewest == most
                else f"{fewest} or more"
                if most is None
                else (f"{fewest} to {most}")
            )
            raise self.error(
                f"{name}() takes {wanted} argument(s), got {len(arguments)}", name_token
            )
        return ("call", name, arguments)


@lru_cache(maxsize=1024)
def parse(expression: str) -> tuple:
    """Parse an expression into a tree (see the comment above _FUNCTIONS); raise ExpressionError.

    Cached: the same few dozen expressions are evaluated for every interview.
    """
    if not isinstance(expression, str):
        raise ExpressionError(f"{expression!r}: not an expression")
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(
            Translatable(
                gettext_noop(
                    "%(expression)s: %(length)d characters long, more than the %(limit)d "
                    "allowed; split it into calculate questions"
                ),
                expression=_quoted(expression),
                length=len(expression),
                limit=MAX_LENGTH,
            )
        )
    return _Parser(expression).parse()


_BINARY = frozenset({"or", "and", "cmp", "arith"})


def _children(node: tuple) -> list[tuple]:
    if node[0] == "call":
        return list(node[2])
    return [child for child in node[1:] if isinstance(child, tuple)]


def _walk(node: tuple):
    """Every node of a tree, without recursion (a chain `a + b + ...` is as deep as it is long)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(_children(node)))


def references(expression: str) -> set[str]:
    """The question names an expression refers to with ${name}."""
    return {node[1] for node in _walk(parse(expression)) if node[0] == "ref"}


def bare_names(expression: str) -> set[str]:
    """The bare names in an expression (choice columns in a choice filter)."""
    return {node[1] for node in _walk(parse(expression)) if node[0] == "name"}


def is_dynamic(text: str) -> bool:
    """Whether a `default` cell is an expression (ODK dynamic default) rather than a literal.

    Like pyxform: a reference or a function call makes it dynamic; '2', 'yes' or '2024-01-31'
    are literals.
    """
    return "${" in text or re.search(r"[^\W\d][\w-]*\s*\(", text) is not None


# ---------------------------------------------------------------------------------------------
# Evaluation (XPath 1.0 conversions)

_EPOCH = date(1970, 1, 1)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Nodeset(tuple):
    """Values of one question across the rows of a repeat (an XPath node-set)."""


def _iso_date(text: str) -> date | None:
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


def _to_number(value: Any) -> float:
    if isinstance(value, _Nodeset):
        return _to_number(value[0]) if value else math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, date):
        return float((value - _EPOCH).days)
    text = _to_string(value).strip()
    # XPath number(): optional minus, digits, optional fraction; anything else is NaN.
    if re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
        return float(text)
    day = _iso_date(text)  # dates are stored as ISO strings; ODK compares them as days
    return float((day - _EPOCH).days) if day else math.nan


def _to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _Nodeset):
        return _to_string(value[0]) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        if any(isinstance(item, dict) for item in value):
            return ""  # a repeat's rows have no text value
        return " ".join(_to_string(item) for item in value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer():
            return str(int(value))
    return str(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, list | tuple):
        return len(value) > 0
    return _to_string(value) != ""


def _selected_values(value: Any) -> list[str]:
    if isinstance(value, _Nodeset):
        value = value[0] if value else ""
    if isinstance(value, list | tuple):
        return [_to_string(item) for item in value]
    return _to_string(value).split()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare(op: str, left: Any, right: Any) -> bool:
    # A node-set compares true when any of its values does (XPath 1.0, 3.4).
    if isinstance(left, _Nodeset):
        return any(_compare(op, item, right) for item in left)
    if isinstance(right, _Nodeset):
        return any(_compare(op, left, item) for item in right)
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = _to_bool(left) == _to_bool(right)
        elif (
            _is_number(left)
            or _is_number(right)
            or isinstance(left, date)
            or isinstance(right, date)
        ):
            equal = _to_number(left) == _to_number(right)  # NaN never equals anything
        else:
            equal = _to_string(left) == _to_string(right)
        return equal if op == "=" else not equal
    a, b = _to_number(left), _to_number(right)  # comparisons with NaN are all false
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _arith(op: str, left: Any, right: Any) -> float:
    a, b = _to_number(left), _to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
        return a / b
    # mod: XPath keeps the sign of the dividend, like fmod
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def _lookup(name: str, answers: dict) -> Any:
    if name in answers:
        value = answers[name]
        return "" if value is None else value
    # A question inside a repeat, read from outside it: every row's value.
    for value in answers.values():
        if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
            if any(name in row for row in value):
                return _Nodeset("" if row.get(name) is None else row.get(name) for row in value)
    return ""


def _items(arguments: list) -> list:
    """The values aggregated by min()/max()/sum(): node-sets and lists are spread out."""
    items: list = []
    for argument in arguments:
        if isinstance(argument, _Nodeset):
            items.extend(argument)
        elif isinstance(argument, list | tuple) and len(arguments) == 1:
            items.extend(argument)
        else:
            items.append(argument)
    return items


def _round(number: float, digits: float | None) -> float:
    if math.isnan(number) or math.isinf(number):
        return number
    if digits is None:
        return float(math.floor(number + 0.5))  # XPath 1.0: halves go towards +infinity
    # ODK (JavaRosa) rounds to n decimals half away from zero, on the decimal digits shown.
    try:
        places = Decimal(1).scaleb(-int(digits))
        return float(Decimal(repr(number)).quantize(places, rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError, OverflowError):
        return math.nan


class _Context:
    def __init__(self, answers: dict, current: Any, today: date | None, choice: dict | None):
        self.answers = answers
        self.current = current
        self.today = today
        self.choice = choice

    def today_date(self) -> date:
        if self.today is None:
            # The machine's local date; callers pass the survey's local date (Asia/Shanghai).
            self.today = datetime.now(UTC).astimezone().date()
        return self.today

    def value(self, node: tuple) -> Any:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "ref":
            return _lookup(node[1], self.answers)
        if kind == "name":
            if self.choice is not None and node[1] in self.choice:
                value = self.choice[node[1]]
                return "" if value is None else value
            return _lookup(node[1], self.answers)
        if kind == "current":
            return "" if self.current is None else self.current
        if kind in _BINARY:
            return self.chain(node)
        if kind == "neg":
            return -_to_number(self.value(node[1]))
        return self.call(node[1], node[2])

    def chain(self, node: tuple) -> Any:
        """A binary operator and those down its left side, in a loop.

        `a + b + c` is the tree ((a + b) + c): as deep as the chain is long, so it is walked
        down its left side and folded back up, evaluating the left operand first (and only
        when needed, for `and` and `or`) as the recursive definition would.
        """
        spine = []
        while node[0] in _BINARY:
            spine.append(node)
            node = node[-2]  # the left operand: ("or", left, right), ("cmp", op, left, right)
        result = self.value(node)
        for operation in reversed(spine):
            kind, right = operation[0], operation[-1]
            # A right operand that is a chain itself goes straight to chain(): one frame per
            # level of precedence instead of two.
            evaluate = self.chain if right[0] in _BINARY else self.value
            if kind == "or":
                result = _to_bool(result) or _to_bool(evaluate(right))
            elif kind == "and":
                result = _to_bool(result) and _to_bool(evaluate(right))
            elif kind == "cmp":
                result = _compare(operation[1], result, evaluate(right))
            else:
                result = _arith(operation[1], result, evaluate(right))
        return result

    def call(self, name: str, nodes: list[tuple]) -> Any:
        # if() evaluates only the branch it picks.
        if name == "if":
            return self.value(nodes[1] if _to_bool(self.value(nodes[0])) else nodes[2])
        if name == "true":
            return True
        if name == "false":
            return False
        if name == "today":
            return self.today_date()
        args = [self.value(node) for node in nodes]
        if name == "not":
            return not _to_bool(args[0])
        if name == "selected":
            return _to_string(args[1]).strip() in _selected_values(args[0])
        if name == "count-selected":
            return float(len(_selected_values(args[0])))
        if name == "selected-at":
            values, index = _selected_values(args[0]), _to_number(args[1])
            return values[int(index)] if 0 <= index < len(values) else ""
        if name == "coalesce":
            return args[0] if _to_string(args[0]) != "" else args[1]
        if name == "string-length":
            return float(len(_to_string(args[0])))
        if name == "number":
            return _to_number(args[0])
        if name == "int":
            number = _to_number(args[0])
            return number if math.isnan(number) or math.isinf(number) else float(int(number))
        if name == "round":
            return _round(_to_number(args[0]), _to_number(args[1]) if len(args) > 1 else None)
        if name == "concat":
            return "".join(_to_string(argument) for argument in args)
        if name == "string":
            return _to_string(args[0])
        if name == "boolean":
            return _to_bool(args[0])
        if name == "contains":
            return _to_string(args[1]) in _to_string(args[0])
        if name == "starts-with":
            return _to_string(args[0]).startswith(_to_string(args[1]))
        if name == "ends-with":
            return _to_string(args[0]).endswith(_to_string(args[1]))
        if name == "substr":
            return self.substr(args)
        if name in ("floor", "ceiling", "abs"):
            number = _to_number(args[0])
            if math.isnan(number) or math.isinf(number):
                return number
            return float({"floor": math.floor, "ceiling": math.ceil, "abs": abs}[name](number))
        if name == "pow":
            try:
                return float(math.pow(_to_number(args[0]), _to_number(args[1])))
            except (OverflowError, ValueError):
                return math.nan
        if name in ("min", "max"):
            numbers = [_to_number(item) for item in _items(args)]
            if not numbers or any(math.isnan(number) for number in numbers):
                return math.nan
            return min(numbers) if name == "min" else max(numbers)
        if name == "sum":
            return float(sum(_to_number(item) for item in _items(args)))
        if name == "count":
            value = args[0]
            if isinstance(value, list | tuple):
                return float(len(value))
            return 1.0 if _to_string(value) != "" else 0.0
        # date
        value = args[0]
        if isinstance(value, date):
            return value
        number = _to_number(value)
        if math.isnan(number) or math.isinf(number) or abs(number) > 2_000_000:
            return ""
        return _EPOCH + timedelta(days=math.floor(number))

    @staticmethod
    def substr(args: list) -> str:
        # XPath substring() is 1-based; ODK's substr() is 0-based with an exclusive end.
        text = _to_string(args[0])
        start = _to_number(args[1])
        end = _to_number(args[2]) if len(args) > 2 else len(text)
        if math.isnan(start) or math.isnan(end):
            return ""
        return text[max(int(start), 0) : max(int(min(end, len(text))), 0)]


def compute(
    expression: str,
    answers: dict,
    current: Any = None,
    *,
    today: date | None = None,
    choice: dict | None = None,
) -> Any:
    """The raw value of `expression`: str, float, bool, datetime.date, or a list.

    `answers` is {question name: value}; `current` is `.`; `today` is the date `today()`
    returns (default: the machine's local date); `choice` maps a choice's columns (`name` and
    its extra columns) for the bare names of a choice filter.
    """
    return _Context(answers, current, today, choice).value(parse(expression))


def evaluate(
    expression: str,
    answers: dict,
    current: Any = None,
    *,
    today: date | None = None,
    choice: dict | None = None,
) -> bool:
    """Evaluate `expression` against `answers` as a boolean (relevant, constraint, qc_check)."""
    return _to_bool(compute(expression, answers, current, today=today, choice=choice))


def as_text(value: Any) -> str:
    """A computed value as the string ODK stores for a `calculate` ('' for NaN)."""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _to_string(value)


def row_scope(answers: dict, row: dict) -> dict:
    """The answers as seen from inside one repeat row: the row's own values win."""
    return {**answers, **row}


def is_relevant(question_or_group: dict, answers: dict, *, today: date | None = None) -> bool:
    """Whether a question or group (a definition dict) is shown, given the answers so far.

    Only the element's own `relevant` is checked: a question inside an irrelevant group is
    irrelevant too, and the caller checks the group first.
    """
    expression = question_or_group.get("relevant")
    return not expression or evaluate(expression, answers, today=today)


def satisfies_constraint(
    question: dict, answers: dict, value: Any, *, today: date | None = None
) -> bool:
    """Whether `value` passes the question's constraint. Empty answers are not checked (ODK)."""
    expression = question.get("constraint")
    if not expression or value is None or value == "" or value == []:
        return True
    return evaluate(expression, answers, current=value, today=today)


def filter_choices(
    question: dict, choices: list[dict], answers: dict, *, today: date | None = None
) -> list[dict]:
    """The choices (definition dicts) that the question's choice_filter lets through.

    Inside the filter a bare name reads the choice's column: `name` is its value, and its
    extra columns (choices sheet) are there by their header.
    """
    expression = question.get("choice_filter")
    if not expression:
        return list(choices)
    return [
        choice
        for choice in choices
        if evaluate(
            expression,
            answers,
            today=today,
            choice={**choice.get("extra", {}), "name": choice["value"]},
        )
    ]


def default_value(question: dict, answers: dict, *, today: date | None = None) -> Any:
    """The question's default answer: None, the literal (a list of codes for select_multiple),
    or the value of a dynamic default expression (as text)."""
    default = question.get("default")
    if not default:
        return None
    if is_dynamic(default):
        default = as_text(compute(default, answers, today=today))
    if question.get("type") == "select_multiple":
        return default.split()
    return default
