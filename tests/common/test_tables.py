"""The hardened table reader: what it reads as text, what it refuses and how it says where."""

import io
import zipfile

import openpyxl
import pandas as pd
import pytest
from django.utils import translation

from common.tables import KINDS, Limits, TableError, read_table, read_text
from common.tables.problems import ENGLISH, TableProblem
from common.tables.texts import MESSAGES, describe, describe_all, message

LIMITS = Limits(max_bytes=1024 * 1024, max_rows=1000, max_cell_chars=100)


def read(data: bytes, name: str = "t.csv", limits: Limits = LIMITS, **options) -> pd.DataFrame:
    return read_table(data, name=name, limits=limits, **options).frame


def problems(data: bytes, name: str = "t.csv", limits: Limits = LIMITS, **options) -> list[str]:
    with pytest.raises(TableError) as raised:
        read_table(data, name=name, limits=limits, **options)
    return [str(problem) for problem in raised.value.problems]


def xlsx(*rows, title: str = "Sheet") -> bytes:
    book = openpyxl.Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- what is read ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        "代码,名称\n001,北京\n".encode(),
        "\ufeff代码,名称\n001,北京\n".encode(),
        "代码,名称\n001,北京\n".encode("gbk"),
        "代码,名称\n001,北京\n".encode("gb18030"),
        "代码,名称\n001,北京\n".encode("utf-16"),  # with its byte-order mark
        "代码\t名称\r\n001\t北京\r\n".encode("utf-16"),  # Excel's "Unicode text"
    ],
)
def test_every_encoding_excel_saves_in_china_reads_the_same(encoded):
    assert read(encoded).to_dict("records") == [{"代码": "001", "名称": "北京"}]


def test_cells_are_text_blank_rows_kept_and_trailing_empty_cells_ignored():
    frame = read(b" a , b \n007,\n\n1,2,,\n")

    assert list(frame.columns) == ["a", "b"]
    assert frame.to_dict("records") == [
        {"a": "007", "b": ""},
        {"a": "", "b": ""},  # row 3: blank, so row numbers stay those of the file
        {"a": "1", "b": "2"},
    ]
    assert all(str(dtype) == "str" for dtype in frame.dtypes)


def test_xlsx_cells_read_as_pandas_read_them_and_formulas_by_their_saved_value():
    data = xlsx(["code", "n", "rate", "when"], ["0012", 13812345678, 95.5, None])
    # as Excel saves a formula: with its value
    data = _with_sheet_xml(data, '<c r="D2"><f>TODAY()</f><v>45000</v></c>')

    frame = read(data, "t.xlsx")

    assert frame.to_dict("records") == [
        {"code": "0012", "n": "13812345678", "rate": "95.5", "when": "45000"}
    ]


def test_a_blank_first_header_cell_can_be_named_for_row_labels():
    frame = read(b",a,b\na,1,3\nb,1/3,1\n", first_column_name="element")

    assert list(frame.columns) == ["element", "a", "b"]


def test_parquet_is_read_when_accepted():
    buffer = io.BytesIO()
    pd.DataFrame({"id": ["01", None], "n": [1, 2]}).to_parquet(buffer)

    frame = read(buffer.getvalue(), "t.parquet", suffixes=(".csv", ".parquet"))

    assert frame.to_dict("records") == [{"id": "01", "n": "1"}, {"id": "", "n": "2"}]


def test_progress_is_heard_up_to_the_end():
    seen = []

    read(b"a\n1\n", progress=seen.append)

    assert seen[-1] == 1.0


