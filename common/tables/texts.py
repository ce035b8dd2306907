"""The Django side of common.tables: each kind of file's caps from the settings, and problems
as sentences in the active language."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common.tables.problems import MB, Limits, TableError, TableProblem

# One message per kind (common.tables.problems.KINDS), filled from its params.
MESSAGES = {
    "file_type": gettext_lazy("unsupported file type %(suffix)s: use %(allowed)s"),
    "cannot_open": gettext_lazy("the file cannot be opened"),
    "too_large": gettext_lazy(
        "the file is larger than %(max_mb)s MB, the limit for this kind of file"
    ),
    "unpacked_too_large": gettext_lazy(
        "the workbook unpacks to more than %(max_mb)s MB, the limit for this kind of file"
    ),
    "too_many_rows": gettext_lazy(
        "the file has more than %(max_rows)s data rows, the limit for this kind of file"
    ),
    "too_many_cells": gettext_lazy(
        "the sheet spans more than %(max_columns)s columns or %(max_cells)s cells (a stray value "
        "far to the right or below?): delete what lies outside the table"
    ),
    "empty": gettext_lazy("the file is empty"),
    "not_text": gettext_lazy(
        "the file is not text in UTF-8, GB18030/GBK or UTF-16: save it as CSV (UTF-8)"
    ),
    "not_xlsx": gettext_lazy("the file is not an Excel workbook (.xlsx), or it is damaged"),
    "old_excel": gettext_lazy(
        "the file is an old Excel workbook (.xls) or has a password: save it as .xlsx "
        "without a password"
    ),
    "not_parquet": gettext_lazy("the file is not a Parquet file, or it is damaged"),
    "blank_header_row": gettext_lazy("the first row is empty: it must hold the column names"),
    "unclosed_quote": gettext_lazy('a quotation mark (") opened here is never closed'),
    "bad_csv": gettext_lazy("the row cannot be read as CSV: a line break outside quotation marks"),
    "blank_header": gettext_lazy("the column has values but no name in the first row"),
    "duplicate_header": gettext_lazy(
        "the column name %(name)s is used twice (also column %(first_column)s)"
    ),
    "ragged_row": gettext_lazy("the row has %(cells)s cells but the first row has %(expected)s"),
    "formula_without_value": gettext_lazy(
        "the formula %(formula)s has no saved value: open the file in Excel and save it, "
        "or type the value"
    ),
    "control_character": gettext_lazy("the cell contains a control character (%(code)s)"),
    "cell_too_long": gettext_lazy(
        "the cell has %(length)s characters, more than %(max_length)s (it begins %(start)s)"
    ),
    "no_sheet": gettext_lazy("the workbook has no sheet %(sheet)s (its sheets: %(sheets)s)"),
}


def limits(kind: str) -> Limits:
    """The caps of one kind of file (a key of settings.TABLE_LIMITS)."""
    caps = settings.TABLE_LIMITS[kind]
    return Limits(
        max_bytes=int(caps["max_mb"] * MB),
        max_rows=int(caps["max_rows"]),
        max_cell_chars=int(settings.UPLOAD_MAX_CELL_CHARS),
    )


def message(kind: str, params: dict) -> str:
    """What is wrong, in the active language."""
    return str(MESSAGES[kind]) % params


def where(problem: TableProblem, *, file: bool = True) -> str:
    """ "file, sheet S, row R, column C (name)" in the active language; the parts that apply."""
    parts = [problem.file or _("the file")] if file else []
    if problem.sheet:
        parts.append(_("sheet %(sheet)s") % {"sheet": problem.sheet})
    if problem.row is not None:
        parts.append(_("row %(row)s") % {"row": problem.row})
    if problem.column is not None:
        letter = problem.column_letter
        parts.append(
            _("column %(letter)s (%(name)s)") % {"letter": letter, "name": problem.column_name}
            if problem.column_name
            else _("column %(letter)s") % {"letter": letter}
        )
    return _(", ").join(parts)


def describe(problem: TableProblem) -> str:
    """The problem as one sentence: where, then what."""
    return _("%(where)s: %(problem)s") % {
        "where": where(problem),
        "problem": message(problem.kind, problem.params),
    }


def describe_all(error: TableError) -> list[str]:
    """Every problem kept, one sentence each, and how many more there are."""
    lines = [describe(problem) for problem in error.problems]
    more = error.total - len(error.problems)
    if more > 0:
        lines.append(
            ngettext("… and %(n)s more problem.", "… and %(n)s more problems.", more) % {"n": more}
        )
    return lines
