"""The frame error report people download. Pure: pandas only.

The CSV goes through common.spreadsheets (UTF-8 with a byte-order mark, formula-guarded).
"""

from collections.abc import Callable, Sequence

import pandas as pd

from common.spreadsheets import dataframe_csv
from sampling.frame_validation import FrameError

ERROR_COLUMNS = ["row", "column", "value", "problem"]


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
    return dataframe_csv(errors_table(errors, describe=describe, header=header))
