"""XLSX workbooks and Parquet files as rows of text, for common.tables.read_table. Pure.

An XLSX is read from its first worksheet, or the one named, by the values Excel saved,
formulas included, with python-calamine (a compiled reader, some 25 times faster than
openpyxl, so that a workbook of 300,000 rows is refused within a second); a formula cell
without a saved value is refused by cell. An old .xls, a password-protected or damaged
workbook, or one that unpacks to more than UNPACK_FACTOR times the size cap (a zip bomb) is
refused as a whole.
"""

import datetime
import io
import math
import posixpath
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from xml.etree.ElementTree import fromstring, iterparse

import pandas as pd
import pyarrow.parquet as pq

from common.tables.problems import (
    MB,
    Limits,
    Problems,
    TableError,
    TableProblem,
    column_letter,
    fail,
    short,
)

if TYPE_CHECKING:  # python-calamine and openpyxl are imported where a workbook is read
    from python_calamine import CalamineWorkbook

UNPACK_FACTOR = 20  # an XLSX may unpack to this many times the size cap
# A sheet is read as the rectangle from A1 to its last value: one stray cell at XFD100000 would
# make a 5 KB file fill gigabytes. No table of ours is this wide or this large.
MAX_COLUMNS = 500
MAX_CELLS = 20_000_000
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and every password-protected workbook
FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def read_xlsx(
    raw: bytes, name: str, limits: Limits, chunk_rows: int, sheet_name: str | None = None
) -> tuple[list[str], pd.DataFrame, str]:
    """The first sheet's (or sheet `sheet_name`'s) first row, its data rows (columns 0…n-1 of
    str, up to the last non-blank row) and its title. Raises TableError."""
    book = _open(raw, name, limits)
    with _as_damaged(name):
        if not book.sheet_names:
            raise fail("empty", name)
        if sheet_name is not None and sheet_name not in book.sheet_names:
            raise fail("no_sheet", name, sheet=f"“{sheet_name}”",
                       sheets="、".join(f"“{s}”" for s in book.sheet_names))  # fmt: skip
        index = book.sheet_names.index(sheet_name) if sheet_name is not None else 0
        sheet = book.get_sheet_by_index(index)
        title = sheet.name
        # calamine's range ends at the last cell with a value: blank rows after it are no data
        _check_extent(sheet, name, limits)
        rows = sheet.to_python(skip_empty_area=False)
    header = _trimmed([_cell_text(value) for value in rows[0]]) if rows else []
    width = max((len(row) for row in rows), default=0)
    chunks = [
        text_columns(
            [_trimmed([_cell_text(v) for v in row]) for row in rows[at : at + chunk_rows]], width
        )
        for at in range(1, max(len(rows), 2), chunk_rows)
    ]
    problems = Problems(name, title)
    with _as_damaged(name):
        path = _sheet_path(raw, index)
        if path is not None and _has_formulas(raw, path):
            _check_formulas(raw, path, header, problems)
    problems.raise_if_any()
    return header, pd.concat(chunks, ignore_index=True).fillna(""), title


def _check_extent(sheet, name: str, limits: Limits) -> None:
    """Refuse a sheet whose used range is too tall or too wide before any cell is read."""
    if sheet.end is None:
        return
    rows, columns = sheet.end[0] + 1, sheet.end[1] + 1
    if rows - 1 > limits.max_rows:
        raise fail("too_many_rows", name, max_rows=f"{limits.max_rows:,}")
    if columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise fail(
            "too_many_cells", name, max_columns=f"{MAX_COLUMNS:,}", max_cells=f"{MAX_CELLS:,}"
        )


def check_workbook(raw: bytes, name: str, limits: Limits) -> None:
    """Whether `raw` is a workbook (see read_xlsx) whose every sheet has at most max_rows
    rows and no column name twice in its first row, for readers of whole workbooks
    (XLSForms). Raises TableError."""
    book = _open(raw, name, limits)
    problems = Problems(name, None)
    with _as_damaged(name):
        for title in book.sheet_names:
            sheet = book.get_sheet_by_name(title)
            _check_extent(sheet, name, limits)
            first: dict[str, int] = {}
            for position, value in enumerate(next(iter(sheet.to_python(nrows=1)), [])):
                header = _cell_text(value).strip()
                if header and header in first:
                    params = {"name": f"“{short(header)}”", "first_column": _letter(first[header])}
                    problems.found.append(
                        TableProblem("duplicate_header", name, params, title, 1, position)
                    )
                first.setdefault(header, position)
    problems.raise_if_any()


