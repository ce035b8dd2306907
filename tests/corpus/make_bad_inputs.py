"""Generate the bad-input corpus: malformed tables for every upload and command.

    .venv/bin/python tests/corpus/make_bad_inputs.py     (rewrites tests/corpus/bad_inputs/)

Every file is wrong for every place it is given to (tests/corpus/test_bad_inputs.py runs each
through every upload and command): broken or disguised files, encodings, ragged rows, headers,
formulas without a saved value, control characters, over-long cells, and files whose columns
fit one importer but whose values do not (negative populations, cycles in a locality tree,
400-digit numbers, impossible dates …). The large cases (a 20 MB cell, 300,000 rows, a zip
bomb) are made on the fly by `huge_cases`, so the committed folder stays small.

Output is deterministic: the same script writes the same bytes.
"""

import io
import random
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl

FOLDER = Path(__file__).resolve().parent / "bad_inputs"
BIG = "9" * 400  # a number with 400 digits

LOCALITY_HEADER = ["code", "name", "parent_code", "level", "area_type", "M|16-29", "F|60+"]
FRAME_HEADER = ["unit_id", "phone", "locality_code", "address"]
VALUES_HEADER = ["locality_code", "indicator", "value"]
MATRIX_HEADER = ["", "sense_of_safety", "public_order", "police"]
INTERVIEW_HEADER = ["interview_id", "interviewer", "started_at", "ended_at", "locality"]
RESPONDENT_HEADER = ["stratum", "w", "satisfaction"]
DISPOSITION_HEADER = ["case", "street", "disposition"]

Rows = list[list[object]]
CORPUS: dict[str, Callable[[], bytes]] = {}


def case(name: str) -> Callable:
    def register(build: Callable[[], bytes]) -> Callable[[], bytes]:
        assert name not in CORPUS, name
        CORPUS[name] = build
        return build

    return register


