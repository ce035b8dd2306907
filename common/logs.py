"""Logging without personal data.

Code never logs phone numbers on purpose; `RedactPhoneNumbers` is the safety net for what
reaches a log by accident (an exception message quoting a value, a library's debug line):
mainland mobile and landline numbers are masked before any handler formats the record.
"""

import logging
import re

__all__ = ["RedactPhoneNumbers", "redact"]

# 11-digit mobiles (optionally +86), and landlines with an area code (010-12345678, 0731 8888888).
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8})(?!\d)")


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", text)


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
        return True
