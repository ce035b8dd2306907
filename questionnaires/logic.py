"""Skip and validation logic: the XLSForm (XPath) expression subset we run. Pure: no Django.

`relevant` and `constraint` expressions are parsed by a small tokenizer and recursive-descent
parser into a tree of tuples, then evaluated against an interview's answers. Nothing is passed to
Python's eval().

Supported (XPath 1.0 semantics, as ODK Collect applies them):
- `${name}` references to other answers; `.` the value being checked (constraints);
- string literals ('yes' or "yes") and numbers (16, 0.5);
- `=  !=  <  <=  >  >=`, `and`, `or`, `not(...)`, `true()`, `false()`, parentheses;
- `+  -  *  div  mod` and unary minus;
- `selected(${q}, 'v')` and `count-selected(${q})`.

Precedence, loosest first: or; and; = !=; < <= > >=; + -; * div mod; unary minus.

Answer values are strings (select_one codes, text), lists of strings (select_multiple), ints or
floats, or missing. A missing answer reads as the empty string, as in ODK: `${q} = ''` is true,
and a numeric comparison with it (`${age} >= 16`) is false because '' converts to NaN.
"""

import math
import re
from functools import lru_cache
from typing import Any

__all__ = [
    "ExpressionError",
    "evaluate",
    "is_relevant",
    "parse",
    "references",
    "satisfies_constraint",
]


class ExpressionError(ValueError):
    """An expression we cannot parse or evaluate; the message quotes it."""


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
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
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
                f"{expression!r}: unexpected character {expression[position]!r} "
                f"at position {position + 1}"
            )
        kind = match.lastgroup  # the outer group: "ref", not its inner "refname"
        if kind == "ref":
            name = match.group("refname").strip()
            if not _NAME.match(name):
                raise ExpressionError(f"{expression!r}: bad reference ${{{name}}}")
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
#   ("current",)              .
#   ("or" | "and", left, right)
#   ("cmp", op, left, right)  op one of = != < <= > >=
#   ("arith", op, left, right) op one of + - * div mod
#   ("neg", operand)
#   ("call", function, [arguments])

_FUNCTIONS = {  # name → number of arguments
    "not": 1,
    "selected": 2,
    "count-selected": 1,
    "true": 0,
    "false": 0,
}


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = _tokenize(expression)
        self.index = 0

    # helpers
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, token: Token) -> ExpressionError:
        where = "" if token[0] == "end" else f" at position {token[2] + 1}"
        return ExpressionError(f"{self.expression!r}: {message}{where}")

    def accept(self, kind: str, *texts: str) -> Token | None:
        token = self.peek()
        if token[0] == kind and (not texts or token[1] in texts):
            return self.advance()
        return None

    def expect_op(self, text: str) -> None:
        token = self.peek()
        if not (token[0] == "op" and token[1] == text):
            found = "the end" if token[0] == "end" else repr(token[1])
            raise self.error(f"expected {text!r}, found {found}", token)
        self.advance()

    # grammar
    def parse(self) -> tuple:
        if self.peek()[0] == "end":
            raise ExpressionError(f"{self.expression!r}: empty expression")
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
        if self.accept("op", "-"):
            return ("neg", self.unary())
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
            inner = self.or_expr()
            self.expect_op(")")
            return inner
        if kind == "name":
            if self.peek()[0] == "op" and self.peek()[1] == "(":
                return self.call(token)
            raise self.error(f"unexpected word {text!r}", token)
        found = "the end" if kind == "end" else repr(text)
        raise self.error(f"expected a value, found {found}", token)

    def call(self, name_token: Token) -> tuple:
        name = name_token[1]
        if name not in _FUNCTIONS:
            supported = ", ".join(f"{n}()" for n in _FUNCTIONS)
            raise self.error(f"unsupported function {name}() (supported: {supported})", name_token)
        self.expect_op("(")
        arguments: list[tuple] = []
        if not self.accept("op", ")"):
            arguments.append(self.or_expr())
            while self.accept("op", ","):
                arguments.append(self.or_expr())
            self.expect_op(")")
        if len(arguments) != _FUNCTIONS[name]:
            raise self.error(
                f"{name}() takes {_FUNCTIONS[name]} argument(s), got {len(arguments)}", name_token
            )
        return ("call", name, arguments)


@lru_cache(maxsize=1024)
def parse(expression: str) -> tuple:
    """Parse an expression into a tree (see the comment above _FUNCTIONS); raise ExpressionError.

    Cached: the same few dozen expressions are evaluated for every interview.
    """
    return _Parser(expression).parse()


def references(expression: str) -> set[str]:
    """The question names an expression refers to with ${name}."""
    found: set[str] = set()

    def walk(node: tuple) -> None:
        if node[0] == "ref":
            found.add(node[1])
        elif node[0] == "call":
            for argument in node[2]:
                walk(argument)
        else:
            for child in node[1:]:
                if isinstance(child, tuple):
                    walk(child)

    walk(parse(expression))
    return found


# ---------------------------------------------------------------------------------------------
# Evaluation (XPath 1.0 conversions)


def _to_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    text = _to_string(value).strip()
    # XPath number(): optional minus, digits, optional fraction; anything else is NaN.
    if re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
        return float(text)
    return math.nan


def _to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return " ".join(_to_string(item) for item in value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
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
    if isinstance(value, list | tuple):
        return [_to_string(item) for item in value]
    return _to_string(value).split()


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = _to_bool(left) == _to_bool(right)
        elif _is_number(left) or _is_number(right):
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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
    return math.nan if b == 0 else math.fmod(a, b)


def _value(node: tuple, answers: dict, current: Any) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "ref":
        value = answers.get(node[1])
        return "" if value is None else value
    if kind == "current":
        return "" if current is None else current
    if kind == "or":
        return _to_bool(_value(node[1], answers, current)) or _to_bool(
            _value(node[2], answers, current)
        )
    if kind == "and":
        return _to_bool(_value(node[1], answers, current)) and _to_bool(
            _value(node[2], answers, current)
        )
    if kind == "cmp":
        return _compare(
            node[1], _value(node[2], answers, current), _value(node[3], answers, current)
        )
    if kind == "arith":
        return _arith(node[1], _value(node[2], answers, current), _value(node[3], answers, current))
    if kind == "neg":
        return -_to_number(_value(node[1], answers, current))
    # call
    name, arguments = node[1], [_value(argument, answers, current) for argument in node[2]]
    if name == "not":
        return not _to_bool(arguments[0])
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "selected":
        return _to_string(arguments[1]).strip() in _selected_values(arguments[0])
    return float(len(_selected_values(arguments[0])))  # count-selected


def evaluate(expression: str, answers: dict, current: Any = None) -> bool:
    """Evaluate `expression` against `answers` ({question name: value}); `current` is `.`."""
    return _to_bool(_value(parse(expression), answers, current))


def is_relevant(question_or_group: dict, answers: dict) -> bool:
    """Whether a question or group (a definition dict) is shown, given the answers so far.

    Only the element's own `relevant` is checked: a question inside an irrelevant group is
    irrelevant too, and the caller checks the group first.
    """
    expression = question_or_group.get("relevant")
    return not expression or evaluate(expression, answers)


def satisfies_constraint(question: dict, answers: dict, value: Any) -> bool:
    """Whether `value` passes the question's constraint. Empty answers are not checked (ODK)."""
    expression = question.get("constraint")
    if not expression or value is None or value == "" or value == []:
        return True
    return evaluate(expression, answers, current=value)
