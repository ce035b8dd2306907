"""Dates and times as the ODK XForms specification has them. Pure: no Django.

A date is a number of days since 1970-01-01 (the epoch) when used as a number; a dateTime is
days with a fraction, counted from the epoch in UTC; a time of day alone is read on the epoch's
day. Text is ISO 8601: `2024-01-31`, `2024-01-31T08:30:00.000+08:00`, `08:30:00`.
"""

import math
import re
from datetime import UTC, date, datetime, time, timedelta, timezone

__all__ = [
    "EPOCH",
    "as_date",
    "as_datetime",
    "days",
    "format_date",
    "from_days",
    "iso_datetime",
]

EPOCH = date(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
_DATE = re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _micro(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def as_date(text: str) -> date | None:
    """A date from `YYYY-MM-DD` (or the date part of a dateTime); None when it is not one."""
    text = text.strip()
    match = _DATE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    moment = as_datetime(text)
    return moment.date() if isinstance(moment, datetime) else None


def as_datetime(text: str) -> datetime | None:
    """A dateTime from ISO text (a date alone is its midnight, a time alone is on the epoch's
    day); naive when the text has no offset (read as the device's local time, as ODK does)."""
    text = text.strip()
    try:
        if match := _DATETIME.match(text):
            return datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4]),
                            int(match[5]), int(match[6] or 0), _micro(match[7]),
                            tzinfo=_zone(match[8]))  # fmt: skip
        if match := _DATE.match(text):
            return datetime(int(match[1]), int(match[2]), int(match[3]))  # noqa: DTZ001 (no offset: local time)
        if match := _TIME.match(text):
            return datetime.combine(
                EPOCH,
                time(int(match[1]), int(match[2]), int(match[3] or 0), _micro(match[4])),
                tzinfo=_zone(match[5]),
            )
    except ValueError:
        return None
    return None


def days(value: date | datetime) -> float:
    """Days since the epoch: whole for a date, with a fraction for a dateTime (naive ones are
    local time, the time zone of the machine, as on the interviewer's device)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.astimezone()
        return (moment - _EPOCH_UTC).total_seconds() / 86400
    return float((value - EPOCH).days)


def from_days(number: float, *, with_time: bool) -> date | datetime | None:
    """The date (or local dateTime) `number` days after the epoch; None when out of range."""
    if math.isnan(number) or math.isinf(number) or abs(number) > 2_000_000:
        return None
    if not with_time:
        return EPOCH + timedelta(days=math.floor(number))
    return (_EPOCH_UTC + timedelta(days=number)).astimezone()


def iso_datetime(moment: datetime) -> str:
    """A dateTime as ODK writes it: 2024-01-31T08:30:00.000+08:00."""
    moment = moment if moment.tzinfo else moment.astimezone()
    text = moment.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if moment.utcoffset() == timedelta(0) else text


def format_date(value: date | datetime, pattern: str) -> str:
    """format-date / format-date-time: %Y year, %y two digits, %m month 01-12, %n month 1-12,
    %b month's short name, %d day 01-31, %e day 1-31, %H hour 00-23, %h hour 0-23, %M minute,
    %S second, %3 milliseconds, %a weekday's short name; anything else is copied."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    fields = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "m": f"{moment.month:02d}",
        "n": str(moment.month),
        "b": _MONTHS[moment.month - 1],
        "d": f"{moment.day:02d}",
        "e": str(moment.day),
        "H": f"{moment.hour:02d}",
        "h": str(moment.hour),
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}",
        "a": _WEEKDAYS[moment.weekday()],
    }
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern[index] == "%" and index + 1 < len(pattern):
            key = pattern[index + 1]
            out.append(fields.get(key, pattern[index : index + 2]))
            index += 2
        else:
            out.append(pattern[index])
            index += 1
    return "".join(out)