# -- what is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "t.csv", "t.csv: the file is empty"),
        (b"a", "t.txt", "t.txt: unsupported file type .txt: use .csv, .xlsx"),
        (b"\x89PNG\r\n\x1a\n\xff\xfe\x00", "t.csv", "t.csv, row 1: the file is not text in"),
        (b"a,b\n1,2\n\xff\xfe\x81\n", "t.csv", "t.csv, row 3: the file is not text in"),
        (b"PK\x03\x04 cut short", "t.xlsx", "t.xlsx: the file is not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 99, "t.xlsx", "t.xlsx: the file is an old"),
        (b"PAR1 cut", "t.parquet", "t.parquet: the file is not a Parquet file"),
        (b"\n\na,b\n", "t.csv", "t.csv, row 1: the first row is empty"),
        (b'a,b\n1,"open\n2,3\n', "t.csv", 't.csv, row 2: a quotation mark (") opened here'),
    ],
)
def test_files_that_cannot_be_read_are_named_in_our_words(data, name, expected):
    [problem] = problems(data, name, suffixes=(".csv", ".xlsx", ".parquet"))

    assert problem.startswith(expected)
    for raw in ("zip", "codec", "Error", "Traceback", "pyarrow", "openpyxl"):
        assert raw not in problem


def test_ragged_rows_are_named_by_row():
    assert problems(b"a,b\n1,2,3\n4\n5,6\n") == [
        "t.csv, row 2: the row has 3 cells but the first row has 2",
        "t.csv, row 3: the row has 1 cells but the first row has 2",
    ]


def test_duplicate_and_missing_column_names_are_named_by_column():
    assert problems(b"a,b,a,,c\n1,2,3,4,5\n") == [
        "t.csv, row 1, column C: the column name “a” is used twice (also column A)",
        "t.csv, row 2, column D: the column has values but no name in the first row",
    ]
    assert problems(xlsx(["a", "a"], [1, 2]), "t.xlsx") == [
        "t.xlsx, sheet Sheet, row 1, column B: the column name “a” is used twice (also column A)"
    ]


def test_nul_and_control_characters_are_refused_by_cell():
    assert problems(b"a,b\n1,x\x00y\n2,\x1b[31m\n") == [
        "t.csv, row 2, column B (b): the cell contains a control character (U+0000)",
        "t.csv, row 3, column B (b): the cell contains a control character (U+001B)",
    ]


def test_an_over_long_cell_is_refused_and_shown_by_its_first_characters():
    [problem] = problems(b"a,b\n1," + b"x" * 20_000_000 + b"\n", limits=Limits(50_000_000, 10))

    assert problem == (
        "t.csv, row 2, column B (b): the cell has 20,000,000 characters, more than 2,000 "
        "(it begins “xxxxxxxxxxxxxxxxxxxx…”)"
    )


def test_a_formula_without_a_saved_value_is_refused_by_cell():
    data = xlsx(["a", "b"], [1, "=A2*2"], title="数据")  # openpyxl saves no value

    assert problems(data, "t.xlsx") == [
        "t.xlsx, sheet 数据, row 2, column B (b): the formula “=A2*2” has no saved value: "
        "open the file in Excel and save it, or type the value"
    ]


def test_a_formula_whose_saved_value_is_an_empty_text_is_read():
    data = _with_sheet_xml(xlsx(["a", "b"], [1]), '<c r="B2" t="str"><f>""</f><v></v></c>')

    assert read(data, "t.xlsx").to_dict("records") == [{"a": "1", "b": ""}]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"a\n" + b"1\n" * 11, "t.csv"),
        (xlsx(["a"], *([i] for i in range(11))), "t.xlsx"),
    ],
)
def test_more_rows_than_the_cap_are_refused_with_the_cap_stated(data, name):
    assert problems(data, name, limits=Limits(max_bytes=10**6, max_rows=10)) == [
        f"{name}: the file has more than 10 data rows, the limit for this kind of file"
    ]


def test_trailing_blank_xlsx_rows_are_not_data_rows():
    data = xlsx(["a"], [1], *([None] for _ in range(50)))

    assert len(read(data, "t.xlsx", limits=Limits(max_bytes=10**6, max_rows=1))) == 1


