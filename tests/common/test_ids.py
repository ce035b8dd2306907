"""Database ids read from URLs and query strings."""

import pytest

from common.ids import MAX_ID, IdConverter, parse_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("42", 42), ("007", 7), (str(MAX_ID), MAX_ID), ("0" * 40 + "5", 5),
     (str(MAX_ID + 1), None), ("9" * 30, None), ("9" * 5000, None), ("", None), (None, None),
     ("-1", None), ("1.0", None), (" 1", None), ("١٢", None), ("abc", None), (12, 12)],
)  # fmt: skip
def test_parse_id_takes_only_the_digits_of_a_64_bit_id(text, expected):
    assert parse_id(text) == expected


def test_the_id_converter_does_not_match_numbers_beyond_64_bits():
    converter = IdConverter()
    assert converter.to_python(str(MAX_ID)) == MAX_ID
    assert converter.to_url(7) == "7"
    with pytest.raises(ValueError, match="is not a database id"):
        converter.to_python("9" * 30)
