"""Quota cells: achieved against target, and which cases to deprioritise. Pure: no Django.

A target is (stratum, variable, value, target): `stratum` is a street code, or "" for the
whole wave; `variable` names an answer (e.g. `sex`), `age_group` (derived from the `age`
answer as 16-29, 30-44, 45-59, 60+) or a column of the sampling frame, kept per sampled unit as
its attributes (e.g. `building_type`). An answer wins over a frame attribute of the same name.
Achieved counts completed interviews (AAPOR 1.1), not only approved ones: fieldwork steers on
what it has collected today; QC rejections are rare and come later, and a rejection simply
makes the cell open again.
"""

from collections import Counter

import numpy as np
import pandas as pd

AGE_GROUPS = ("16-29", "30-44", "45-59", "60+")
DERIVED = {"age_group": "age"}


def age_group(age) -> str:
    """'16-29' … '60+' for an age in years; '' when unknown or under 16."""
    try:
        years = float(age)
    except (TypeError, ValueError):
        return ""
    if np.isnan(years) or years < 16:
        return ""
    if years < 30:
        return "16-29"
    if years < 45:
        return "30-44"
    if years < 60:
        return "45-59"
    return "60+"


def cell_value(answers: dict, variable: str, attributes: dict | None = None) -> str:
    """The respondent's value of a quota variable, '' when not known (yet): from the answers,
    else from the unit's frame `attributes`."""
    attributes = attributes or {}
    known = {**attributes, **{k: v for k, v in answers.items() if v is not None}}
    if variable == "age_group":
        if answers.get("age") is None and attributes.get("age_group"):
            return str(attributes["age_group"])
        return age_group(known.get("age"))
    value = known.get(variable)
    return "" if value is None else str(value)


def achieved(targets: pd.DataFrame, interviews: pd.DataFrame) -> pd.DataFrame:
    """Achieved against target per cell.

    `targets`: columns stratum, variable, value, target (one row per cell).
    `interviews`: one row per completed interview: columns stratum (the case's street code),
    answers (a dict per row) and optionally attributes (the unit's frame columns, a dict).
    Returns `targets` (same order, fresh index) plus achieved (int), remaining (int, ≥ 0),
    share (achieved/target, NaN for a target of 0) and full (achieved ≥ target).
    """
    result = targets.reset_index(drop=True).copy()
    answers = interviews["answers"].tolist()
    attributes = (
        interviews["attributes"].tolist() if "attributes" in interviews else [None] * len(answers)
    )
    strata = interviews["stratum"].tolist()
    # each respondent's value of each variable once, counted by stratum, then over all strata:
    # every cell is then one look-up (a cell by cell pass over the respondents cost
    # cells × respondents)
    in_stratum: Counter = Counter()
    for variable in dict.fromkeys(result["variable"]):
        in_stratum.update(
            (stratum, variable, cell_value(given, variable, known))
            for stratum, given, known in zip(strata, answers, attributes, strict=True)
        )
    everywhere: Counter = Counter()
    for (_stratum, variable, value), n in in_stratum.items():
        everywhere[(variable, value)] += n
    cells = zip(result["stratum"], result["variable"], result["value"], strict=True)
    counts = [
        in_stratum[(stratum, variable, str(value))]
        if stratum
        else everywhere[(variable, str(value))]
        for stratum, variable, value in cells
    ]
    result["achieved"] = pd.Series(counts, dtype="int64")
    result["remaining"] = (result["target"] - result["achieved"]).clip(lower=0).astype("int64")
    target = result["target"].astype(float)
    result["share"] = np.where(target > 0, result["achieved"] / target.where(target > 0), np.nan)
    result["full"] = result["achieved"] >= result["target"]
    return result


def full_strata(progress: pd.DataFrame, strata: list[str]) -> set[str]:
    """Strata in which every applicable cell is full.

    `progress` is achieved()'s result. For phone samples a case's sex and age are unknown until
    screened, so a stratum is deprioritised only when all its cells (its own and the wave-wide
    ones) are full; a stratum with no target at all is never full.
    """
    full = set()
    for stratum in strata:
        cells = progress[(progress["stratum"] == stratum) | (progress["stratum"] == "")]
        if len(cells) and bool(cells["full"].all()):
            full.add(stratum)
    return full


def case_in_full_cell(
    progress: pd.DataFrame, stratum: str, answers: dict, attributes: dict | None = None
) -> bool:
    """True when a case's known answers (e.g. from a broken-off interview) or its unit's frame
    attributes put it in a full cell."""
    cells = progress[
        ((progress["stratum"] == stratum) | (progress["stratum"] == "")) & progress["full"]
    ]
    return any(
        cell_value(answers, row.variable, attributes) == str(row.value)
        for row in cells.itertuples()
    )


FullCell = tuple[str, str, str]  # (stratum or "" for the whole wave, variable, value)


def full_cells(progress: pd.DataFrame) -> tuple[FullCell, ...]:
    """The full cells of achieved()'s result, for in_full_cell()."""
    if progress.empty:
        return ()
    rows = progress[progress["full"]]
    return tuple(
        (str(s), str(v), str(x))
        for s, v, x in zip(rows["stratum"], rows["variable"], rows["value"], strict=True)
    )


def in_full_cell(
    cells: tuple[FullCell, ...], stratum: str, answers: dict, attributes: dict | None = None
) -> bool:
    """case_in_full_cell() over full_cells(): the same answer, without a DataFrame per case."""
    return any(
        cell_value(answers, variable, attributes) == value
        for cell_stratum, variable, value in cells
        if not cell_stratum or cell_stratum == stratum
    )


Cell = tuple[int, str, str, str]  # (target id, stratum or "" for the whole wave, variable, value)


def cells_of(cells: list[Cell], stratum: str, answers: dict, attributes: dict | None) -> list[int]:
    """The ids of the cells a completed interview counts in: achieved() for one interview
    (`answers` read as achieved() takes them, `stratum` its case's street code)."""
    return [
        pk
        for pk, cell_stratum, variable, value in cells
        if (not cell_stratum or cell_stratum == stratum)
        and cell_value(answers, variable, attributes) == str(value)
    ]


def full_strata_from_cells(cells: list[tuple[str, bool]]) -> tuple[frozenset[str], bool]:
    """full_strata() from the cells alone, without the wave's strata: `cells` are (stratum or
    "" for the whole wave, full) per target. Returns (codes, all_but): when all_but is False
    the full strata are `codes` (strata of the wave without a cell of their own are never
    full then); when True every stratum of the wave is full except `codes` (all wave-wide
    cells are full, so a stratum is full unless one of its own cells is not)."""
    wide = [full for stratum, full in cells if not stratum]
    own: dict[str, bool] = {}
    for stratum, full in cells:
        if stratum:
            own[stratum] = own.get(stratum, True) and full
    if wide and not all(wide):
        return frozenset(), False
    if wide:
        return frozenset(s for s, full in own.items() if not full), True
    return frozenset(s for s, full in own.items() if full), False
