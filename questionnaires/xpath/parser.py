"""Tokens → a tree of tuples, by recursive descent. Pure: no Django.

    ("lit", value)             a string or float literal
    ("ref", name)              ${name}
    ("name", name)             a bare name: a choice's column in a choice filter or predicate,
                               else the answer of that name
    ("current",)               .
    ("path", base, steps)      a location path: base is "/" (absolute), "." (relative) or a
                               node (instance('list')/root/item); steps are (axis, name,
                               [predicates]) with axis "child", "parent" or "self"
    ("or" | "and", left, right)
    ("cmp", op, left, right)   op one of = != < <= > >=
    ("arith", op, left, right) op one of + - * div mod
    ("union", left, right)     |
    ("neg", operand)
    ("call", function, [arguments])

Precedence, loosest first: or; and; = !=; < <= > >=; + -; * div mod; unary minus; |; paths.
A function the engine does not run does not stop the parse: every one is collected and the
parse ends with one UnsupportedFunction naming them all.
"""

from functools import lru_cache

from questionnaires.xpath.errors import (
    MAX_LENGTH,
    MAX_NESTING,
    ExpressionError,
    UnsupportedFunction,
    quoted,
    too_deep,
    too_long,
)
from questionnaires.xpath.functions import ARITY
from questionnaires.xpath.lexer import Token, tokenize

__all__ = ["parse", "walk"]

_KEYWORDS = {"and", "or", "div", "mod"}
_OPERATORS = {"=": (3, "cmp"), "!=": (3, "cmp"), "<": (4, "cmp"), "<=": (4, "cmp"),
              ">": (4, "cmp"), ">=": (4, "cmp"), "+": (5, "arith"), "-": (5, "arith"),
              "*": (6, "arith")}  # fmt: skip