def test_a_file_over_the_size_cap_is_refused_unread():
    stream = io.BytesIO(b"a\n" + b"1\n" * 600_000)

    assert problems(stream, limits=Limits(max_bytes=1024 * 1024, max_rows=10**6)) == [
        "t.csv: the file is larger than 1 MB, the limit for this kind of file"
    ]
    assert stream.tell() == 1024 * 1024 + 1  # never more than the cap and one byte


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 30_000_000)

    assert problems(buffer.getvalue(), "t.xlsx", limits=Limits(1024 * 1024, 10)) == [
        "t.xlsx: the workbook unpacks to more than 20 MB, the limit for this kind of file"
    ]


def test_problems_are_capped_and_counted():
    with pytest.raises(TableError) as raised:
        read_table(b"a,b\n" + b"1\n" * 500, name="t.csv", limits=LIMITS)

    assert (len(raised.value.problems), raised.value.total) == (50, 500)
    with translation.override("en"):
        assert describe_all(raised.value)[-1] == "… and 450 more problems."


def test_read_text_refuses_control_characters_and_long_lines_by_line():
    assert read_text("东,1\n西,4\n".encode("gbk"), name="s.csv", limits=LIMITS) == "东,1\n西,4\n"
    with pytest.raises(TableError) as raised:
        read_text(b"a,1\nb\x00,2\n" + b"c" * 200 + b"\n", name="s.csv", limits=LIMITS)
    assert [str(p)[:60] for p in raised.value.problems] == [
        "s.csv, row 2: the cell contains a control character (U+0000)",
        "s.csv, row 3: the cell has 200 characters, more than 100 (it",
    ]


# -- messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_kind_has_a_message_in_every_language(language):
    assert set(KINDS) == set(ENGLISH) == set(MESSAGES)
    with translation.override(language):
        for kind, names in KINDS.items():
            params = {name: "x" for name in names}
            text = describe(TableProblem(kind, "t.csv", params, "S", 2, 1, "b"))
            assert "%(" not in text and "x" * bool(names) in text
            if language == "zh-hans":
                assert message(kind, params) != ENGLISH[kind] % params, kind  # translated


def test_a_message_names_the_place_in_the_readers_language():
    problem = TableProblem("ragged_row", "t.csv", {"cells": 3, "expected": 2}, None, 4)

    with translation.override("zh-hans"):
        text = describe(problem)

    assert text.startswith("t.csv，第 4 行")


def _with_sheet_xml(data: bytes, cell: str) -> bytes:
    """The workbook with `cell` (XML) appended to its last row, as another writer saves it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"</row></sheetData>", cell.encode() + b"</row></sheetData>"
                )
            target.writestr(info, content)
    return buffer.getvalue()


def _stray_cell_workbook() -> bytes:
    """A 5 KB workbook whose only data cell sits in Excel's last column: read as a rectangle
    from A1 it would be 16,384 columns wide."""
    book = openpyxl.Workbook()
    book.active.append(["code", "name"])
    book.active.cell(row=3000, column=16384, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_spanning_far_more_columns_than_a_table_is_refused_before_reading():
    import time

    data = _stray_cell_workbook()
    limits = Limits(max_bytes=1024 * 1024, max_rows=100_000, max_cell_chars=100)
    start = time.process_time()

    found = problems(data, name="t.xlsx", limits=limits)

    # Read as a rectangle, the sheet is 49 million cells (minutes and gigabytes); refused from
    # its extent it takes milliseconds of CPU, however loaded the machine.
    assert time.process_time() - start < 10 and len(data) < 10_000
    assert len(found) == 1 and "more than 500 columns" in found[0]


def test_an_xlsform_spanning_far_more_columns_is_refused_before_pyxform_reads_it():
    from questionnaires.xlsform import XLSFormError, parse_xlsform

    with pytest.raises(XLSFormError) as raised:
        parse_xlsform(_stray_cell_workbook(), "form.xlsx")

    assert any("more than 500 columns" in error for error in raised.value.errors)
