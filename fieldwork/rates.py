"""AAPOR outcome rates (Standard Definitions, 10th ed.): RR1–RR6, COOP1–4, REF1–3, CON1–3.

Pure: pandas/numpy, no Django. With E = I+P+R+NC+O (known eligible) and U = UH+UO (unknown
eligibility; 3.21 "no screener completed", the 10th edition's UR, is counted in UO as the
earlier editions did):

    RR1 = I/(E+U)      RR2 = (I+P)/(E+U)     RR3 = I/(E+eU)     RR4 = (I+P)/(E+eU)
    RR5 = I/E          RR6 = (I+P)/E
    COOP1 = I/(I+P+R+O)   COOP2 = (I+P)/(I+P+R+O)   COOP3 = I/(I+P+R)   COOP4 = (I+P)/(I+P+R)
    REF1 = R/(E+U)     REF2 = R/(E+eU)       REF3 = R/E
    CON1 = (I+P+R+O)/(E+U)   CON2 = (I+P+R+O)/(E+eU)   CON3 = (I+P+R+O)/E

e, the estimated eligible share of the unknowns, is given or estimated per group as E/(E+NE)
(the eligible share of cases whose eligibility is known). A rate whose denominator is 0 is NaN.
"""

import numpy as np
import pandas as pd

from fieldwork.dispositions import group_of

COUNT_COLUMNS = ["I", "P", "R", "NC", "O", "UH", "UO", "NE"]
RATE_COLUMNS = [
    *(f"RR{i}" for i in range(1, 7)),
    *(f"COOP{i}" for i in range(1, 5)),
    *(f"REF{i}" for i in range(1, 4)),
    *(f"CON{i}" for i in range(1, 4)),
]
OUTPUT_COLUMNS = [*RATE_COLUMNS, "e", *COUNT_COLUMNS]


MAX_COUNT = 10**15  # cases of one code: anything larger is a typing error


class RateInputError(ValueError):
    """Input that cannot be counted; the message names the row and column."""


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan
        )


def rates(counts: pd.DataFrame, e: float | None = None) -> pd.DataFrame:
    """Rates from counts.

    `counts`: one row per group, columns I, P, R, NC, O, UH, UO, NE (non-negative numbers; a
    missing column counts 0); other columns are kept. `e`: the eligible share of the unknowns,
    in [0, 1], or None to estimate it per row as E/(E+NE).
    Returns the input's other columns, then OUTPUT_COLUMNS, same index.
    """
    if e is not None and not 0.0 <= e <= 1.0:
        raise RateInputError(f"e must be between 0 and 1, got {e}")
    # the counts as float arrays: the rates are formed in numpy and become columns at once
    I, P, R, NC, O, UH, UO, NE = (  # noqa: E741
        counts[k].astype(float).to_numpy() if k in counts else np.zeros(len(counts))
        for k in COUNT_COLUMNS
    )
    E = I + P + R + NC + O
    U = UH + UO
    e_col = _ratio(E, E + NE) if e is None else np.full(len(counts), float(e))
    # With no unknowns the estimate does not matter: eU is 0 even when e is undefined.
    eU = np.where(U > 0, e_col * U, 0.0)
    contacted = I + P + R + O
    out = {
        "RR1": _ratio(I, E + U),
        "RR2": _ratio(I + P, E + U),
        "RR3": _ratio(I, E + eU),
        "RR4": _ratio(I + P, E + eU),
        "RR5": _ratio(I, E),
        "RR6": _ratio(I + P, E),
        "COOP1": _ratio(I, I + P + R + O),
        "COOP2": _ratio(I + P, I + P + R + O),
        "COOP3": _ratio(I, I + P + R),
        "COOP4": _ratio(I + P, I + P + R),
        "REF1": _ratio(R, E + U),
        "REF2": _ratio(R, E + eU),
        "REF3": _ratio(R, E),
        "CON1": _ratio(contacted, E + U),
        "CON2": _ratio(contacted, E + eU),
        "CON3": _ratio(contacted, E),
        "e": e_col,
    }
    for column in COUNT_COLUMNS:  # as given (a missing one counts 0)
        out[column] = counts[column] if column in counts else np.zeros(len(counts), int)
    others = counts.drop(columns=[k for k in COUNT_COLUMNS if k in counts])
    return pd.concat([others, pd.DataFrame(out, index=counts.index)], axis=1)


