"""Reading a chosen sheet of a workbook with several: found by name, refused by name."""

import io

import openpyxl
import pytest

from common.tables import Limits, TableError, read_table, sheet_names

LIMITS = Limits(max_bytes=1024 * 1024, max_rows=1000, max_cell_chars=100)


def workbook(**sheets: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BOOK = workbook(说明=[["请看第二页"]], 抽样框=[["code", "name"], ["001", "东湖"], ["002", "青山"]])


def test_sheet_names_are_listed_in_order():
    assert sheet_names(BOOK) == ["说明", "抽样框"]
    assert sheet_names(b"not a workbook") == []


def test_the_named_sheet_is_read_and_the_first_by_default():
    chosen = read_table(BOOK, name="f.xlsx", limits=LIMITS, sheet="抽样框")
    first = read_table(BOOK, name="f.xlsx", limits=LIMITS)

    assert chosen.sheet == "抽样框"
    assert chosen.frame.to_dict("records") == [
        {"code": "001", "name": "东湖"},
        {"code": "002", "name": "青山"},
    ]
    assert first.sheet == "说明" and list(first.frame.columns) == ["请看第二页"]


def test_an_unknown_sheet_is_refused_naming_the_sheets():
    with pytest.raises(TableError) as raised:
        read_table(BOOK, name="f.xlsx", limits=LIMITS, sheet="Frame")

    assert [str(p) for p in raised.value.problems] == [
        "f.xlsx: the workbook has no sheet “Frame” (its sheets: “说明”、“抽样框”)"
    ]


def test_problems_on_the_chosen_sheet_name_it():
    book = workbook(a=[["x"]], b=[["code", "code"], ["1", "2"]])

    with pytest.raises(TableError) as raised:
        read_table(book, name="f.xlsx", limits=LIMITS, sheet="b")

    assert str(raised.value.problems[0]).startswith("f.xlsx, sheet b, row 1, column B")


def test_a_formula_without_a_value_is_found_on_the_chosen_sheet():
    book = openpyxl.Workbook()
    book.active.append(["x"])
    other = book.create_sheet("data")
    other.append(["a", "b"])
    other.append(["1", "=A2*2"])
    buffer = io.BytesIO()
    book.save(buffer)

    with pytest.raises(TableError) as raised:
        read_table(buffer.getvalue(), name="f.xlsx", limits=LIMITS, sheet="data")

    assert "sheet data, row 2, column B" in str(raised.value.problems[0])
