"""Base weights of the released sample, nonresponse adjustment within weighting classes, and
the within-household selection factor of door interviews. Pure: numpy/pandas, no Django.

Input: the wave's cases (scoring.cases.case_frame, columns scoring.cases.CASE_COLUMNS),
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
    selection     how the listed household's respondent was chosen: "kish", "last_birthday",
                  "next_birthday" ("" without a listing)
    line          the chosen adult's line in Kish's order of the listing (NaN unless Kish)
    eligibility   "eligible" (AAPOR 1.x, 2.x, or a completed interview), "ineligible" (4.x)
                  or "unknown" (3.x), from the case's final disposition as the Rates tab has it

Steps (each a deliberate choice, stated once here):
1. Base weight d: once reserve replicates are released every released unit of a stratum is
   one SRSWOR of n_released of N_h units, d = N_h / n_released; otherwise the stored design
   weight.
2. Nonresponse: known ineligibles (vacant, non-residential, out of sample, …) are not part of
   the population and drop out; a case of unknown eligibility counts as eligible with the
   stratum's estimated eligibility rate e_h = eligible / (eligible + ineligible) among its
   cases whose eligibility is known (AAPOR's e; the wave's where the stratum has none, 1
   where the wave has none). Within each weighting class c the approved respondents stand
   for the estimated eligible released units of the class,
       w = d × Σ_c d·(E + e_h·U) / Σ_{c, approved} d,
   E and U the indicators of known and unknown eligibility, which is N_h·(estimated eligible
   share)/m_h when the class is the stratum (m_h approved respondents). Classes are the
   strata ("stratum", the default), the strata split by a frame attribute
   ("stratum_attribute"), or none ("none": the base weights stand). A stratum with a class
   without any approved respondent falls back to the stratum as its class (the collapse is
   reported); a stratum without any approved respondent is not represented (reported; the
   raking restores the totals).
3. Household: a door interview's respondent was chosen among the listed adults with
   probability p, and the weight is multiplied by 1/p: by Kish's tables, p is the share of
   the series of twelve whose table picks the respondent's line for that many adults
   (sampling.household.kish_probability: 1/n for 1–4 and 6 adults, 2/12 or 3/12 for 5, 1/6
   for 7 or more, whose adults beyond line 6 cannot be chosen: a coverage loss, counted in
   the report); by a birthday method p = 1/n. A door interview without a listing keeps
   factor 1 and is counted in the report; a phone interview reaches the person the number
   belongs to (factor 1).
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sampling.household import KISH_LINES, kish_probability

NONE, STRATUM, STRATUM_ATTRIBUTE = "none", "stratum", "stratum_attribute"
METHODS = (NONE, STRATUM, STRATUM_ATTRIBUTE)

STRATUM_COLUMNS = [
    "stratum",
    "drawn",
    "released",
    "attempted",
    "interviewed",
    "approved",
    "ineligible",
    "unknown",
    "eligibility_rate",
    "response_rate",
    "weight_min",
    "weight_max",
]


@dataclass(frozen=True)
class Adjusted:
    """weights   final pre-raking weight per interview (Series indexed by interview_id)
    components  its factors per interview (indexed by interview_id): design (the base
              weight d), nonresponse (the class's factor), household (1/p); their product
              is `weights`
    strata    one row per stratum, STRATUM_COLUMNS: the counts (ineligible: known
              ineligible; unknown: eligibility unknown), eligibility_rate e_h, response_rate
              = approved / (eligible + e_h × unknown) in % (approved of estimated eligible),
              and the smallest and largest nonresponse-adjusted household
              weight (d × factor, before the household factor) of its respondents
    collapsed strata whose attribute classes fell back to the stratum
    unrepresented  strata with released cases but no approved respondent
    door, door_without_listing   door interviews approved, and those with no listing
    beyond_table, adults_not_covered   Kish households of more adults than the tables cover
              (door interviews approved), and their adults who could not be chosen"""

    weights: pd.Series
    strata: pd.DataFrame
    collapsed: list[str] = field(default_factory=list)
    unrepresented: list[str] = field(default_factory=list)
    door: int = 0
    door_without_listing: int = 0
    beyond_table: int = 0
    adults_not_covered: int = 0
    components: pd.DataFrame = field(default_factory=pd.DataFrame)


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


def eligibility_rates(cases: pd.DataFrame) -> pd.Series:
    """e_h per case: the eligible share of its stratum's cases of known eligibility (the
    wave's where the stratum has none, 1 where the wave has none)."""
    eligible = cases["eligibility"].eq("eligible").to_numpy()
    known = eligible | cases["eligibility"].eq("ineligible").to_numpy()
    wave = eligible.sum() / known.sum() if known.any() else 1.0
    # counted per stratum on its codes (whole counts: the same shares as a groupby's sums)
    codes, strata = pd.factorize(cases["stratum"].astype(str))
    with np.errstate(invalid="ignore", divide="ignore"):
        by_stratum = np.bincount(codes, eligible, len(strata)) / np.bincount(
            codes, known, len(strata)
        )
    rates = np.where(np.isfinite(by_stratum), by_stratum, wave)
    return pd.Series(rates[codes], index=cases.index, dtype=float)


def eligible_shares(cases: pd.DataFrame, rates: pd.Series | None = None) -> pd.Series:
    """Each case's share of an eligible unit: 1 eligible (every approved respondent), 0 known
    ineligible, e_h unknown (`rates`: eligibility_rates(cases) when already known)."""
    e = eligibility_rates(cases) if rates is None else rates
    status = cases["eligibility"].where(~cases["approved"].astype(bool), "eligible")
    return pd.Series(np.select([status.eq("eligible"), status.eq("ineligible")], [1.0, 0.0], e))


def household_factors(cases: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(1/p per case, listed door cases, Kish households beyond the tables); see step 3."""
    door = cases["door"].astype(bool)
    listed = door & cases["adults"].notna() & (cases["adults"] > 0)
    adults = cases["adults"].where(listed, 1.0).astype(float)
    kish = listed & cases["selection"].eq("kish")
    line = cases["line"].astype(float)
    known = kish & line.notna() & (line >= 1) & (line <= adults) & (line <= KISH_LINES)
    p = np.zeros(len(cases))
    counts, lines = adults.to_numpy(), line.to_numpy()
    for i in np.flatnonzero(known.to_numpy()):  # Kish's tables, for the Kish cases only
        p[i] = kish_probability(int(counts[i]), int(lines[i]))
    factor = adults.where(~known, 1.0 / pd.Series(p, index=cases.index).where(known, 1.0))
    return factor, listed, kish & (adults > KISH_LINES)


def adjust(cases: pd.DataFrame, *, method: str = STRATUM, drawn: dict | None = None) -> Adjusted:
    """Steps 1–3 for every case; `drawn` is {stratum: units drawn (all replicates)}."""
    cases = cases.reset_index(drop=True)
    d = base_weights(cases).astype(float)
    approved = cases["approved"].astype(bool)
    classes, collapsed = weighting_classes(cases, method)
    rates = eligibility_rates(cases)
    shares = eligible_shares(cases, rates)
    if method == NONE:
        factor = pd.Series(1.0, index=cases.index)
    else:
        eligible = (d * shares).groupby(classes).transform("sum")
        responded = d.where(approved, 0.0).groupby(classes).transform("sum")
        factor = eligible / responded.where(responded > 0)
    household = d * factor
    door = cases["door"].astype(bool) & approved
    selection, listed, beyond = household_factors(cases)
    weights = household * selection
    respondents = approved & cases["interview_id"].notna()
    ids = cases.loc[respondents, "interview_id"].astype("int64").to_numpy()
    by_interview = pd.Series(weights[respondents].to_numpy(), index=ids)
    components = pd.DataFrame(
        {
            "design": d[respondents].to_numpy(),
            "nonresponse": factor[respondents].to_numpy(),
            "household": selection[respondents].astype(float).to_numpy(),
        },
        index=ids,
    )
    strata = _stratum_table(cases, household.where(approved), (rates, shares), drawn or {})
    unrepresented = sorted(strata.loc[strata["approved"] == 0, "stratum"])
    beyond = beyond & approved
    return Adjusted(
        weights=by_interview,
        strata=strata,
        collapsed=collapsed,
        unrepresented=unrepresented,
        door=int(door.sum()),
        door_without_listing=int((door & ~listed).sum()),
        beyond_table=int(beyond.sum()),
        adults_not_covered=int((cases["adults"][beyond] - KISH_LINES).sum()),
        components=components,
    )


def _stratum_table(
    cases: pd.DataFrame, household: pd.Series, eligibility: tuple, drawn: dict
) -> pd.DataFrame:
    """Adjusted.strata; `eligibility` is (eligibility_rates, eligible_shares) of the cases."""
    status, approved = cases["eligibility"], cases["approved"].astype(bool)
    rates, shares = eligibility
    work = pd.DataFrame(
        {
            "stratum": cases["stratum"],
            "released": 1,
            "attempted": cases["attempted"].astype(int),
            "interviewed": cases["interviewed"].astype(int),
            "approved": cases["approved"].astype(int),
            "ineligible": (status.eq("ineligible") & ~approved).astype(int),
            "unknown": (status.eq("unknown") & ~approved).astype(int),
            "estimated_eligible": shares,
        }
    )
    grouped = work.groupby("stratum", sort=True)
    weight = household.groupby(work["stratum"], sort=True)
    # one pass of sums over the counts (a named aggregation makes one pass per column)
    table = grouped.sum().assign(
        eligibility_rate=rates.groupby(work["stratum"], sort=True).first(),
        weight_min=weight.min(),
        weight_max=weight.max(),
    )
    table = table.reset_index()
    table["drawn"] = table["stratum"].map(drawn).fillna(table["released"]).astype("int64")
    eligible = table["estimated_eligible"].where(table["estimated_eligible"] > 0)
    table["response_rate"] = 100.0 * table["approved"] / eligible
    return table[STRATUM_COLUMNS]
