"""The ODK XPath function library (getodk.github.io/xforms-spec, "XPath Functions"), plus
SurveyCTO's duration(). Pure: no Django.

ARITY lists every function the engine runs, with its fewest and most arguments (None: any
number); the parser refuses a call with another count and reports every other function. Most
functions take their arguments evaluated (EAGER, here); those that need the unevaluated
argument or the interview (if, once, position, indexed-repeat, instance, current, the clock,
random, jr:choice-name, pulldata, count on a repeat) are in questionnaires.xpath.evaluator.
"""

import base64
import hashlib
import math
import re
import secrets
import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from questionnaires.xpath import dates, geo
from questionnaires.xpath.values import (
    is_number,
    items,
    selected_values,
    to_bool,
    to_number,
    to_string,
)

__all__ = ["ARITY", "EAGER"]

# Functions the evaluator runs itself (arguments unevaluated, or the interview needed).
_SPECIAL = {
    "if": (3, 3),
    "once": (1, 1),
    "position": (0, 1),
    "indexed-repeat": (3, 7),
    "instance": (1, 1),
    "current": (0, 0),
    "today": (0, 0),
    "now": (0, 0),
    "random": (0, 0),
    "jr:choice-name": (2, 2),
    "pulldata": (4, 4),
    "duration": (0, 0),
    "count": (1, 1),
    "count-non-empty": (1, 1),
    "coalesce": (2, None),  # the spec's two, or more as forms write it (first not empty)
}


def _number_function(function: Callable[[float], float]) -> Callable[[list], float]:
    def apply(args: list) -> float:
        number = to_number(args[0])
        try:
            return float(function(number))
        except (ValueError, OverflowError):
            return math.nan

    return apply


def _whole(function: Callable[[float], Any]) -> Callable[[float], float]:
    def apply(number: float) -> float:
        if math.isnan(number) or math.isinf(number):
            return number
        return float(function(number))

    return apply


def _round(args: list) -> float:
    number = to_number(args[0])
    if math.isnan(number) or math.isinf(number):
        return number
    if len(args) == 1:
        return float(math.floor(number + 0.5))  # XPath 1.0: halves go towards +infinity
    digits = to_number(args[1])
    # ODK (JavaRosa) rounds to n decimals on the decimal digits shown, halves towards
    # +infinity as with one argument: round(-12345.15, 1) is -12345.1.
    try:
        places = Decimal(1).scaleb(-int(digits))
        halves = ROUND_HALF_UP if number >= 0 else ROUND_HALF_DOWN
        return float(Decimal(repr(number)).quantize(places, rounding=halves))
    except (InvalidOperation, ValueError, OverflowError):
        return math.nan


def _substr(args: list) -> str:
    # XPath substring() is 1-based; ODK's substr() is 0-based with an exclusive end, and a
    # negative start or end counts from the end (JavaRosa: substr('hello', -2) is 'lo').
    text = to_string(args[0])
    start = to_number(args[1])
    end = to_number(args[2]) if len(args) > 2 else len(text)
    if math.isnan(start) or math.isnan(end):
        return ""
    bound = len(text)
    return text[int(max(min(start, bound), -bound)) : int(max(min(end, bound), -bound))]


def _substring(args: list) -> str:
    """XPath 1.0 substring(): 1-based, rounded positions (XPath 1.0, 4.2)."""
    text = to_string(args[0])
    start = _round([args[1]])
    length = _round([args[2]]) if len(args) > 2 else math.inf
    if math.isnan(start) or math.isnan(length):
        return ""
    return "".join(
        character
        for position, character in enumerate(text, start=1)
        if start <= position < start + length
    )


def _extreme(pick: Callable) -> Callable[[list], float]:
    def apply(args: list) -> float:
        numbers = [to_number(item) for item in items(args)]
        if not numbers or any(math.isnan(number) for number in numbers):
            return math.nan
        return pick(numbers)

    return apply


def _int(args: list) -> float:
    number = to_number(args[0])
    return number if math.isnan(number) or math.isinf(number) else float(int(number))


@lru_cache(maxsize=256)
def _pattern(text: str) -> re.Pattern:
    return re.compile(text)


def _regex(args: list) -> bool:
    try:
        return _pattern(to_string(args[1])).search(to_string(args[0])) is not None
    except re.error:
        return False


