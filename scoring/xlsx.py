"""Result tables as an XLSX workbook or CSV. Pure: openpyxl and csv, no Django.

A *table* is a dict {"key": str, "title": str, "columns": [str, ...], "rows": [[cell, ...]]}
with cells of str, int, float or None (see scoring.presenters.report_tables). The workbook has
one sheet per table, named by its title, with a bold frozen header row, numbers kept as numbers
(one decimal shown) and empty cells for None. Text that a spreadsheet would run as a formula
is neutralised (sampling.exports.spreadsheet_cell).
"""

import csv
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from sampling.exports import spreadsheet_cell

__all__ = ["table_csv", "workbook_bytes"]

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")


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
    """The tables as an .xlsx file. `properties` may set "title" and "creator"."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table["title"], used))
        sheet.append([spreadsheet_cell(column) for column in table["columns"]])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
        for row in table["rows"]:
            sheet.append([spreadsheet_cell(cell) for cell in row])
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
    return buffer.getvalue()


def table_csv(table: dict) -> bytes:
    """One table as UTF-8 CSV with a byte-order mark, so Excel opens the Chinese correctly."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(column) for column in table["columns"]])
    for row in table["rows"]:
        writer.writerow(["" if cell is None else spreadsheet_cell(cell) for cell in row])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
