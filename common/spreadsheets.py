"""Files people open in a spreadsheet: XLSX workbooks and CSV. Pure: openpyxl, csv, pandas.

Every text cell passes through `spreadsheet_cell`, so a value typed by a respondent, an
interviewer or another system never runs as a formula when the file is opened ("CSV
injection"). CSV is UTF-8 with a byte-order mark, so Excel opens Chinese text correctly.
Workbooks carry no time of writing: the same tables give the same bytes.

A *table* is a dict {"title": str, "columns": [str, ...], "rows": [[cell, ...]]} with cells of
str, int, float or None.
"""

import csv
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "XLSX_CONTENT_TYPE",
    "dataframe_csv",
    "spreadsheet_cell",
    "spreadsheet_row",
    "table_csv",
    "workbook_bytes",
    "write_csv_files",
]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A leading =, +, -, @ (or tab/CR) makes Excel evaluate a cell.
_FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"^[=+\-@\t\r]"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER_COLOUR = "EEF2F6"


def spreadsheet_cell(value: object) -> object:
    """One cell safe to open in a spreadsheet (CSV or XLSX): text that would be run as a
    formula gets a leading apostrophe; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_CHARS):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through spreadsheet_cell."""
    return [spreadsheet_cell(value) for value in values]


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel limits sheet names to 31 characters without []:*?/\\ and unique per book."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def workbook_bytes(tables: Sequence[dict], *, properties: dict | None = None) -> bytes:
    """The tables as an .xlsx file, one sheet per table named by its title, with a bold frozen
    header row, numbers kept as numbers (one decimal shown for floats) and empty cells for None.
    `properties` may set "title" and "creator"."""
    # openpyxl is imported here, not by every web worker that loads the views (~10 MB).
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor=_HEADER_COLOUR)
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table["title"], used))
        sheet.append(spreadsheet_row(table["columns"]))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
        for row in table["rows"]:
            sheet.append(spreadsheet_row(row))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table["columns"], start=1):
            values = [column, *(row[index - 1] for row in table["rows"])]
            width = max(len(str(v)) if v is not None else 0 for v in values)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(8, width + 2), 40)
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if isinstance(cell.value, float):
                    cell.number_format = "0.0"
    if properties:
        book.properties.title = properties.get("title")
        book.properties.creator = properties.get("creator")
    buffer = io.BytesIO()
    book.save(buffer)
    return _undated(buffer.getvalue())


_CORE_DATES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def _undated(content: bytes) -> bytes:
    """The workbook without the moments openpyxl writes into it (the document's created and
    modified times, each ZIP entry's time): the same tables always give the same bytes, so a
    download taken again (after a purge of personal data, say) can be compared to the byte."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(b"", data)
            member = zipfile.ZipInfo(info.filename)  # ZIP's "no date", 1980-01-01
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, data)
    return out.getvalue()


def table_csv(table: dict) -> bytes:
    """One table as UTF-8 CSV with a byte-order mark; None is an empty cell."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(spreadsheet_row(table["columns"]))
    for row in table["rows"]:
        writer.writerow(["" if cell is None else spreadsheet_cell(cell) for cell in row])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def dataframe_csv(frame: pd.DataFrame, *, float_format: str | None = None) -> bytes:
    """A DataFrame as UTF-8 CSV with a byte-order mark, the header and the text cells
    guarded; `float_format` (e.g. "%.6f") formats the float columns."""
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_string_dtype(safe[column]):
            text = safe[column].fillna("").astype(str)
            safe[column] = text.where(~text.str.contains(_FORMULA_START), "'" + text)
    safe.columns = [spreadsheet_cell(str(column)) for column in safe.columns]
    return safe.to_csv(index=False, float_format=float_format).encode("utf-8-sig")


def write_csv_files(outputs: Iterable[tuple[str | Path, pd.DataFrame]]) -> None:
    """Write every (path, frame) as plain UTF-8 CSV, all or none: each goes to a temporary file
    beside its target first, and only when all are written are they renamed into place, so a
    failure (OSError, raised to the caller) never leaves a half-written or a partial set."""
    written: list[tuple[str, Path]] = []
    try:
        for path, frame in outputs:
            target = Path(path)
            handle, temporary = tempfile.mkstemp(dir=target.parent.resolve(), suffix=".part")
            written.append((temporary, target))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                frame.to_csv(stream, index=False)
    except BaseException:
        for temporary, _target in written:
            Path(temporary).unlink(missing_ok=True)
        raise
    for temporary, target in written:
        os.replace(temporary, target)