def _open(raw: bytes, name: str, limits: Limits) -> "CalamineWorkbook":
    """The workbook; TableError for what is no workbook, or unpacks to too much."""
    if raw.startswith(OLE2):
        raise fail("old_excel", name)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as error:  # zipfile raises assorted errors on a damaged archive
        raise fail("not_xlsx", name) from error
    if unpacked > UNPACK_FACTOR * limits.max_bytes:
        raise fail("unpacked_too_large", name, max_mb=f"{UNPACK_FACTOR * limits.max_bytes / MB:g}")
    from python_calamine import CalamineWorkbook

    with _as_damaged(name):
        return CalamineWorkbook.from_filelike(io.BytesIO(raw))


@contextmanager
def _as_damaged(name: str) -> Iterator[None]:
    """Whatever a reader raises on a damaged file becomes our "not a workbook" problem. A
    compiled reader may panic (pyo3's PanicException is a BaseException): that is caught too,
    never an interrupt or an exit."""
    try:
        yield
    except (TableError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:
        raise fail("not_xlsx", name) from error


def sheet_names(raw: bytes) -> list[str]:
    """The workbook's sheets in order, from its table of contents alone (a 200 MB workbook
    is not unpacked to list them); [] for what is no workbook (read_xlsx says why)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            workbook = fromstring(archive.read("xl/workbook.xml"))
    except Exception:  # zipfile and the XML parser raise assorted errors on damaged files
        return []
    return [e.get("name", "") for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"]


def _sheet_path(raw: bytes, index: int) -> str | None:
    """The path in the archive of the workbook's sheet `index` (workbook.xml and its rels)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        workbook = fromstring(archive.read("xl/workbook.xml"))
        sheets = [e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"]
        sheet = sheets[index] if index < len(sheets) else None
        if sheet is None:
            return None
        links = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = next(
            (e.get("Target") for e in links if e.get("Id") == sheet.get(RELATIONSHIP)), None
        )
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)


def _letter(position: int) -> str:
    return column_letter(position)


def _trimmed(cells: list[str]) -> list[str]:
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _cell_text(value: object) -> str:
    """A cell as pandas' read_excel(dtype=str) gave it with openpyxl: whole floats without
    ".0", dates as 2024-01-31 00:00:00."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return f"{value} 00:00:00"
    return str(value)


def text_columns(rows: list[list[str]], width: int) -> pd.DataFrame:
    """Rows of str (short ones padded) as a DataFrame with columns 0…width-1 of str."""
    if not rows:
        return pd.DataFrame({i: pd.Series([], dtype="str") for i in range(width)})
    padded = (row if len(row) == width else (row + [""] * width)[:width] for row in rows)
    columns = zip(*padded, strict=True)
    return pd.DataFrame({i: pd.Series(values, dtype="str") for i, values in enumerate(columns)})


def _has_formulas(raw: bytes, path: str) -> bool:
    """Whether the sheet's XML holds a formula element, read in pieces."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive, archive.open(path.lstrip("/")) as part:
        tail = b""
        while piece := part.read(MB):
            if FORMULA_TAG.search(tail + piece):
                return True
            tail = piece[-64:]
    return False


def _check_formulas(raw: bytes, path: str, header: list[str], problems: Problems) -> None:
    """A formula cell without a saved value (no <v>, or an empty one) was never calculated:
    the file was written by a program, not by Excel, and reading it as empty would lose the
    value. Only a formula whose value is a text (t="str") may have saved an empty one."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive, archive.open(path.lstrip("/")) as part:
        for _event, element in iterparse(part):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "row":
                element.clear()
            if tag != "c":
                continue
            children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
            saved = children.get("v")
            if "f" in children and element.get("t") != "str" and not getattr(saved, "text", ""):
                # "r" is optional in the format; every writer we know sets it.
                reference = element.get("r")
                row, column = _coordinates(reference) if reference else (None, None)
                position = column - 1 if column else None
                problems.add(
                    "formula_without_value",
                    row=row,
                    column=position,
                    column_name=header[position]
                    if position is not None and position < len(header)
                    else "",
                    formula=f"“{short('=' + (children['f'].text or '…'))}”",
                )
            element.clear()


def read_parquet(raw: bytes, name: str, limits: Limits) -> tuple[list[str], pd.DataFrame]:
    """The column names and the rows (columns 0…n-1 of str, "" for missing). Raises
    TableError."""
    try:
        parquet = pq.ParquetFile(io.BytesIO(raw))
        too_many = parquet.metadata.num_rows > limits.max_rows
        table = None if too_many else parquet.read().to_pandas()
    except Exception as error:  # pyarrow raises assorted errors on a damaged file
        raise fail("not_parquet", name) from error
    if table is None:
        raise fail("too_many_rows", name, max_rows=f"{limits.max_rows:,}")
    header = [str(column) for column in table.columns]
    frame = table.astype(str).where(table.notna(), "")
    frame.columns = range(frame.shape[1])
    return header, frame.astype("str")


def _coordinates(reference: str) -> tuple[int, int]:
    """(row, column), 1-based, of a cell reference such as "B7"."""
    from openpyxl.utils.cell import coordinate_to_tuple

    return coordinate_to_tuple(reference)
