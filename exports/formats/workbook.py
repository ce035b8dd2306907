"""The export as one XLSX workbook: a sheet per level (interviews, then each repeat), the
codebook and the value labels. Pure: no Django.

Written by XlsxWriter in constant-memory mode (rows streamed to disk: 100,000 interviews ×
100 columns in well under the 90 s the benchmark allows, where openpyxl keeps every cell in
memory). Text is written with write_string, so a value that starts with "=" is text, never a
formula, without altering it; strings over Excel's 32,767 characters are cut.
"""

import math
from pathlib import Path

import pandas as pd
import xlsxwriter

from exports.codebook import Level, Variable
from exports.formats.labelled import label_in
from exports.formats.text import plain_frame

__all__ = ["write_workbook"]

EXCEL_TEXT = 32_767


def _sheet_name(text: str, used: set[str]) -> str:
    base = "".join(" " if c in "[]:*?/\\" else c for c in text)[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _write_frame(sheet, frame: pd.DataFrame, header, date_format) -> None:
    plain = plain_frame(frame)
    names = list(plain.columns)
    for column, name in enumerate(names):
        sheet.write_string(0, column, str(name), header)
    sheet.freeze_panes(1, 0)
    columns = [plain[name].tolist() for name in names]
    for row in range(len(plain)):
        for column, values in enumerate(columns):
            _cell(sheet, row + 1, column, values[row])


def _cell(sheet, row: int, column: int, value) -> None:
    if value is None or value is pd.NA:
        return
    if isinstance(value, str):
        sheet.write_string(row, column, value[:EXCEL_TEXT])
    elif isinstance(value, float):
        if not math.isnan(value):
            sheet.write_number(row, column, value)
    else:
        sheet.write_number(row, column, value)


def _codebook_rows(levels: list[Level], own: list[Variable], languages: list[str]):
    for level in levels:
        variables = (own if level.path is None else []) + level.variables
        for variable in variables:
            labels = [label_in(variable.label, language, "") for language in languages]
            yield [level.file, variable.name, *labels, variable.kind, variable.path or ""]


def _value_rows(levels: list[Level], own: list[Variable], languages: list[str]):
    for level in levels:
        for variable in (own if level.path is None else []) + level.variables:
            for entry in variable.values:
                labels = [label_in(entry["label"], language, "") for language in languages]
                yield [level.file, variable.name, entry["code"], entry["value"], *labels]


def write_workbook(
    path: Path,
    frames: dict[str, pd.DataFrame],
    levels: list[Level],
    own: list[Variable],
    *,
    languages: list[str],
    titles: dict,
) -> None:
    """Write the workbook at `path`. `titles` names the extra sheets and codebook columns in
    the reader's language: {"codebook", "values", "file", "name", "kind", "path", "code",
    "value", "label"}."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    header = book.add_format({"bold": True, "bg_color": "#EEF2F6"})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    used: set[str] = set()
    for level in levels:
        sheet = book.add_worksheet(_sheet_name(level.file, used))
        _write_frame(sheet, frames[level.file], header, date_format)
    label_heads = [f"{titles['label']} ({language})" for language in languages]
    tables = (
        (
            titles["codebook"],
            [titles["file"], titles["name"], *label_heads, titles["kind"], titles["path"]],
            _codebook_rows(levels, own, languages),
        ),
        (
            titles["values"],
            [titles["file"], titles["name"], titles["code"], titles["value"], *label_heads],
            _value_rows(levels, own, languages),
        ),
    )
    for title, columns, rows in tables:
        sheet = book.add_worksheet(_sheet_name(title, used))
        for column, name in enumerate(columns):
            sheet.write_string(0, column, name, header)
        sheet.freeze_panes(1, 0)
        for row, values in enumerate(rows, start=1):
            for column, value in enumerate(values):
                _cell(sheet, row, column, value)
    book.close()
