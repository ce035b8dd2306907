import csv
import io

import pandas as pd
from openpyxl import load_workbook

from common.spreadsheets import dataframe_csv, spreadsheet_cell, table_csv, workbook_bytes

TABLES = [
    {
        "key": "districts",
        "title": "按区县",
        "columns": ["代码", "区县", "得分"],
        "rows": [["C01", "城东区", 82.25], ["C02", "西山县", None]],
    },
    {
        "key": "odd",
        "title": "a/b:c*d?[e]" + "x" * 40,  # forbidden characters and too long for a sheet name
        "columns": ["n"],
        "rows": [[3]],
    },
    {"key": "again", "title": "按区县", "columns": ["n"], "rows": []},
]


def test_workbook_has_a_sheet_per_table_with_numbers_kept():
    # when
    book = load_workbook(io.BytesIO(workbook_bytes(TABLES, properties={"title": "t"})))
    # then
    assert book.sheetnames[0] == "按区县"
    assert book.sheetnames[2] == "按区县 (2)"  # unique names
    odd = book.sheetnames[1]
    assert len(odd) <= 31 and not set(odd) & set("[]:*?/\\")
    sheet = book["按区县"]
    assert [c.value for c in sheet[1]] == ["代码", "区县", "得分"]
    assert sheet["C2"].value == 82.25 and sheet["C2"].number_format == "0.0"
    assert sheet["C3"].value is None
    assert sheet.freeze_panes == "A2"
    assert book.properties.title == "t"


def test_csv_has_a_bom_and_blank_for_missing():
    # when
    content = table_csv(TABLES[0])
    # then
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [["代码", "区县", "得分"], ["C01", "城东区", "82.25"], ["C02", "西山县", ""]]


def test_text_that_looks_like_a_formula_is_not_run():
    # given a street someone named like a formula
    table = {
        "key": "streets",
        "title": "街道",
        "columns": ["街道", "得分"],
        "rows": [['=HYPERLINK("http://x")', 80.0], ["@SUM(A1)", -3.5], ["东华街道", 70.0]],
    }
    # when
    sheet = load_workbook(io.BytesIO(workbook_bytes([table])))["街道"]
    rows = list(csv.reader(io.StringIO(table_csv(table).decode("utf-8-sig"))))
    # then: kept as text, numbers untouched
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "'@SUM(A1)" and sheet["B3"].value == -3.5
    assert rows[1][0] == '\'=HYPERLINK("http://x")' and rows[3][0] == "东华街道"


def test_dataframe_cells_that_excel_would_run_are_neutralised():
    table = pd.DataFrame(
        {"note": ["=HYPERLINK(1)", "+1", "-x", "@a", "safe"], "n": [1, 2, 3, 4, 5]}
    )

    text = dataframe_csv(table).decode("utf-8-sig")

    assert text.splitlines()[1:] == ["'=HYPERLINK(1),1", "'+1,2", "'-x,3", "'@a,4", "safe,5"]


def test_spreadsheet_cell_quotes_what_a_spreadsheet_would_run():
    for text in ("=1+1", "+86 138", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_cell(text) == "'" + text
    for value in ("录音无误", "a=b", "'=1", "", 3, -2.5, None):
        assert spreadsheet_cell(value) == value


def test_dataframe_csv_guards_the_header_too_and_formats_floats():
    table = pd.DataFrame({"=HYPERLINK(1)": ["a"], "rate": [1 / 3]})

    text = dataframe_csv(table, float_format="%.6f").decode("utf-8-sig")

    assert text.splitlines() == ["'=HYPERLINK(1),rate", "a,0.333333"]


def test_a_workbook_carries_no_time_of_writing_so_the_same_tables_give_the_same_bytes():
    import time
    import zipfile

    # given a workbook written, then the same tables written again two seconds later
    first = workbook_bytes(TABLES, properties={"title": "t", "creator": "c"})
    time.sleep(2.1)  # ZIP times count in steps of two seconds
    second = workbook_bytes(TABLES, properties={"title": "t", "creator": "c"})
    # then the bytes are the same, no entry has a time and the document no created/modified
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as book:
        assert {info.date_time for info in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = book.read("docProps/core.xml")
    assert b"dcterms:created" not in core and b"dcterms:modified" not in core
    loaded = load_workbook(io.BytesIO(first))
    assert (loaded.properties.title, loaded.properties.creator) == ("t", "c")
    assert loaded["按区县"]["B2"].value == "城东区"
