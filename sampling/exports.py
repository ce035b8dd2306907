"""CSV files people download: frame error reports and drawn samples.

Pure: pandas only. Files are UTF-8 with a byte-order mark so that Excel opens Chinese text
correctly, and cells that a spreadsheet would run as a formula are neutralised.
"""

from collections.abc import Callable, Sequence

import pandas as pd

from sampling.frame_validation import FrameError

ERROR_COLUMNS = ["row", "column", "value", "problem"]
# A leading =, +, -, @ (or tab/CR) makes Excel evaluate a cell: "CSV injection".
_FORMULA_START = r"^[=+\-@\t\r]"
_FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """One cell safe to open in a spreadsheet (CSV or XLSX): text that would be run as a
    formula gets a leading apostrophe; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_CHARS):
        return "'" + value
    return value


def _in_english(error: FrameError) -> str:
    return error.problem


def errors_table(
    errors: list[FrameError],
    *,
    describe: Callable[[FrameError], str] = _in_english,
    header: Sequence[str] = ERROR_COLUMNS,
) -> pd.DataFrame:
    """One row per error; columns ERROR_COLUMNS (named by `header`): row (Int64, empty for the
    whole file), column, value, problem (`describe(error)`, the English `problem` by default).
    The caller passes `describe` and `header` in the reader's language."""
    table = pd.DataFrame(
        [(e.row, e.column, e.value, describe(e)) for e in errors], columns=ERROR_COLUMNS
    ).astype({"row": "Int64"})
    return table.set_axis(list(header), axis="columns")


def errors_csv(
    errors: list[FrameError],
    *,
    describe: Callable[[FrameError], str] = _in_english,
    header: Sequence[str] = ERROR_COLUMNS,
) -> bytes:
    return table_csv(errors_table(errors, describe=describe, header=header))


def table_csv(table: pd.DataFrame) -> bytes:
    """The table as CSV bytes, text cells guarded against formula execution."""
    safe = table.copy()
    for column in safe.columns:
        if pd.api.types.is_string_dtype(safe[column]):
            text = safe[column].fillna("").astype(str)
            safe[column] = text.where(~text.str.contains(_FORMULA_START), "'" + text)
    return safe.to_csv(index=False).encode("utf-8-sig")
