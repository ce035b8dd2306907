"""SPSS .sav and Stata .dta files with variable and value labels, through pyreadstat.
Pure: no Django.

Categorical answers are recoded to their integer codes (exports.codebook.choice_codes) with
the labels of one form language; a select_multiple's 0/1 columns get "not selected" /
"selected"; every variable gets its label in that language (falling back to another language,
then to its name). Stata's limits are kept: variable labels of at most 80 characters, value
labels of at most 32,000; longer text than a str# holds goes into a strL (pyreadstat's).
"""

from datetime import datetime
from pathlib import Path

import pandas as pd

from exports.codebook import CATEGORICAL, INDICATOR, Variable
from exports.formats.stamps import stamp_dta, stamp_sav
from exports.formats.text import is_text

__all__ = ["coded_frame", "label_in", "write_dta", "write_sav"]

STATA_LABEL = 80
STATA_VALUE_LABEL = 32_000
SPSS_LABEL = 256


def label_in(texts: dict | None, language: str, fallback: str = "") -> str:
    """The text in `language`, else in any language it has, else `fallback`."""
    texts = texts or {}
    return texts.get(language) or next((t for t in texts.values() if t), "") or fallback


def coded_frame(frame: pd.DataFrame, variables: list[Variable]) -> pd.DataFrame:
    """The frame with categorical columns replaced by their integer codes (float, NaN where
    unanswered)."""
    coded = {}
    for variable in variables:
        if variable.kind == CATEGORICAL and variable.name in frame and variable.values:
            codes = {entry["value"]: entry["code"] for entry in variable.values}
            coded[variable.name] = frame[variable.name].map(codes).astype(float)
    return frame.assign(**coded) if coded else frame


def _labels(variables: list[Variable], language: str, words: dict, limit: int | None):
    column_labels, value_labels = {}, {}
    for variable in variables:
        text = label_in(variable.label, language, variable.name)
        column_labels[variable.name] = text[:limit] if limit else text
        if variable.kind == CATEGORICAL or variable.values:
            value_labels[variable.name] = {
                entry["code"]: _cut(label_in(entry["label"], language, entry["value"]), limit)
                for entry in variable.values
            }
        elif variable.kind == INDICATOR:
            value_labels[variable.name] = {0: words["not_selected"], 1: words["selected"]}
    return column_labels, value_labels


def _cut(text: str, limit: int | None) -> str:
    return text[: STATA_VALUE_LABEL if limit else None]


def _ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as str ("" where empty: pyreadstat's missing text)."""
    out = {}
    for name in frame.columns:
        column = frame[name]
        if is_text(column):
            # numpy objects: pyreadstat walks rows, and pandas' Arrow strings walk slowly
            column = column.astype(object).where(column.notna(), "").map(str).astype(object)
        out[name] = column
    return pd.DataFrame(out, index=frame.index)


def write_sav(
    frame: pd.DataFrame,
    variables: list[Variable],
    path: Path,
    *,
    language: str,
    words: dict,
    file_label: str = "",
    stamped: datetime | None = None,
) -> None:
    """The frame as an SPSS file at `path`, labelled in `language`, dated `stamped` (else
    the moment it is written)."""
    column_labels, value_labels = _labels(variables, language, words, None)
    coded = _ready(coded_frame(frame, variables))
    measures = {
        v.name: "nominal"
        for v in variables
        if v.kind in (CATEGORICAL, INDICATOR) and v.name in coded
    }
    import pyreadstat  # only in the worker that writes the package

    pyreadstat.write_sav(
        coded,
        str(path),
        file_label=file_label[:64],
        column_labels={n: column_labels.get(n, n)[:SPSS_LABEL] for n in coded.columns},
        variable_value_labels=value_labels,
        variable_measure=measures,
        compress=True,
    )
    if stamped is not None:
        stamp_sav(path, stamped)


def write_dta(
    frame: pd.DataFrame,
    variables: list[Variable],
    path: Path,
    *,
    language: str,
    words: dict,
    file_label: str = "",
    stamped: datetime | None = None,
) -> None:
    """The frame as a Stata 15 file at `path`, labelled in `language`, dated `stamped` (else
    the moment it is written)."""
    column_labels, value_labels = _labels(variables, language, words, STATA_LABEL)
    coded = _ready(coded_frame(frame, variables))
    import pyreadstat

    pyreadstat.write_dta(
        coded,
        str(path),
        file_label=file_label[:80],
        column_labels={n: column_labels.get(n, n)[:STATA_LABEL] for n in coded.columns},
        variable_value_labels=value_labels,
    )
    if stamped is not None:
        stamp_dta(path, stamped)