def _boolean_from_string(args: list) -> bool:
    return to_string(args[0]) in ("true", "1")


def _selected_at(args: list) -> str:
    values, index = selected_values(args[0]), to_number(args[1])
    return values[int(index)] if 0 <= index < len(values) else ""


def _join(args: list) -> str:
    return to_string(args[0]).join(to_string(item) for item in items(args[1:]))


def _checklist(args: list) -> bool:
    least, most = to_number(args[0]), to_number(args[1])
    ticked = sum(1 for item in items(args[2:]) if to_bool(item))
    return (least < 0 or ticked >= least) and (most < 0 or ticked <= most)


def _weighted_checklist(args: list) -> bool:
    least, most = to_number(args[0]), to_number(args[1])
    pairs = args[2:]
    total = sum(to_number(pairs[i + 1]) for i in range(0, len(pairs) - 1, 2) if to_bool(pairs[i]))
    return (least < 0 or total >= least) and (most < 0 or total <= most)


def _digest(args: list) -> str:
    algorithm = to_string(args[1]).upper().replace("-", "")
    names = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA384": "sha384",
             "SHA512": "sha512"}  # fmt: skip
    if algorithm not in names:
        return ""
    raw = hashlib.new(names[algorithm], to_string(args[0]).encode("utf-8")).digest()
    encoding = to_string(args[2]).lower() if len(args) > 2 else "base64"
    return raw.hex() if encoding == "hex" else base64.b64encode(raw).decode("ascii")


def _uuid(args: list) -> str:
    if not args:
        return str(uuid.uuid4())
    length = int(max(to_number(args[0]), 0)) if not math.isnan(to_number(args[0])) else 0
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _date(args: list) -> Any:
    value = args[0]
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    number = to_number(value)
    moment = dates.from_days(number, with_time=False)
    return "" if moment is None else moment


def _date_time(args: list) -> Any:
    value = args[0]
    if isinstance(value, datetime):
        return value
    number = to_number(value)
    moment = dates.from_days(number, with_time=True)
    return "" if moment is None else moment


def _decimal_date_time(args: list) -> float:
    """Days since the epoch, UTC, with a fraction; a date alone is its local midnight."""
    value = args[0]
    if isinstance(value, date) and not isinstance(value, datetime):
        return dates.days(datetime.combine(value, datetime.min.time()))
    if not isinstance(value, datetime) and not is_number(value):
        value = dates.as_datetime(to_string(value)) or value
    return to_number(value)


def _decimal_time(args: list) -> float:
    moment = args[0] if isinstance(args[0], datetime) else dates.as_datetime(to_string(args[0]))
    if moment is None:
        return math.nan
    local = moment.astimezone() if moment.tzinfo else moment
    return (local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6) / 86400


def _format_date(args: list) -> str:
    value = args[0]
    if not isinstance(value, date):
        text = to_string(value)
        value = dates.as_datetime(text) if "T" in text or ":" in text else dates.as_date(text)
        if value is None:
            number = to_number(args[0])
            value = dates.from_days(number, with_time=not float(number).is_integer())
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo:
        value = value.astimezone()  # shown in the device's time zone
    return dates.format_date(value, to_string(args[1]))


def _normalize_space(args: list) -> str:
    return " ".join(to_string(args[0]).split())


def _translate(args: list) -> str:
    text, source, target = (to_string(arg) for arg in args)
    table: dict[int, int | None] = {}
    for index, character in enumerate(source):
        table.setdefault(ord(character), ord(target[index]) if index < len(target) else None)
    return text.translate(table)


def _before(args: list) -> str:
    text, mark = to_string(args[0]), to_string(args[1])
    return text.split(mark, 1)[0] if mark and mark in text else ""


def _after(args: list) -> str:
    text, mark = to_string(args[0]), to_string(args[1])
    if not mark:
        return text
    return text.split(mark, 1)[1] if mark in text else ""


def _atan2(args: list) -> float:
    return math.atan2(to_number(args[0]), to_number(args[1]))


def _pow(args: list) -> float:
    try:
        return float(math.pow(to_number(args[0]), to_number(args[1])))
    except (OverflowError, ValueError):
        return math.nan


