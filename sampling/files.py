"""Reading the files sampling's commands are given (frames, prefix blocks, stratum lists)
through the shared reader (common.tables), with the caps of their kind; every problem becomes
a SamplingInputError naming the file, row and column in the active language."""

from pathlib import Path

import pandas as pd

from common.tables import TableError, read_table, read_text
from common.tables.texts import describe_all, limits
from sampling.errors import SamplingInputError
from sampling.services.plans import read_stratum_values


def read_frame_file(path: str | Path) -> pd.DataFrame:
    """A CSV, XLSX or Parquet frame file as str columns, for
    :func:`sampling.services.draws.draw_file_sample` (and RDD prefix blocks)."""
    try:
        table = read_table(
            path,
            name=Path(path).name,
            limits=limits("frame"),
            suffixes=(".csv", ".xlsx", ".parquet"),
        )
    except TableError as error:
        raise SamplingInputError(describe_all(error)) from error
    return table.frame


def read_stratum_file(path: str | Path, *, what: str, integer: bool) -> dict:
    """A "stratum,value" file (see read_stratum_values) as {stratum: value}."""
    try:
        text = read_text(path, name=Path(path).name, limits=limits("strata"))
    except TableError as error:
        raise SamplingInputError(describe_all(error)) from error
    return read_stratum_values(text=text, what=what, integer=integer)
