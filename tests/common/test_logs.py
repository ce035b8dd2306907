"""No phone number reaches a log line, whatever the code or a library logs."""

import json
import logging

from django.test import RequestFactory
from pythonjsonlogger.json import JsonFormatter

from common.logs import RedactPhoneNumbers, redact


def _formatted(record: logging.LogRecord) -> str:
    RedactPhoneNumbers().filter(record)
    return JsonFormatter("%(message)s %(request)s %(detail)s").format(record)


def test_numbers_in_every_usual_spelling_are_masked():
    text = "13812345678 +8613812345678 138 1234 5678 138-1234-5678 0731-88886666 010 12345678"

    assert redact(text) == " ".join(["[phone]"] * 6)
    assert redact("order 20261206123456 and id 13812") == "order 20261206123456 and id 13812"


def test_numbers_typed_in_full_width_or_with_dots_and_brackets_are_masked():
    text = (
        "电话１３８１２３４５６７８，或 138.1234.5678、（０７３１）８８８８６６６６、"
        "＋８６ １３８－１２３４－５６７８"
    )

    assert redact(text) == "电话[phone]，或 [phone]、[phone]、[phone]"
    assert redact("2026-12-08 06:52:14,630 v1.2.3") == "2026-12-08 06:52:14,630 v1.2.3"


def test_the_message_its_arguments_the_request_and_extras_are_masked():
    request = RequestFactory().get("/sampling/frames/?phone=13812345678")
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s?q=%s",
        ("/x", "13812345678"),
        None,
    )
    record.request = request
    record.detail = "called 139-0000-1111"

    line = json.loads(_formatted(record))

    assert "138" not in json.dumps(line) and "0000" not in json.dumps(line)
    assert line["message"] == "Not Found: /x?q=[phone]"
    assert line["request"] == "GET /sampling/frames/" and line["detail"] == "called [phone]"


def test_a_traceback_keeps_its_type_and_loses_the_number():
    try:
        raise ValueError("no respondent 13812345678")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    RedactPhoneNumbers().filter(record)

    text = logging.Formatter().format(record)
    assert "ValueError: no respondent [phone]" in text and "13812345678" not in text


def test_every_handler_a_record_of_django_can_reach_masks_numbers():
    # Django's defaults add handlers of their own (a DEBUG console, mail to ADMINS) that a
    # record meets before the root's
    for name in ["django.request", "django.server", "django.security.csrf", "django.db"]:
        logger = logging.getLogger(name)
        while logger is not None:
            for handler in logger.handlers:
                if type(handler).__module__.startswith("_pytest"):  # the test's own capture
                    continue
                masked = any(isinstance(f, RedactPhoneNumbers) for f in handler.filters)
                assert masked, (name, handler)
            logger = logger.parent if logger.propagate else None
