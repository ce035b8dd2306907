"""Database ids read from URLs and query strings. Pure: no Django.

Ids are signed 64-bit integers in every database we run on. A larger number in a URL cannot
name anything, and SQLite refuses to even compare with it (OverflowError), so such numbers
are turned away where they are read: the `id` path converter (registered in
common.apps) does not match them, so the URL answers 404, and `parse_id` gives None.
"""

__all__ = ["MAX_ID", "IdConverter", "parse_id"]

MAX_ID = 2**63 - 1  # the largest value of a signed 64-bit integer column
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(text: object) -> int | None:
    """`text` (a query parameter, a posted value) as a database id; None unless it is the
    digits of a number from 0 to MAX_ID."""
    text = str(text) if text is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > _MAX_DIGITS:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class IdConverter:
    """`<id:name>` in a URL pattern: a database id, as an int. Larger numbers do not match."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"{value[:30]} is not a database id")  # the URL does not match
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)