BINARY = frozenset({"or", "and", "cmp", "arith", "union"})


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = tokenize(expression)
        self.index = 0
        self.depth = 0  # levels open: brackets, function calls, predicates, minus signs
        self.unsupported: list[str] = []

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, token: Token) -> ExpressionError:
        where = "" if token[0] == "end" else f" at position {token[2] + 1}"
        return ExpressionError(f"{quoted(self.expression)}: {message}{where}")

    def accept(self, kind: str, *texts: str) -> Token | None:
        token = self.peek()
        if token[0] == kind and (not texts or token[1] in texts):
            return self.advance()
        return None

    def at(self, kind: str, text: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token[0] == kind and token[1] == text

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise too_deep(self.expression, token[2] + 1)

    def expect_op(self, text: str) -> None:
        token = self.peek()
        if not (token[0] == "op" and token[1] == text):
            found = "the end" if token[0] == "end" else repr(token[1])
            raise self.error(f"expected {text!r}, found {found}", token)
        self.advance()

    def parse(self) -> tuple:
        if self.peek()[0] == "end":
            raise ExpressionError(f"{quoted(self.expression)}: empty expression")
        tree = self.binary()
        token = self.peek()
        if token[0] != "end":
            raise self.error(f"unexpected {token[1]!r}", token)
        if self.unsupported:
            names = ", ".join(f"{name}()" for name in self.unsupported)
            raise UnsupportedFunction(
                f"{quoted(self.expression)}: unsupported function(s) {names}", self.unsupported
            )
        return tree

    def operator(self, token: Token) -> tuple[int, str] | None:
        """(precedence, node kind) of a binary operator token, loosest 1; None otherwise."""
        kind, text, _ = token
        if kind == "name":
            return {"or": (1, "or"), "and": (2, "and"), "div": (6, "arith"),
                    "mod": (6, "arith")}.get(text)  # fmt: skip
        if kind == "op":
            return _OPERATORS.get(text)
        return None

    def binary(self, minimum: int = 1) -> tuple:
        """Operators by precedence climbing: one frame per level of precedence used."""
        left = self.unary()
        while (info := self.operator(self.peek())) and info[0] >= minimum:
            token = self.advance()
            right = self.binary(info[0] + 1)
            kind = info[1]
            left = (kind, left, right) if kind in ("or", "and") else (kind, token[1], left, right)
        return left

    def unary(self) -> tuple:
        if token := self.accept("op", "-"):
            self.enter(token)
            operand = self.unary()
            self.depth -= 1
            return ("neg", operand)
        left = self.path()
        while self.accept("op", "|"):
            left = ("union", "|", left, self.path())
        return left

    def path(self) -> tuple:
        """A location path, or a primary value followed by `/steps` (instance('x')/root)."""
        token = self.peek()
        if token[0] == "op" and token[1] == "/":
            self.advance()
            return ("path", "/", self.steps())
        if (
            token[0] == "parent"
            or (token[0] == "dot" and self.at("op", "/", 1))
            or (
                token[0] == "name"
                and not self.at("op", "(", 1)
                and (self.at("op", "/", 1) or self.at("op", "[", 1))
            )
        ):
            return ("path", ".", self.steps())
        base = self.primary()
        if self.accept("op", "/"):
            return ("path", base, self.steps())
        return base

    def steps(self) -> list:
        steps = []
        while True:
            token = self.advance()
            if token[0] == "parent":
                steps.append(("parent", "", []))
            elif token[0] == "dot":
                steps.append(("self", "", []))
            elif token[0] == "name" and token[1] not in _KEYWORDS:
                predicates = []
                while self.at("op", "["):
                    opening = self.advance()
                    self.enter(opening)
                    predicates.append(self.binary())
                    self.expect_op("]")
                    self.depth -= 1
                steps.append(("child", token[1], predicates))
            else:
                found = "the end" if token[0] == "end" else repr(token[1])
                raise self.error(f"expected a step of a path, found {found}", token)
            if not self.accept("op", "/"):
                return steps

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
            inner = self.binary()
            self.expect_op(")")
            self.depth -= 1
            return inner
        if kind == "name":
            if self.at("op", "("):
                return self.call(token)
            if text in _KEYWORDS or ":" in text:
                raise self.error(f"unexpected word {text!r}", token)
            return ("name", text)
        found = "the end" if kind == "end" else repr(text)
        raise self.error(f"expected a value, found {found}", token)

    def call(self, name_token: Token) -> tuple:
        name = name_token[1]
        self.expect_op("(")
        self.enter(name_token)
        arguments: list[tuple] = []
        if not self.accept("op", ")"):
            arguments.append(self.binary())
            while self.accept("op", ","):
                arguments.append(self.binary())
            self.expect_op(")")
        self.depth -= 1
        if name not in ARITY:
            if name not in self.unsupported:
                self.unsupported.append(name)
            return ("call", name, arguments)
        fewest, most = ARITY[name]
        if len(arguments) < fewest or (most is not None and len(arguments) > most):
            wanted = (
                str(fewest)
                if fewest == most
                else f"{fewest} or more"
                if most is None
                else f"{fewest} to {most}"
            )
            raise self.error(
                f"{name}() takes {wanted} argument(s), got {len(arguments)}", name_token
            )
        return ("call", name, arguments)


@lru_cache(maxsize=2048)
def parse(expression: str) -> tuple:
    """Parse an expression into a tree (see above); raise ExpressionError (UnsupportedFunction
    when it parses but calls functions the engine does not run).

    Cached: the same few dozen expressions are evaluated for every interview.
    """
    if not isinstance(expression, str):
        raise ExpressionError(f"{expression!r}: not an expression")
    if len(expression) > MAX_LENGTH:
        raise too_long(expression)
    return _Parser(expression).parse()


def children(node: tuple) -> list[tuple]:
    if node[0] == "call":
        return list(node[2])
    if node[0] == "path":
        found = [node[1]] if isinstance(node[1], tuple) else []
        for _, _, predicates in node[2]:
            found.extend(predicates)
        return found
    return [child for child in node[1:] if isinstance(child, tuple)]


def walk(node: tuple):
    """Every node of a tree, without recursion (a chain `a + b + ...` is as deep as it is long)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))
