"""Expression text → tokens. Pure: no Django.

Tokens are (kind, text, position) where kind is one of: ref (`${name}`, text the name),
number, string (text without its quotes), op, dot (`.`), parent (`..`), name, end.
Curly quotes (‘ ’ “ ”), which spreadsheets put in for straight ones, are read as straight
ones, as pyxform reads them.
"""

import re

from questionnaires.xpath.errors import ExpressionError, quoted

__all__ = ["Token", "tokenize"]

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|/|\[|\]|\|)
  | (?P<parent>\.\.)
  | (?P<dot>\.)
  | (?P<name>[^\W\d][\w-]*(?::[^\W\d][\w-]*)?)
    """,
    re.VERBOSE,
)
_NAME = re.compile(r"^[^\W\d][\w.:-]*$")

Token = tuple[str, str, int]


_STRAIGHT = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def tokenize(expression: str) -> list[Token]:
    expression = expression.translate(_STRAIGHT)  # as pyxform reads a workbook's smart quotes
    tokens: list[Token] = []
    position = 0
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            raise ExpressionError(
                f"{quoted(expression)}: unexpected character {expression[position]!r} "
                f"at position {position + 1}"
            )
        kind = match.lastgroup  # the outer group: "ref", not its inner "refname"
        if kind == "ref":
            name = match.group("refname").strip()
            if not _NAME.match(name):
                raise ExpressionError(f"{quoted(expression)}: bad reference ${{{name}}}")
            tokens.append(("ref", name, position))
        elif kind == "string":
            tokens.append(("string", match.group()[1:-1], position))
        elif kind != "space":
            tokens.append((kind, match.group(), position))
        position = match.end()
    tokens.append(("end", "", len(expression)))
    return tokens
