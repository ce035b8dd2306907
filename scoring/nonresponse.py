"""Base weights of the released sample, nonresponse adjustment within weighting classes, and
the within-household selection factor of door interviews. Pure: numpy/pandas, no Django.

Input: the wave's cases (scoring.loaders.case_frame, columns scoring.loaders.CASE_COLUMNS),
one row per released case:
    case_id       int
    stratum       the unit's stratum in the draw (str)
    fpc           N_h, the stratum's frame size (NaN where unknown)
    n_released    units of the stratum released to fieldwork (main sample and released
                  reserves); NaN where no reserve has been released
    design_weight the stored design weight (1/π of the unit's replicate)
    attribute     the frame attribute that splits strata into classes (str; "" unknown)
    attempted, interviewed, approved   bool
    interview_id  the interview (NaN without one)
    door          bool: the interview was taken door to door
    adults        eligible adults in the case's household listing (NaN without a listing)

Steps (each a deliberate choice, stated once here):
1. Base weight d: once reserve replicates are released every released unit of a stratum is
   one SRSWOR of n_released of N_h units, d = N_h / n_released; otherwise the stored design
   weight.
2. Nonresponse: within each weighting class c the approved respondents stand for every
   released unit of the class, w = d × Σ_c d / Σ_{c, approved} d, which is N_h / m_h when the
   class is the stratum (m_h approved respondents). Classes are the strata ("stratum",
   the default), the strata split by a frame attribute ("stratum_attribute"), or none
   ("none": the base weights stand). A stratum with a class without any approved respondent
   falls back to the stratum as its class (the collapse is reported); a stratum without any
   approved respondent is not represented (reported; the raking restores the totals).
3. Household: a door interview's respondent was one of `adults` eligible adults, chosen
   with probability 1/adults (Kish grid or birthday), so the weight is multiplied by adults
   (Kish's tables for 5 and 6+ adults are close to, not exactly, equal-probability; the
   factor takes them as equal). A door interview without a listing keeps factor 1 and is
   counted in the report; a phone interview reaches whoever answers (factor 1).
"""

from dataclasses import dataclass, field

import pandas as pd

NONE, STRATUM, STRATUM_ATTRIBUTE = "none", "stratum", "stratum_attribute"
METHODS = (NONE, STRATUM, STRATUM_ATTRIBUTE)

STRATUM_COLUMNS = [
    "stratum",
    "drawn",
    "released",
    "attempted",
    "interviewed",
    "approved",
    "response_rate",
    "weight_min",
    "weight_max",
]


@dataclass(frozen=True)
class Adjusted:
    """weights   final pre-raking weight per interview (Series indexed by interview_id)
    strata    one row per stratum, STRATUM_COLUMNS: the counts, response_rate = approved /
              released in %, and the smallest and largest nonresponse-adjusted household
              weight (d × factor, before the household factor) of its respondents
    collapsed strata whose attribute classes fell back to the stratum
    unrepresented  strata with released cases but no approved respondent
    door, door_without_listing   door interviews approved, and those with no listing"""

    weights: pd.Series
    strata: pd.DataFrame
    collapsed: list[str] = field(default_factory=list)
    unrepresented: list[str] = field(default_factory=list)
    door: int = 0
    door_without_listing: int = 0


def base_weights(cases: pd.DataFrame) -> pd.Series:
    """Step 1: d per case (see the module docstring)."""
    recomputed = cases["fpc"].notna() & (cases["n_released"] > 0)
    return (cases["fpc"] / cases["n_released"]).where(recomputed, cases["design_weight"])


def weighting_classes(cases: pd.DataFrame, method: str) -> tuple[pd.Series, list[str]]:
    """The class label of each case under `method` and the strata whose attribute classes
    were collapsed into the stratum (a class without an approved respondent)."""
    if method not in METHODS:
        raise ValueError(f"Unknown nonresponse method {method!r}; use {', '.join(METHODS)}.")
    stratum = cases["stratum"].astype(str)
    if method != STRATUM_ATTRIBUTE:
        return stratum, []
    classes = stratum + "|" + cases["attribute"].fillna("").astype(str)
    approved = cases["approved"].astype(bool).groupby(classes).transform("any")
    empty = stratum[~approved.to_numpy()].unique()
    collapse = stratum.isin(empty)
    return classes.where(~collapse, stratum), sorted(empty)


def adjust(cases: pd.DataFrame, *, method: str = STRATUM, drawn: dict | None = None) -> Adjusted:
    """Steps 1–3 for every case; `drawn` is {stratum: units drawn (all replicates)}."""
    cases = cases.reset_index(drop=True)
    d = base_weights(cases).astype(float)
    approved = cases["approved"].astype(bool)
    classes, collapsed = weighting_classes(cases, method)
    if method == NONE:
        factor = pd.Series(1.0, index=cases.index)
    else:
        released = d.groupby(classes).transform("sum")
        responded = d.where(approved, 0.0).groupby(classes).transform("sum")
        factor = released / responded.where(responded > 0)
    household = d * factor
    door = cases["door"].astype(bool) & approved
    listed = cases["door"].astype(bool) & cases["adults"].notna() & (cases["adults"] > 0)
    adults = cases["adults"].where(listed, 1.0).astype(float)
    weights = household * adults
    respondents = approved & cases["interview_id"].notna()
    by_interview = pd.Series(
        weights[respondents].to_numpy(),
        index=cases.loc[respondents, "interview_id"].astype("int64").to_numpy(),
    )
    strata = _stratum_table(cases, household.where(approved), drawn or {})
    unrepresented = sorted(strata.loc[strata["approved"] == 0, "stratum"])
    return Adjusted(
        weights=by_interview,
        strata=strata,
        collapsed=collapsed,
        unrepresented=unrepresented,
        door=int(door.sum()),
        door_without_listing=int((door & ~listed).sum()),
    )


def _stratum_table(cases: pd.DataFrame, household: pd.Series, drawn: dict) -> pd.DataFrame:
    work = cases.assign(
        released=1,
        attempted=cases["attempted"].astype(int),
        interviewed=cases["interviewed"].astype(int),
        approved=cases["approved"].astype(int),
        weight=household,
    )
    table = work.groupby("stratum", sort=True).agg(
        released=("released", "sum"),
        attempted=("attempted", "sum"),
        interviewed=("interviewed", "sum"),
        approved=("approved", "sum"),
        weight_min=("weight", "min"),
        weight_max=("weight", "max"),
    )
    table = table.reset_index()
    table["drawn"] = table["stratum"].map(drawn).fillna(table["released"]).astype("int64")
    table["response_rate"] = 100.0 * table["approved"] / table["released"]
    return table[STRATUM_COLUMNS]