def _numbers(cells: pd.Series) -> pd.Series:
    """The cells as floats, NaN where they are no finite number (400 digits included)."""
    numbers = pd.to_numeric(cells, errors="coerce")
    if numbers.dtype == object:  # whole numbers beyond 64 bits stay Python ints
        numbers = numbers.map(lambda n: float(n) if abs(n) < 1e300 else np.nan)
    numbers = numbers.astype("float64")
    return numbers.where(np.isfinite(numbers))


def count_groups(
    dispositions: pd.DataFrame, by: list[str] | None = None, first_row: int = 2
) -> pd.DataFrame:
    """Counts per rate group, per combination of the `by` columns.

    `dispositions`: one row per case with an AAPOR code in `disposition` (a code or a group
    heading such as 2.20), or one row per code with a non-negative integer `count`.
    `first_row`: the file row number of the first data row, for error messages.
    Returns one row per group of `by` (sorted; a single row when `by` is empty) with the `by`
    columns and COUNT_COLUMNS as integers.
    """
    by = list(by or [])
    missing = [column for column in ["disposition", *by] if column not in dispositions]
    if missing:
        raise RateInputError(f"missing column(s): {', '.join(missing)}")
    frame = dispositions.reset_index(drop=True)
    codes = frame["disposition"].astype("string").str.strip()
    groups = []
    for position, code in enumerate(codes):
        try:
            if pd.isna(code):
                raise KeyError(code)
            group = group_of(code)
        except KeyError:
            raise RateInputError(
                f"row {position + first_row}, column disposition: "
                f"{'' if pd.isna(code) else code!r} is not an AAPOR code"
            ) from None
        groups.append("UO" if group == "UR" else group)
    if "count" in frame:
        counts = _numbers(frame["count"])
        bad = counts.isna() | (counts < 0) | (counts != counts.round()) | (counts > MAX_COUNT)
        if bad.any():
            position = int(np.flatnonzero(bad.to_numpy())[0])
            raise RateInputError(
                f"row {position + first_row}, column count: {frame['count'].iloc[position]!r} "
                "is not a non-negative whole number"
            )
    else:
        counts = pd.Series(1, index=frame.index)
    long = pd.DataFrame({"group": groups, "n": counts.astype("int64")})
    for column in by:
        long[column] = frame[column].astype("string").fillna("")
    if by:
        table = long.pivot_table(
            index=by, columns="group", values="n", aggfunc="sum", fill_value=0, observed=True
        )
        table = table.reset_index()
    else:
        sums = long.groupby("group")["n"].sum()
        table = pd.DataFrame([{column: int(sums.get(column, 0)) for column in COUNT_COLUMNS}])
    for column in COUNT_COLUMNS:
        if column not in table:
            table[column] = 0
    table.columns.name = None
    table = table[[*by, *COUNT_COLUMNS]]
    table[COUNT_COLUMNS] = table[COUNT_COLUMNS].astype("int64")
    return table.sort_values(by).reset_index(drop=True) if by else table


def rate_table(
    dispositions: pd.DataFrame, by: list[str] | None = None, e: float | None = None
) -> pd.DataFrame:
    """count_groups then rates: the `by` columns, then OUTPUT_COLUMNS, one row per group."""
    by = list(by or [])
    table = rates(count_groups(dispositions, by), e)
    return table[[*by, *OUTPUT_COLUMNS]]
