"""Interviews and their answers → one DataFrame per level of the export. Pure: no Django.

Input: the levels (exports.codebook.build_levels), the interview file's own columns as a
DataFrame (one row per interview, `interview_id` first; see exports.loaders) and each
interview's answers (keyed by path as the wave's current version keys them), in the same
order. Answers are read only through questionnaires.answers.

Output: {file: DataFrame}; the interviews' frame is the own columns followed by one column per
answer variable; a repeat's frame has its keys (interview_id and the 1-based row number in
every enclosing repeat, outermost first) then its answers. Categorical answers hold the
choice's value (str); SPSS/Stata writers recode them (exports.formats.labelled).
"""

from collections.abc import Iterator

import numpy as np
import pandas as pd

from common.logs import redact
from exports.codebook import (
    CATEGORICAL,
    DATE,
    DATETIME,
    INDICATOR,
    NUMERIC,
    OPEN,
    STRING,
    Level,
    Variable,
)
from questionnaires import answers as stored

__all__ = ["as_text", "level_frames", "unlisted_values"]


def as_text(value: object) -> object:
    """An answer as text: a list (select_multiple) space-separated, 5.0 → "5"; None stays."""
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return " ".join(str(v) for v in value) or None
    if isinstance(value, float) and value != value:
        return None  # NaN: where a table had no value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return None  # a group's answer where a question was expected: nothing to show
    return str(value)


def _texts(raw: pd.Series) -> pd.Series:
    """as_text of every answer; answers that are all text already are only cleared of ""."""
    if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
        values = raw.to_numpy(dtype=object)
        missing = pd.isna(values) | (values == "")
        if missing.any():
            values = values.copy()
            values[missing] = None
        return pd.Series(values, index=raw.index, dtype=object)
    return pd.Series([as_text(v) for v in raw.tolist()], index=raw.index, dtype=object)


def _column(raw: pd.Series, variable: Variable, tz: str) -> pd.Series:
    if variable.kind == NUMERIC and pd.api.types.infer_dtype(raw, skipna=True) in (
        "integer",
        "floating",
        "mixed-integer-float",
        "empty",
    ):
        return pd.to_numeric(raw, errors="coerce").astype(float)
    text = _texts(raw)
    if variable.kind == NUMERIC:
        return pd.to_numeric(text, errors="coerce").astype(float)
    if variable.kind == DATE:
        return pd.to_datetime(text, errors="coerce", format="ISO8601").dt.normalize()
    if variable.kind == DATETIME:
        stamps = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
        return stamps.dt.tz_convert(tz).dt.tz_localize(None)
    if variable.kind in (OPEN, STRING):  # typed or computed text: a number in it is masked
        return text.map(lambda v: redact(v) if isinstance(v, str) else v)
    return text


def _indicator(original: pd.Series, choice: str) -> pd.Series:
    """1 where `choice` is among the space-separated values, 0 where others are, NaN where the
    question was not answered."""
    padded = " " + original.fillna("") + " "
    chosen = padded.str.contains(f" {choice} ", regex=False).astype(float)
    return chosen.where(original.notna(), np.nan)


def _answer_columns(level: Level, rows: list[dict], tz: str) -> dict[str, pd.Series]:
    columns: dict[str, pd.Series] = {}
    paths = list(dict.fromkeys(v.path for v in level.variables if v.kind != INDICATOR))
    wide = stored.table(rows, paths)
    for variable in level.variables:
        if variable.kind == INDICATOR:
            columns[variable.name] = _indicator(columns[variable.of], variable.choice)
        else:
            raw = wide[variable.path].astype(object).reset_index(drop=True)
            columns[variable.name] = _column(raw, variable, tz)
    return columns


def _chain(level: Level, levels: list[Level]) -> list[dict]:
    """The repeat items from the outermost repeat down to `level` (as answers.rows reads)."""
    paths = [lv.path for lv in levels if lv.path and (level.path + "/").startswith(lv.path + "/")]
    return [{"path": path, "name": path} for path in sorted(paths, key=len)]


def _repeat_rows(answers: dict, chain: list[dict]) -> Iterator[tuple[list[int], dict]]:
    """(row numbers at every level, the innermost row) for every row of the chain's repeat."""
    if not chain:
        yield [], answers
        return
    for number, row in enumerate(stored.rows(answers, chain[0]), start=1):
        for numbers, inner in _repeat_rows(row, chain[1:]):
            yield [number, *numbers], inner


def level_frames(
    levels: list[Level], own: pd.DataFrame, answers: list[dict], *, tz: str = "UTC"
) -> dict[str, pd.DataFrame]:
    """{file: DataFrame} for every level (see the module docstring)."""
    frames = {}
    ids = own["interview_id"].to_numpy()
    for level in levels:
        if level.path is None:
            columns = _answer_columns(level, answers, tz)
            answers_frame = pd.DataFrame(columns, index=own.index)
            frames[level.file] = pd.concat([own, answers_frame], axis=1)
            continue
        chain = _chain(level, levels)
        keys, rows = [], []
        for interview_id, found in zip(ids, answers, strict=True):
            for numbers, row in _repeat_rows(found, chain):
                keys.append([interview_id, *numbers])
                rows.append(row)
        frame = pd.DataFrame(keys, columns=level.keys, dtype="int64")
        if not keys:
            frame = pd.DataFrame({key: pd.Series(dtype="int64") for key in level.keys})
        columns = _answer_columns(level, rows, tz)
        frames[level.file] = pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)
    return frames


def unlisted_values(levels: list[Level], frames: dict[str, pd.DataFrame]) -> None:
    """Add to each categorical variable the values found in the data that its choice list
    does not have (an answer kept from an earlier version), with the next free codes and the
    value as label, marked "unlisted": nothing is lost in the SPSS/Stata recoding."""
    for level in levels:
        frame = frames[level.file]
        for variable in level.variables:
            if variable.kind != CATEGORICAL:
                continue
            known = {entry["value"] for entry in variable.values}
            found = sorted(set(frame[variable.name].dropna()) - known)
            code = max((entry["code"] for entry in variable.values), default=0)
            for value in found:
                code += 1
                variable.values.append(
                    {"code": code, "value": value, "label": {}, "unlisted": True}
                )
