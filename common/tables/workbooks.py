"""XLSX workbooks and Parquet files as rows of text, for common.tables.read_table. Pure.

An XLSX is read from its first worksheet by the values Excel saved, formulas included; a
formula cell without a saved value is refused by cell. An old .xls, a password-protected or
damaged workbook, or one that unpacks to more than UNPACK_FACTOR times the size cap (a zip
bomb) is refused as a whole.
"""

import io
import math
import re
import zipfile
from xml.etree.ElementTree import iterparse

import pandas as pd
import pyarrow.parquet as pq
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple

from common.tables.problems import MB, Limits, Problems, TableError, TableProblem, fail, short

UNPACK_FACTOR = 20  # an XLSX may unpack to this many times the size cap
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and every password-protected workbook
FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def read_xlsx(
    raw: bytes, name: str, limits: Limits, chunk_rows: int
) -> tuple[list[str], pd.DataFrame, str]:
    """The first sheet's first row, its data rows (columns 0…n-1 of str, up to the last
    non-blank row) and its title. Raises TableError."""
    book = _open(raw, name, limits)
    try:
        if not book.worksheets:
            raise fail("empty", name)
        sheet = book.worksheets[0]
        title, path = sheet.title, getattr(sheet, "_worksheet_path", None)
        header, frame = _sheet_rows(sheet, name, limits, chunk_rows)
    except TableError:
        raise
    except Exception as error:  # a sheet damaged past its first rows
        raise fail("not_xlsx", name) from error
    finally:
        book.close()
    problems = Problems(name, title)
    try:
        if path is not None and _has_formulas(raw, path):
            _check_formulas(raw, path, header, problems)
    except Exception as error:  # the sheet's XML is damaged where openpyxl did not look
        raise fail("not_xlsx", name) from error
    problems.raise_if_any()
    return header, frame, title


def check_workbook(raw: bytes, name: str, limits: Limits) -> None:
    """Whether `raw` is a workbook openpyxl can open (see read_xlsx) whose sheets have no
    column name twice in their first row, for readers of whole workbooks (XLSForms). Raises
    TableError."""
    book = _open(raw, name, limits)
    problems = Problems(name, None)
    try:
        for sheet in book.worksheets:
            first = {}
            for position, value in enumerate(next(sheet.iter_rows(values_only=True), ())):
                header = _cell_text(value).strip()
                if header and header in first:
                    problems.found.append(
                        TableProblem(
                            "duplicate_header",
                            name,
                            {"name": f"“{short(header)}”", "first_column": _letter(first[header])},
                            sheet.title,
                            1,
                            position,
                        )
                    )
                first.setdefault(header, position)
    except Exception as error:  # a sheet damaged past what openpyxl read when opening
        raise fail("not_xlsx", name) from error
    finally:
        book.close()
    problems.raise_if_any()


def _open(raw: bytes, name: str, limits: Limits):
    """The workbook, read-only, by its saved values; TableError for what is no workbook."""
    if raw.startswith(OLE2):
        raise fail("old_excel", name)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as error:  # zipfile raises assorted errors on a damaged archive
        raise fail("not_xlsx", name) from error
    if unpacked > UNPACK_FACTOR * limits.max_bytes:
        raise fail("unpacked_too_large", name, max_mb=f"{UNPACK_FACTOR * limits.max_bytes / MB:g}")
    try:
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises assorted errors on a damaged workbook
        raise fail("not_xlsx", name) from error


def _letter(position: int) -> str:
    return get_column_letter(position + 1)


def _sheet_rows(
    sheet, name: str, limits: Limits, chunk_rows: int
) -> tuple[list[str], pd.DataFrame]:
    sheet.reset_dimensions()  # a workbook's stated size may be wrong: read what is there
    rows_read = sheet.iter_rows(values_only=True)
    header = _trimmed([_cell_text(value) for value in next(rows_read, ())])
    chunks, rows, blank_run = [], [], 0
    for number, values in enumerate(rows_read, start=2):
        cells = _trimmed([_cell_text(value) for value in values])
        if not cells:
            blank_run += 1  # blank rows after the last data row are not data
            continue
        if number - 1 > limits.max_rows:
            raise fail("too_many_rows", name, max_rows=f"{limits.max_rows:,}")
        rows.extend([[]] * blank_run)
        rows.append(cells)
        blank_run = 0
        if len(rows) >= chunk_rows:
            chunks.append(text_columns(rows, max(map(len, rows))))
            rows = []
    chunks.append(text_columns(rows, max([len(header), *map(len, rows)])))
    return header, pd.concat(chunks, ignore_index=True).fillna("")


def _trimmed(cells: list[str]) -> list[str]:
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _cell_text(value: object) -> str:
    """A cell as pandas' read_excel(dtype=str) gives it: whole floats without ".0", dates
    as 2024-01-31 00:00:00."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
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
                row, column = coordinate_to_tuple(reference) if reference else (None, None)
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
