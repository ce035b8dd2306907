"""Logging without personal data.

Code never logs phone numbers on purpose; `RedactPhoneNumbers` is the safety net for what
reaches a log by accident (an exception message quoting a value, a URL's query string, a
library's debug line): before any handler formats a record, mainland mobile and landline
numbers are masked in its message, its traceback and every text field added to it, and a
request attached to it (Django adds one to its request errors) is reduced to method and path.
"""

import logging
import re
import unicodedata

__all__ = ["RedactPhoneNumbers", "masked", "redact"]

# 11-digit mobiles, optionally +86 and grouped 3-4-4 by spaces, hyphens or dots; landlines
# with an area code (010-12345678, (0731) 8888888). In ASCII or full-width characters, as a
# Chinese input method types them (１３８１２３４５６７８): \d is any decimal digit.
_SEP = r"[-. \u3000－．]?"
_PHONE = re.compile(
    rf"(?<!\d)(?:[+＋]?[8８][6６]{_SEP})?"
    rf"(?:[1１][3-9３-９]\d{_SEP}\d{{4}}{_SEP}\d{{4}}|[(（]?[0０]\d{{2,3}}[)）]?{_SEP}\d{{7,8}})"
    r"(?!\d)"
)
# The attributes every LogRecord has; anything else was added by the caller (`extra=`).
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", text)


def masked(text: str | None) -> str | None:
    """The text with each phone number in it shown as a page shows one: 138****5678."""
    return _PHONE.sub(_masked_number, text) if text else text


def _masked_number(match: re.Match) -> str:
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", match.group()))
    national = digits[2:] if len(digits) > 11 and digits.startswith("86") else digits
    return f"{national[:3]}****{national[-4:]}"


class RedactPhoneNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks quote exception messages: keep the type and place, mask the numbers.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        for name, value in list(vars(record).items()):
            if name in _STANDARD:
                continue
            if name == "request" and hasattr(value, "method"):
                setattr(record, name, f"{value.method} {redact(value.path)}")
            elif isinstance(value, str):
                setattr(record, name, redact(value))
        return True
