"""A round's tables (scoring.score_tables.summarize's dict of DataFrames and counts) as JSON
and back, exactly: every float as its shortest repr (JSON numbers round-trip it), NaN as
null, infinities as text, each column's dtype named and restored. Pure: pandas, no Django.

What an edition keeps so that a later round's trend and rank changes read the earlier
round's figures instead of weighting and estimating it again (scoring.results.round_tables).
"""

import math

import numpy as np
import pandas as pd

FLOAT_KINDS = "f"
FLOAT_DTYPES = ("float64", "float32")


def tables_to_json(tables: dict) -> dict:
    """{name: {"columns", "dtypes", "data"} for a DataFrame, or the plain value}."""
    out = {}
    for name, value in tables.items():
        if isinstance(value, pd.DataFrame):
            out[name] = {
                "frame": True,
                "columns": [str(column) for column in value.columns],
                "dtypes": [str(dtype) for dtype in value.dtypes],
                "data": [_column(value.iloc[:, i]) for i in range(value.shape[1])],
            }
        else:
            out[name] = {"frame": False, "value": _plain(value)}
    return out


def tables_from_json(data: dict) -> dict:
    """The tables `tables_to_json` was given: the same columns, dtypes and values."""
    tables = {}
    for name, item in data.items():
        if not item.get("frame"):
            tables[name] = item.get("value")
            continue
        columns = {
            column: _series(values, dtype)
            for column, dtype, values in zip(
                item["columns"], item["dtypes"], item["data"], strict=True
            )
        }
        tables[name] = pd.DataFrame(columns, columns=item["columns"])
    return tables


def _column(series: pd.Series) -> list:
    if series.dtype.kind in FLOAT_KINDS:
        return [_float(value) for value in series.to_numpy(dtype=float).tolist()]
    return [_plain(value) for value in series.astype(object).tolist()]


def _float(value: float):
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def _plain(value):
    """A JSON value: numpy scalars as Python numbers, missing values as null."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return _float(value)
    return value


def _series(values: list, dtype: str) -> pd.Series:
    if dtype in FLOAT_DTYPES:
        floats = [np.nan if value is None else float(value) for value in values]
        return pd.Series(np.asarray(floats, dtype=dtype))
    return pd.Series(values, dtype=dtype)
