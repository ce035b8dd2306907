"""What can be wrong with a table file: the kinds of problem, where each is, and the error
that carries them. Pure: no Django.

A TableProblem has a `kind` (a key of KINDS) and plain `params`, which a user interface turns
into a sentence in the reader's language (common.tables.texts); str() gives it in English,
for logs and tests.
"""

import re
from dataclasses import dataclass, field

MB = 1024 * 1024
MAX_PROBLEMS = 50  # a file with a million bad rows is reported by its first few
SHOWN_CHARS = 20  # of a cell's value or a column's name in a message
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # tab, line feed and carriage return are text

# Every kind of problem, with the names of its params.
KINDS: dict[str, tuple[str, ...]] = {
    "file_type": ("suffix", "allowed"),
    "cannot_open": (),
    "too_large": ("max_mb",),
    "unpacked_too_large": ("max_mb",),
    "too_many_rows": ("max_rows",),
    "too_many_cells": ("max_columns", "max_cells"),
    "empty": (),
    "not_text": (),
    "not_xlsx": (),
    "old_excel": (),
    "not_parquet": (),
    "blank_header_row": (),
    "unclosed_quote": (),
    "bad_csv": (),
    "blank_header": (),
    "duplicate_header": ("name", "first_column"),
    "ragged_row": ("cells", "expected"),
    "formula_without_value": ("formula",),
    "control_character": ("code",),
    "cell_too_long": ("length", "max_length", "start"),
    "no_sheet": ("sheet", "sheets"),
}
ENGLISH = {
    "file_type": "unsupported file type %(suffix)s: use %(allowed)s",
    "cannot_open": "the file cannot be opened",
    "too_large": "the file is larger than %(max_mb)s MB, the limit for this kind of file",
    "unpacked_too_large": (
        "the workbook unpacks to more than %(max_mb)s MB, the limit for this kind of file"
    ),
    "too_many_rows": (
        "the file has more than %(max_rows)s data rows, the limit for this kind of file"
    ),
    "too_many_cells": (
        "the sheet spans more than %(max_columns)s columns or %(max_cells)s cells (a stray value "
        "far to the right or below?): delete what lies outside the table"
    ),
    "empty": "the file is empty",
    "not_text": "the file is not text in UTF-8, GB18030/GBK or UTF-16: save it as CSV (UTF-8)",
    "not_xlsx": "the file is not an Excel workbook (.xlsx), or it is damaged",
    "old_excel": (
        "the file is an old Excel workbook (.xls) or has a password: save it as .xlsx "
        "without a password"
    ),
    "not_parquet": "the file is not a Parquet file, or it is damaged",
    "blank_header_row": "the first row is empty: it must hold the column names",
    "unclosed_quote": 'a quotation mark (") opened here is never closed',
    "bad_csv": "the row cannot be read as CSV: a line break outside quotation marks",
    "blank_header": "the column has values but no name in the first row",
    "duplicate_header": "the column name %(name)s is used twice (also column %(first_column)s)",
    "ragged_row": "the row has %(cells)s cells but the first row has %(expected)s",
    "formula_without_value": (
        "the formula %(formula)s has no saved value: open the file in Excel and save it, "
        "or type the value"
    ),
    "control_character": "the cell contains a control character (%(code)s)",
    "cell_too_long": (
        "the cell has %(length)s characters, more than %(max_length)s (it begins %(start)s)"
    ),
    "no_sheet": "the workbook has no sheet %(sheet)s (its sheets: %(sheets)s)",
}


@dataclass(frozen=True)
class Limits:
    """The caps for one kind of file: bytes, data rows, characters in one cell."""

    max_bytes: int
    max_rows: int
    max_cell_chars: int = 2000

    @property
    def max_mb(self) -> str:
        return f"{self.max_bytes / MB:g}"


@dataclass(frozen=True)
class TableProblem:
    """One problem. `row` is the spreadsheet row (header = 1) and `column` the 0-based column
    position, each None when the problem is the whole file's; `column_name` the header's name
    there, shortened. `kind` (a key of KINDS) and `params` make the message."""

    kind: str
    file: str
    params: dict = field(default_factory=dict, hash=False)
    sheet: str | None = None
    row: int | None = None
    column: int | None = None
    column_name: str = ""

    @property
    def column_letter(self) -> str:
        return column_letter(self.column) if self.column is not None else ""

    def __str__(self) -> str:
        where = [self.file or "the file"]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            name = f" ({self.column_name})" if self.column_name else ""
            where.append(f"column {self.column_letter}{name}")
        return f"{', '.join(where)}: {ENGLISH[self.kind] % self.params}"


class TableError(ValueError):
    """The file cannot be used. `problems`: the first MAX_PROBLEMS, by row; `total`: all."""

    def __init__(self, problems: list[TableProblem], total: int | None = None):
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        super().__init__("; ".join(str(p) for p in self.problems[:5]))


def fail(kind: str, file: str, *, row: int | None = None, **params) -> TableError:
    """The error for one problem that ends the reading (the whole file's, or a row's)."""
    return TableError([TableProblem(kind, file, params, row=row)])


def short(text: str) -> str:
    """A value safe and short enough to show: control characters as "?", at most
    SHOWN_CHARS characters (then "…")."""
    text = re.sub(CONTROL, "?", text)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


class Problems:
    """Problems of one table, kept in order; the first MAX_PROBLEMS are kept, all counted."""

    def __init__(self, file: str, sheet: str | None):
        self.file, self.sheet = file, sheet
        self.found: list[TableProblem] = []
        self.total = 0

    def add(
        self,
        kind: str,
        *,
        row: int | None,
        column: int | None = None,
        column_name: str = "",
        **params,
    ) -> None:
        self.total += 1
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(
                TableProblem(kind, self.file, params, self.sheet, row, column, short(column_name))
            )

    def raise_if_any(self) -> None:
        if self.found:
            ordered = sorted(self.found, key=lambda p: (p.row or 0, p.column or 0))
            raise TableError(ordered, self.total)


def column_letter(position: int) -> str:
    """The spreadsheet letter of the column at 0-based `position` (openpyxl's, imported on
    use: a web worker that never reads a workbook does not hold openpyxl)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)
