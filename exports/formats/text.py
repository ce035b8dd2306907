"""CSV files of the export: UTF-8 with a byte-order mark (Excel opens Chinese text), text
guarded against formulas (common.spreadsheets), numbers at full precision, dates ISO 8601.
Pure: no Django."""

import pandas as pd

from common.spreadsheets import dataframe_csv

__all__ = ["frame_csv", "plain_frame"]


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as it reads in a text file or a sheet: whole-number columns as integers
    (1, not 1.0), dates as ISO text (2026-03-01, 2026-03-01T09:30:00)."""
    out = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            dates = column.dropna()
            midnight = (dates == dates.dt.normalize()).all()
            text = column.dt.strftime(
                "%Y-%m-%d" if midnight and len(dates) else "%Y-%m-%dT%H:%M:%S"
            )
            out[name] = text.astype(object).where(column.notna(), None)
        elif pd.api.types.is_float_dtype(column):
            present = column.dropna()
            whole = bool(len(present)) and bool((present % 1 == 0).all())
            out[name] = column.astype("Int64") if whole and present.abs().max() < 2**53 else column
        else:
            out[name] = column
    return pd.DataFrame(out, index=frame.index)


def frame_csv(frame: pd.DataFrame) -> bytes:
    """One level of the export as CSV bytes."""
    return dataframe_csv(plain_frame(frame))
