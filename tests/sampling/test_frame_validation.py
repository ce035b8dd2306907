import io

import openpyxl
import pandas as pd
import pytest

from common.tables import Limits, TableError, read_table
from sampling.frame_validation import (
    OUTPUT_COLUMNS,
    VALIDATION_KINDS,
    table_frame_error,
    validate_frame,
)
from tests.sampling.conftest import KNOWN, MAPPING, every_kind_of_validation_error


def frame(*rows: tuple, extra: dict | None = None) -> pd.DataFrame:
    """A file's content from (hh, tel, loc) tuples, every value a string."""
    data = pd.DataFrame(rows, columns=["hh", "tel", "loc"], dtype=str)
    data["addr"] = "某路1号"
    for column, values in (extra or {}).items():
        data[column] = values
    return data


def validate(data: pd.DataFrame, mapping: dict = MAPPING):
    return validate_frame(data, known_localities=KNOWN, mapping=mapping)


def by_kind(result) -> dict[str, list]:
    found: dict[str, list] = {}
    for error in result.errors:
        found.setdefault(error.kind, []).append(error)
    return found


def test_valid_rows_normalise_with_street_and_district():
    data = frame(
        ("H1", "+86 138-1234-5678", "320102001001"),
        ("H2", "13912345678", "320104001"),
        extra={"street_code": ["x", "y"], "note": ["a", "b"]},
    )

    result = validate(data)

    assert result.ok
    assert list(result.frame.columns) == OUTPUT_COLUMNS + ["source_street_code", "note"]
    assert result.frame["phone"].tolist() == ["13812345678", "13912345678"]
    assert result.frame["street_code"].tolist() == ["320102001", "320104001"]
    assert result.frame["district_code"].tolist() == ["320102", "320104"]
    assert result.frame["source_street_code"].tolist() == ["x", "y"]
    assert result.frame["address"].tolist() == ["某路1号", "某路1号"]


def test_missing_column_is_a_file_error_and_no_rows_are_checked():
    data = frame(("", "bad", "nowhere")).drop(columns=["tel"])

    result = validate(data)

    assert [(e.row, e.column, e.kind) for e in result.errors] == [(None, "tel", "no_column")]
    assert "hh, loc, addr" in result.errors[0].problem
    assert result.errors[0].params == {"available": ["hh", "loc", "addr"]}
    assert result.frame.empty


def test_required_role_without_a_column_is_a_file_error():
    result = validate(frame(("H1", "13812345678", "320102001")), {"unit_id": "hh", "phone": "tel"})

    assert [(e.row, e.column, e.kind, e.params) for e in result.errors] == [
        (None, "locality_code", "unmapped_role", {"role": "locality_code"})
    ]


def test_empty_unit_id_is_reported_with_its_file_row():
    data = frame(("H1", "13812345678", "320102001"), ("  ", "13812345679", "320102001"))

    result = validate(data)

    [error] = result.errors
    assert (error.row, error.column, error.kind) == (3, "hh", "empty_unit_id")


def test_every_duplicate_row_is_reported_with_the_first_row():
    data = frame(
        ("H1", "13812345678", "320102001"),
        ("H2", "13812345679", "320102001"),
        ("H1", "13812345670", "320102001"),
        (" H1", "13812345671", "320102001"),
    )

    result = validate(data)

    duplicates = by_kind(result)["duplicate_unit_id"]
    assert [e.row for e in duplicates] == [2, 4, 5]
    assert all(e.problem == "unit id appears on 3 rows (first on row 2)" for e in duplicates)
    assert [e.params for e in duplicates] == [{"count": 3, "first_row": 2}] * 3
    assert all(type(e.params["count"]) is int for e in duplicates)  # plain values, not numpy


def test_malformed_phone_is_reported_masked():
    data = frame(
        ("H1", "1381234567", "320102001"),
        ("H2", "23812345678", "320102001"),
        ("H3", "", "320102001"),
        ("H4", "13812345678.0", "320102001"),
    )

    result = validate(data)

    assert [(e.row, e.kind, e.value) for e in result.errors] == [
        (2, "bad_phone", "138****4567"),
        (3, "bad_phone", "238****5678"),
        (4, "empty_phone", ""),
        (5, "bad_phone", "138****78.0"),
    ]
    assert all(e.column == "tel" for e in result.errors)


def test_phone_numbers_used_as_unit_ids_are_masked_in_errors():
    data = frame(("13812345678", "13812345678", "320102001"), ("13812345678", "13812345678", "x"))

    result = validate(data)

    assert {e.value for e in by_kind(result)["duplicate_unit_id"]} == {"138****5678"}


def test_unknown_and_empty_locality_codes_are_reported():
    data = frame(("H1", "13812345678", "999999"), ("H2", "13812345679", ""))

    result = validate(data)

    assert [(e.row, e.column, e.value, e.kind) for e in result.errors] == [
        (2, "loc", "999999", "unknown_locality"),
        (3, "loc", "", "empty_locality"),
    ]


def test_district_and_city_codes_are_too_coarse():
    data = frame(("H1", "13812345678", "320102"), ("H2", "13812345679", "3201"))

    result = validate(data)

    assert [(e.row, e.kind) for e in result.errors] == [
        (2, "coarse_locality"),
        (3, "coarse_locality"),
    ]
    assert "district level" in result.errors[0].problem
    assert "city level" in result.errors[1].problem
    assert [e.params for e in result.errors] == [{"level": "district"}, {"level": "city"}]


def test_blank_rows_are_skipped_but_keep_their_row_numbers():
    data = frame(
        ("H1", "13812345678", "320102001"),
        ("", "", ""),
        ("H3", "bad", "320102001"),
    )
    data.loc[1, "addr"] = ""

    result = validate(data)

    assert [(e.row, e.kind) for e in result.errors] == [(4, "bad_phone")]
    assert result.frame["unit_id"].tolist() == ["H1", "H3"]


def test_row_numbers_ignore_the_index_and_errors_come_in_row_order():
    data = frame(
        ("H1", "bad", "320102001"),
        ("", "13812345678", "nowhere"),
    ).set_axis([100, 7])

    result = validate(data)

    assert [(e.row, e.kind) for e in result.errors] == [
        (2, "bad_phone"),
        (3, "empty_unit_id"),
        (3, "unknown_locality"),
    ]


def test_overlong_unit_id_is_reported():
    result = validate_frame(
        frame(("H" * 65, "13812345678", "320102001")),
        known_localities=KNOWN,
        mapping=MAPPING,
        max_unit_id_length=64,
    )

    assert [(e.kind, e.params) for e in result.errors] == [("unit_id_too_long", {"max_length": 64})]


def test_validation_kinds_list_every_kind_and_its_params():
    errors = every_kind_of_validation_error()

    assert {e.kind for e in errors} == set(VALIDATION_KINDS)
    assert all(set(e.params) == set(VALIDATION_KINDS[e.kind]) for e in errors)


def test_a_number_quoted_by_the_table_reader_is_masked():
    # a program-written workbook keeps each number as a formula with no saved value
    book = openpyxl.Workbook()
    book.active.append(["unit_id", "phone"])
    book.active.append(["H1", '="13812345678"'])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(TableError) as raised:
        read_table(
            buffer.getvalue(), name="frame.xlsx", limits=Limits(max_bytes=10**6, max_rows=10)
        )

    error = table_frame_error(raised.value.problems[0])

    assert "13812345678" in str(raised.value.problems[0])  # what the reader quoted
    assert "138****5678" in error.problem and "13812345678" not in str(error)
