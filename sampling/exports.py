"""CSV files people download: frame error reports and drawn samples.

Pure: pandas only. Files are UTF-8 with a byte-order mark so that Excel opens Chinese text
correctly, and cells that a spreadsheet would run as a formula are neutralised.
"""

import pandas as pd

from sampling.frame_validation import FrameError

ERROR_COLUMNS = ["row", "column", "value", "problem"]
# A leading =, +, -, @ (or tab/CR) makes Excel evaluate a cell: "CSV injection".
_FORMULA_START = r"^[=+\-@\t\r]"


def errors_table(errors: list[FrameError]) -> pd.DataFrame:
    """Columns row (int, empty for the whole file), column, value, problem; one row per error."""
    return pd.DataFrame(
        [(e.row, e.column, e.value, e.problem) for e in errors], columns=ERROR_COLUMNS
    ).astype({"row": "Int64"})


def errors_csv(errors: list[FrameError]) -> bytes:
    return table_csv(errors_table(errors))


def table_csv(table: pd.DataFrame) -> bytes:
    """The table as CSV bytes, text cells guarded against formula execution."""
    safe = table.copy()
    for column in safe.columns:
        if pd.api.types.is_string_dtype(safe[column]):
            text = safe[column].fillna("").astype(str)
            safe[column] = text.where(~text.str.contains(_FORMULA_START), "'" + text)
    return safe.to_csv(index=False).encode("utf-8-sig")