def _log(function: Callable[[float], float]) -> Callable[[float], float]:
    def apply(number: float) -> float:
        if number == 0:
            return -math.inf
        return function(number) if number > 0 else math.nan

    return apply


def _shape(args: list) -> str:
    """A geoshape or geotrace, or geopoints (one per repeat row) joined into one."""
    return ";".join(to_string(item) for item in items(args) if to_string(item))


# name → (fewest, most arguments, implementation over evaluated arguments)
_EAGER_TABLE: dict[str, tuple[int, int | None, Callable[[list], Any]]] = {
    "true": (0, 0, lambda args: True),
    "false": (0, 0, lambda args: False),
    "not": (1, 1, lambda args: not to_bool(args[0])),
    "boolean": (1, 1, lambda args: to_bool(args[0])),
    "boolean-from-string": (1, 1, _boolean_from_string),
    "string": (0, 1, lambda args: to_string(args[0]) if args else ""),
    "number": (1, 1, lambda args: to_number(args[0])),
    "int": (1, 1, _int),
    "round": (1, 2, _round),
    "floor": (1, 1, _number_function(_whole(math.floor))),
    "ceiling": (1, 1, _number_function(_whole(math.ceil))),
    "abs": (1, 1, _number_function(abs)),
    "pow": (2, 2, _pow),
    "sqrt": (1, 1, _number_function(math.sqrt)),
    "exp": (1, 1, _number_function(math.exp)),
    "exp10": (1, 1, _number_function(lambda n: math.pow(10, n))),
    "log": (1, 1, _number_function(_log(math.log))),
    "log10": (1, 1, _number_function(_log(math.log10))),
    "sin": (1, 1, _number_function(math.sin)),
    "cos": (1, 1, _number_function(math.cos)),
    "tan": (1, 1, _number_function(math.tan)),
    "asin": (1, 1, _number_function(math.asin)),
    "acos": (1, 1, _number_function(math.acos)),
    "atan": (1, 1, _number_function(math.atan)),
    "atan2": (2, 2, _atan2),
    "pi": (0, 0, lambda args: math.pi),
    "sum": (1, 1, lambda args: float(sum(to_number(item) for item in items(args)))),
    "max": (1, None, _extreme(max)),
    "min": (1, None, _extreme(min)),
    "concat": (0, None, lambda args: "".join(to_string(item) for item in items(args))),
    "join": (1, None, _join),
    "string-length": (1, 1, lambda args: float(len(to_string(args[0])))),
    "normalize-space": (1, 1, _normalize_space),
    "contains": (2, 2, lambda args: to_string(args[1]) in to_string(args[0])),
    "starts-with": (2, 2, lambda args: to_string(args[0]).startswith(to_string(args[1]))),
    "ends-with": (2, 2, lambda args: to_string(args[0]).endswith(to_string(args[1]))),
    "substr": (2, 3, _substr),
    "substring": (2, 3, _substring),
    "substring-before": (2, 2, _before),
    "substring-after": (2, 2, _after),
    "translate": (3, 3, _translate),
    "regex": (2, 2, _regex),
    "selected": (2, 2, lambda args: to_string(args[1]).strip() in selected_values(args[0])),
    "count-selected": (1, 1, lambda args: float(len(selected_values(args[0])))),
    "selected-at": (2, 2, _selected_at),
    "checklist": (2, None, _checklist),
    "weighted-checklist": (2, None, _weighted_checklist),
    "uuid": (0, 1, _uuid),
    "digest": (2, 3, _digest),
    "area": (1, 1, lambda args: geo.area(_shape(args))),
    "distance": (1, 1, lambda args: geo.distance(_shape(args))),
    "date": (1, 1, _date),
    "date-time": (1, 1, _date_time),
    "decimal-date-time": (1, 1, _decimal_date_time),
    "decimal-time": (1, 1, _decimal_time),
    "format-date": (2, 2, _format_date),
    "format-date-time": (2, 2, _format_date),
}

EAGER: dict[str, Callable[[list], Any]] = {
    name: function for name, (_, _, function) in _EAGER_TABLE.items()
}
ARITY: dict[str, tuple[int, int | None]] = {
    **{name: (fewest, most) for name, (fewest, most, _) in _EAGER_TABLE.items()},
    **_SPECIAL,
}
