"""XPath 1.0 conversions and operators, as ODK applies them. Pure: no Django.

Values are str, float, bool, datetime.date / datetime.datetime, lists of strings (a
select_multiple's codes), lists of row dicts (a repeat) or a Nodeset (one question's values
across a repeat's rows, or the items an instance() path selects). An empty answer is ''.
Comparisons (XPath 1.0, 3.4): with a node-set, true when any of its values satisfies it; `=`
and `!=` compare as booleans when either side is one, as numbers when either is a number or a
date, else as strings; `<` and the others always as numbers, and '' is NaN, so an unanswered
question fails every numeric comparison. ISO dates compare as days since the epoch.
"""

import math
import re
from datetime import date, datetime
from typing import Any

from questionnaires.xpath import dates

__all__ = [
    "Nodeset",
    "arith",
    "compare",
    "is_number",
    "items",
    "selected_values",
    "to_bool",
    "to_number",
    "to_string",
]

_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")


class Nodeset(tuple):
    """Values of one question across the rows of a repeat, or items of a choice list."""


def to_number(value: Any) -> float:
    if isinstance(value, Nodeset):
        return to_number(value[0]) if value else math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, date):
        return dates.days(value)
    text = to_string(value).strip()
    # XPath number(): optional minus, digits, optional fraction; anything else is NaN.
    if _NUMBER.fullmatch(text):
        return float(text)
    if len(text) >= 5 and (text[4] == "-" or text[2] == ":"):
        moment = dates.as_date(text) if len(text) == 10 else dates.as_datetime(text)
        if moment is not None:  # dates stored as ISO text compare as days (ODK)
            return dates.days(moment)
    return math.nan


def to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Nodeset):
        return to_string(value[0]) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return dates.iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        if any(isinstance(item, dict) for item in value):
            return ""  # a repeat's rows have no text value
        return " ".join(to_string(item) for item in value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer():
            return str(int(value))
    return str(value)


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, list | tuple):
        return len(value) > 0
    return to_string(value) != ""


def selected_values(value: Any) -> list[str]:
    """The codes of a select_multiple answer: a list, or text separated by spaces."""
    if isinstance(value, Nodeset):
        value = value[0] if value else ""
    if isinstance(value, list | tuple):
        return [to_string(item) for item in value]
    return to_string(value).split()


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, Nodeset):
        return any(compare(op, item, right) for item in left)
    if isinstance(right, Nodeset):
        return any(compare(op, left, item) for item in right)
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = to_bool(left) == to_bool(right)
        elif (
            is_number(left) or is_number(right) or isinstance(left, date) or isinstance(right, date)
        ):
            # NaN never equals anything; as in JavaRosa, 6.1 - 7.8 = -1.7 (within 1e-12)
            equal = abs(to_number(left) - to_number(right)) < 1e-12 or (
                to_number(left) == to_number(right)
            )
        else:
            equal = to_string(left) == to_string(right)
        return equal if op == "=" else not equal
    a, b = to_number(left), to_number(right)  # comparisons with NaN are all false
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def arith(op: str, left: Any, right: Any) -> float:
    a, b = to_number(left), to_number(right)
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


def items(arguments: list) -> list:
    """The values aggregated by min()/max()/sum(): node-sets and lists are spread out."""
    found: list = []
    for argument in arguments:
        if isinstance(argument, Nodeset):
            found.extend(argument)
        elif isinstance(argument, list | tuple) and len(arguments) == 1:
            found.extend(argument)
        else:
            found.append(argument)
    return found