def text_csv(rows: Rows, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    lines = [",".join("" if cell is None else str(cell) for cell in row) for row in rows]
    return (newline.join(lines) + newline).encode(encoding)


def workbook(rows: Rows, title: str = "Sheet") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    # Again, with fixed dates (openpyxl stamps the time of saving): the same bytes every run.
    source = zipfile.ZipFile(buffer)
    members = {info.filename: source.read(info.filename) for info in source.infolist()}
    members["docProps/core.xml"] = re.sub(
        rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", members["docProps/core.xml"]
    )
    return zipped(members)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def garbage(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def both(stem: str, rows: Rows) -> None:
    """The same bad rows as a CSV and as a workbook."""
    case(f"{stem}.csv")(lambda: text_csv(rows))
    case(f"{stem}.xlsx")(lambda: workbook(rows))


# -- files that are no table at all -------------------------------------------------------------

for seed, extension in enumerate(("csv", "xlsx", "parquet")):
    case(f"empty.{extension}")(lambda: b"")
    case(f"binary_garbage.{extension}")(lambda seed=seed: garbage(3000, seed))
case("whitespace_only.csv")(lambda: b"  \n\t\n   \r\n")
case("bom_only.csv")(lambda: b"\xef\xbb\xbf")
case("utf16_bom_only.csv")(lambda: b"\xff\xfe")
case("png_named.csv")(lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + garbage(500, 1))
case("pdf_named.xlsx")(lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
case("old_xls_named.xlsx")(lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
case("password_protected.xlsx")(
    lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + garbage(4000, 2)  # encrypted OOXML is OLE2
)
case("zip_of_text.xlsx")(lambda: zipped({"notes.txt": b"hello"}))
case("docx_named.xlsx")(
    lambda: zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
)
case("xlsx_with_broken_sheet_xml.xlsx")(
    lambda: _replace_member(workbook([FRAME_HEADER, ["H1", "138", "x", "y"]]), b"<row", b"<row<<")
)
case("zip_declaring_a_terabyte.xlsx")(lambda: _declared_size(workbook([FRAME_HEADER]), 2**40))
case("truncated_half.xlsx")(lambda: _cut(workbook([LOCALITY_HEADER] * 50), 0.5))
case("truncated_tail.xlsx")(lambda: _cut(workbook([LOCALITY_HEADER] * 50), 0.99))
case("truncated_100_bytes.xlsx")(lambda: workbook([LOCALITY_HEADER])[:100])
case("xlsx_named.csv")(lambda: workbook([LOCALITY_HEADER, ["1", "市", "", "city"]]))
case("csv_named.xlsx")(lambda: text_csv([LOCALITY_HEADER, ["1", "市", "", "city"]]))
case("csv_named.parquet")(lambda: text_csv([FRAME_HEADER, ["H1", "13812345678", "1", "a"]]))
for name in ("data.txt", "data.xls", "data.json", "data", "data.csv.exe", "data.tsv"):
    case(name)(lambda: text_csv([LOCALITY_HEADER, ["1", "市", "", "city", "", "", ""]]))
case("empty_workbook.xlsx")(lambda: workbook([]))
case("workbook_with_blank_first_row.xlsx")(lambda: workbook([[], FRAME_HEADER, ["H1"]]))
case("header_only_no_rows.csv")(lambda: text_csv([LOCALITY_HEADER]))
case("header_only_no_rows.xlsx")(lambda: workbook([FRAME_HEADER]))
case("blank_first_line.csv")(lambda: b"\n" + text_csv([LOCALITY_HEADER, ["1", "市"]]))

# -- encodings ----------------------------------------------------------------------------------

CHINESE_ROWS = [LOCALITY_HEADER, ["3201", "南京市", "", "市", "中心城区", "-5", ""]]
for label, encoding in [
    ("gbk", "gbk"),
    ("gb18030", "gb18030"),
    ("utf8_bom", "utf-8-sig"),
    ("utf16_bom", "utf-16"),
    ("utf16_be_bom", "utf-16-be"),
]:
    prefix = b"\xfe\xff" if encoding == "utf-16-be" else b""
    case(f"negative_population_{label}.csv")(
        lambda e=encoding, p=prefix: p + text_csv(CHINESE_ROWS, e)
    )
case("utf16_without_bom.csv")(lambda: text_csv(CHINESE_ROWS, "utf-16-le"))
case("utf32_bom.csv")(lambda: text_csv(CHINESE_ROWS, "utf-32"))
case("mixed_utf8_and_gbk.csv")(
    lambda: text_csv(CHINESE_ROWS[:1]) + "3201,南京市,,city,,,\n".encode("gbk") + "1,市\n".encode()
)
case("latin1_accents.csv")(lambda: "code,name\n1,café\xff\n".encode("latin-1"))
case("gb18030_four_byte_name.csv")(
    lambda: text_csv([FRAME_HEADER, ["H1", "1234", "320102002", "𠀀𠀁路"]], "gb18030")
)
case("crlf_and_cr_mixed.csv")(lambda: b"code,name\r\n1,a\r2,b\n3\r\n")

# -- rows and headers ---------------------------------------------------------------------------

both("ragged_first_row", [FRAME_HEADER, ["H1", "13812345678", "320102002", "a", "extra"]])
both("ragged_short_row", [LOCALITY_HEADER, ["3201", "南京市", "", "city", "", "", ""], ["3"]])
case("ragged_long_row.csv")(
    lambda: text_csv([VALUES_HEADER, ["C01", "r", "9"], ["C02", "r", "9", "8", "7"]])
)
both("duplicate_header", [["code", "name", "code", "level"], ["1", "市", "2", "city"]])
case("duplicate_header_frame.csv")(
    lambda: text_csv([["unit_id", "phone", "phone", "locality_code"], ["H1", "1", "2", "3"]])
)
both("blank_header_with_values", [["code", "", "level"], ["1", "市", "city"]])
both("header_of_numbers", [[1, 2, 3], [4, 5, 6]])
case("unclosed_quote.csv")(lambda: b'code,name,parent_code,level\n1,"unclosed,,city\n2,b,1,x\n')
case("stray_quote_in_cell.csv")(lambda: b'unit_id,phone\nH"1,13812345678\n')
case("semicolon_separated.csv")(lambda: b"code;name;parent_code;level\n1;a;;city\n")
case("tab_separated_utf8.csv")(lambda: b"code\tname\tparent_code\tlevel\n1\ta\t\tcity\n")
case("a_million_columns_in_a_row.csv")(lambda: b"a,b\n" + b"," * 200_000 + b"x\n")
case("only_commas.csv")(lambda: b",,,,\n,,,,\n")

# -- cells --------------------------------------------------------------------------------------

for column, header in [
    ("name", LOCALITY_HEADER),
    ("phone", FRAME_HEADER),
    ("value", VALUES_HEADER),
    ("interviewer", INTERVIEW_HEADER),
]:
    row = ["x"] * len(header)
    row[header.index(column)] = "a\x00b"
    case(f"nul_in_{column}.csv")(lambda h=header, r=row: text_csv([h, r]))
case("nul_in_header.csv")(lambda: b"co\x00de,name\n1,a\n")
case("escape_sequence_in_cell.csv")(lambda: text_csv([FRAME_HEADER, ["\x1b[31mH1", "1", "2", "3"]]))
case("bell_and_backspace.csv")(lambda: text_csv([VALUES_HEADER, ["C01\x07", "r\x08", "9"]]))
case("nul_bytes_everywhere.csv")(lambda: b"\x00" * 500)
case("cell_5000_chars.csv")(lambda: text_csv([LOCALITY_HEADER, ["1", "长" * 5000, "", "city"]]))
case("cell_5000_chars.xlsx")(lambda: workbook([FRAME_HEADER, ["H1", "1" * 5000, "x", "y"]]))
case("header_5000_chars.csv")(lambda: text_csv([["c" * 5000, "name"], ["1", "a"]]))
for stem, rows in [
    ("formula_without_value_localities", [LOCALITY_HEADER, ["1", "市", "", "city", "", "=2*600"]]),
    ("formula_without_value_frame", [FRAME_HEADER, ["H1", "=13800000000+1", "320102002", "a"]]),
    ("formula_without_value_values", [VALUES_HEADER, ["C01", "r", "=AVERAGE(1,2)"]]),
    ("formula_without_value_matrix", [MATRIX_HEADER, ["police", "=1/3", "1", "1"]]),
    ("formula_in_header", [['="co"&"de"', "name"], ["1", "a"]]),
]:
    case(f"{stem}.xlsx")(lambda r=rows: workbook(r))
case("formula_injection_cells.csv")(
    lambda: text_csv([LOCALITY_HEADER, ["=cmd|' /C calc'!A0", "@SUM(1)", "", "=1+1", "", "", ""]])
)

# -- values that fit one importer's columns but are wrong -------------------------------------

LOCALITY_BAD = {
    "negative_population": ["3201", "南京市", "", "city", "", "-5", ""],
    "population_text": ["3201", "南京市", "", "city", "", "many", ""],
    "population_400_digits": ["3201", "南京市", "", "city", "", BIG, ""],
    "population_1e400": ["3201", "南京市", "", "city", "", "1e400", ""],
    "population_nan": ["3201", "南京市", "", "city", "", "nan", ""],
    "population_date": ["3201", "南京市", "", "city", "", "2024-01-31", ""],
    "unknown_level": ["3201", "南京市", "", "town", "", "", ""],
    "bad_area_type": ["3201", "南京市", "", "city", "suburb", "", ""],
    "city_with_unknown_parent": ["3201", "南京市", "9999", "city", "", "", ""],
    "district_without_parent": ["320102", "玄武区", "", "district", "", "", ""],
    "self_parent": ["3201", "南京市", "3201", "city", "", "", ""],
    "code_too_long": ["3" * 40, "南京市", "", "city", "", "", ""],
    "empty_name": ["3201", "", "", "city", "", "", ""],
    "name_too_long": ["3201", "名" * 101, "", "city", "", "", ""],
}
for stem, row in LOCALITY_BAD.items():
    case(f"localities_{stem}.csv")(lambda r=row: text_csv([LOCALITY_HEADER, r]))
case("localities_cycle.csv")(
    lambda: text_csv(
        [
            LOCALITY_HEADER,
            ["A", "甲", "B", "street", "", "", ""],
            ["B", "乙", "A", "street", "", "", ""],
        ]
    )
)
case("localities_long_cycle.xlsx")(
    lambda: workbook(
        [LOCALITY_HEADER]
        + [[f"S{i}", f"街{i}", f"S{(i + 1) % 30}", "street", "", "", ""] for i in range(30)]
    )
)
case("localities_duplicate_codes.csv")(
    lambda: text_csv(
        [LOCALITY_HEADER, ["1", "市", "", "city", "", "", ""], ["1", "市", "", "city", "", "", ""]]
    )
)
case("localities_level_skipped.csv")(
    lambda: text_csv(
        [
            LOCALITY_HEADER,
            ["1", "市", "", "city", "", "", ""],
            ["11", "街", "1", "street", "", "", ""],
        ]
    )
)
case("localities_coordinates_out_of_range.csv")(
    lambda: text_csv(
        [
            ["code", "name", "parent_code", "level", "latitude", "longitude"],
            ["1", "市", "", "city", "91", "200"],
        ]
    )
)
case("localities_one_coordinate.csv")(
    lambda: text_csv(
        [
            ["code", "name", "parent_code", "level", "latitude", "longitude"],
            ["1", "市", "", "city", "30", ""],
        ]
    )
)
case("localities_unknown_column.csv")(
    lambda: text_csv(
        [["code", "name", "parent_code", "level", "age"], ["1", "市", "", "city", "3"]]
    )
)

FRAME_BAD = {
    "bad_phone": ["H1", "1234", "320102002", "a"],
    "phone_400_digits": ["H1", BIG, "320102002", "a"],
    "unknown_locality": ["H1", "13812345678", "999999", "a"],
    "coarse_locality": ["H1", "13812345678", "3201", "a"],
    "empty_unit_id": ["", "13812345678", "320102002", "a"],
    "address_too_long": ["H1", "13812345678", "320102002", "路" * 400],
    "phone_as_date": ["H1", "2024-01-31", "320102002", "a"],
}
for stem, row in FRAME_BAD.items():
    case(f"frame_{stem}.csv")(lambda r=row: text_csv([FRAME_HEADER, r]))
case("frame_duplicate_unit_ids.xlsx")(
    lambda: workbook(
        [FRAME_HEADER, ["H1", 13812345678, "320102002", "a"], ["H1", 13812345679, "320102002", "b"]]
    )
)
case("frame_wrong_columns.csv")(lambda: text_csv([["hh", "tel"], ["H1", "13812345678"]]))

VALUES_BAD = {
    "text": ["C01", "resolution", "lots"],
    "400_digits": ["C01", "resolution", BIG],
    "infinity": ["C01", "resolution", "inf"],
    "unknown_locality": ["ZZ9", "resolution", "90"],
    "empty_indicator": ["C01", "", "90"],
    "percent_text": ["C01", "resolution", "九十%"],
}
for stem, row in VALUES_BAD.items():
    case(f"values_{stem}.csv")(lambda r=row: text_csv([VALUES_HEADER, r]))
case("values_wide_dates.xlsx")(
    lambda: workbook([["locality_code", "resolution"], ["C01", "2024-01-31"]])
)

MATRIX_BAD = {
    "not_square": [MATRIX_HEADER, ["sense_of_safety", "1", "3"]],
    "400_digits": [
        MATRIX_HEADER,
        ["sense_of_safety", "1", BIG, "1"],
        ["public_order", "1", "1", "1"],
        ["police", "1", "1", "1"],
    ],
    "zero_and_negative": [
        MATRIX_HEADER,
        ["sense_of_safety", "1", "0", "-3"],
        ["public_order", "1", "1", "1"],
        ["police", "1", "1", "1"],
    ],
    "division_by_zero": [
        MATRIX_HEADER,
        ["sense_of_safety", "1", "1/0", "1"],
        ["public_order", "0/0", "1", "1"],
        ["police", "1", "1", "1"],
    ],
    "inconsistent": [
        MATRIX_HEADER,
        ["sense_of_safety", "1", "9", "1/9"],
        ["public_order", "1/9", "1", "9"],
        ["police", "9", "1/9", "1"],
    ],
    "wrong_labels": [["", "a", "b"], ["a", "1", "1"], ["b", "1", "1"]],
    "too_many_elements": [[""] + [f"e{i}" for i in range(16)]]
    + [[f"e{i}"] + ["1"] * 16 for i in range(16)],
}
for stem, rows in MATRIX_BAD.items():
    case(f"matrix_{stem}.csv")(lambda r=rows: text_csv(r))
case("matrix_empty_sheet.xlsx")(lambda: workbook([], title="matrix"))
case("matrix_header_only.xlsx")(lambda: workbook([MATRIX_HEADER]))

INTERVIEWS_BAD = {
    "impossible_date": ["1", "王", "2025-13-45T10:00", "2025-05-01T10:07", "S1"],
    "ended_before_started": ["1", "王", "2025-05-01T10:00", "2025-05-01T09:00", "S1"],
    "id_400_digits": [BIG, "王", "2025-05-01T10:00", "2025-05-01T10:07", "S1"],
    "empty_id": ["", "王", "2025-05-01T10:00", "2025-05-01T10:07", "S1"],
}
for stem, row in INTERVIEWS_BAD.items():
    case(f"interviews_{stem}.csv")(lambda r=row: text_csv([INTERVIEW_HEADER, r]))
# Text ids (I0018) and columns the form does not have are accepted: other systems' files
# carry both. A file without the interviewer column is not.
case("interviews_no_interviewer_column.csv")(
    lambda: text_csv(
        [
            ["interview_id", "started_at", "ended_at", "locality"],
            ["1", "2025-05-01T10:00", "2025-05-01T10:07", "S1"],
        ]
    )
)

RESPONDENTS_BAD = {
    "satisfaction_400_digits": ["A", "1", BIG],
    "satisfaction_text": ["A", "1", "good"],
    "weight_zero": ["A", "0", "80"],
    "weight_negative": ["A", "-2", "80"],
    "weight_infinite": ["A", "inf", "80"],
}
for stem, row in RESPONDENTS_BAD.items():
    case(f"respondents_{stem}.csv")(
        lambda r=row: text_csv([RESPONDENT_HEADER, r, ["B", "1", "70"]])
    )

DISPOSITIONS_BAD = {
    "unknown_code": ["1", "S1", "refused"],
    "code_400_digits": ["1", "S1", BIG],
}
for stem, row in DISPOSITIONS_BAD.items():
    case(f"dispositions_{stem}.csv")(lambda r=row: text_csv([DISPOSITION_HEADER, r]))
case("dispositions_negative_count.csv")(lambda: b"disposition,count\n1.1,-30\n2.10,10\n")
case("dispositions_count_400_digits.csv")(lambda: f"disposition,count\n1.1,{BIG}\n".encode())
case("dispositions_gbk_bad_code.csv")(
    lambda: text_csv([DISPOSITION_HEADER, ["1", "东街", "拒访"]], "gbk")
)


# -- helpers for disguised workbooks ------------------------------------------------------------


def _cut(data: bytes, share: float) -> bytes:
    return data[: int(len(data) * share)]


def _replace_member(data: bytes, old: bytes, new: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    members = {}
    for info in source.infolist():
        content = source.read(info.filename)
        if info.filename == "xl/worksheets/sheet1.xml":
            content = content.replace(old, new, 1)
        members[info.filename] = content
    return zipped(members)


def _declared_size(data: bytes, size: int) -> bytes:
    """The archive with its sheet's size in the central directory claimed to be `size`."""
    archive = bytearray(data)
    position = 0
    while (position := archive.find(b"PK\x01\x02", position)) >= 0:  # central directory
        name_length = int.from_bytes(archive[position + 28 : position + 30], "little")
        name = bytes(archive[position + 46 : position + 46 + name_length])
        if name == b"xl/worksheets/sheet1.xml":
            archive[position + 24 : position + 28] = min(size, 2**32 - 1).to_bytes(4, "little")
        position += 4
    return bytes(archive)


# -- made on the fly ----------------------------------------------------------------------------


def huge_cases() -> Iterator[tuple[str, bytes]]:
    """The large cases, too big to commit: a 20 MB cell (CSV and XLSX), 300,000 locality rows
    in a small workbook and in a CSV, and a workbook that unpacks to 600 MB."""
    cell = "x" * 20_000_000
    yield "cell_20_mb.csv", text_csv([LOCALITY_HEADER, ["1", cell, "", "city"]])
    yield "cell_20_mb.xlsx", workbook([FRAME_HEADER, ["H1", "13812345678", "320102002", cell]])
    rows = [[f"C{i}", f"社区{i}", "", "city", "", "", ""] for i in range(300_000)]
    yield "localities_300000_rows.csv", text_csv([LOCALITY_HEADER, *rows])
    yield "localities_300000_rows.xlsx", _many_rows_workbook(300_000)
    yield "zip_bomb.xlsx", _bomb(600 * 1024 * 1024)


def _many_rows_workbook(n: int) -> bytes:
    """A workbook with `n` rows of one short inline cell each, written directly (openpyxl
    would take a minute); under a megabyte compressed."""
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>C{i}</t></is></c></row>'
        for i in range(2, n + 2)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>'
        + rows
        + "</sheetData></worksheet>"
    )
    return _replace_sheet(workbook([["code"]]), sheet.encode())


def _replace_sheet(data: bytes, sheet: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    members = {info.filename: source.read(info.filename) for info in source.infolist()}
    members["xl/worksheets/sheet1.xml"] = sheet
    return zipped(members)


def _bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(workbook([["code"]])))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in base.infolist():
            archive.writestr(info.filename, base.read(info.filename))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            block = b"0" * (1024 * 1024)
            for _ in range(size // len(block)):
                member.write(block)
    return buffer.getvalue()


def write(folder: Path = FOLDER) -> list[Path]:
    """Write every case into `folder` (emptied first); the paths written."""
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    written = []
    for name, build in sorted(CORPUS.items()):
        path = folder / name
        path.write_bytes(build())
        written.append(path)
    return written


if __name__ == "__main__":
    paths = write()
    total = sum(path.stat().st_size for path in paths)
    print(f"{len(paths)} files, {total / 1024:.0f} KiB in {FOLDER}", file=sys.stderr)
