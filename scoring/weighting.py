"""Final weights for a wave: design weight → raking to population margins → trimming.

The use-case an analyst runs before estimating: it reads (through scoring.loaders) and
returns weights and a report; it writes nothing. The statistics are scoring.design's.

Steps
1. Design: the base weight of the released sample adjusted for nonresponse within the
   wave's weighting classes (the strata by default; scoring.nonresponse, the choice recorded
   in scoring.models.WaveWeighting) and multiplied, for door interviews, by the household's
   eligible adults; stratified by the draw's strata, with the stratum's frame size as finite
   population correction when every stratum has one; a stratum with a single respondent is
   centred at zero (lonely PSU "adjust").
2. Raking to the population of the respondents' localities at `level` (district or street),
   from Locality.population: margins locality, locality × sex and locality × age group.
   A margin is left out, and the report says why, when some respondents lack the variable,
   some locality has no population data, or a population cell has no respondent (raking
   cannot reach it; merge age groups or use a coarser level). Only localities with
   respondents are calibrated (the report lists the others).
3. Trimming to [lower, upper] × the mean weight, the excess shared among the others
   (R's trimWeights, strict), keeping the total.
"""

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from common.translatable import Translatable, gettext_noop
from fieldwork.models import Wave
from scoring.answer_cube import AnswerCube
from scoring.cases import (
    RoundOutcomes,
    case_frame,
    drawn_per_stratum,
    nonresponse_choice,
    read_round,
)
from scoring.design.calibration import rake, trim, weighting_summary
from scoring.design.designs import Design, DesignError, make_design
from scoring.loaders import (
    AnswersMeta,
    approved_answers,
    gc_paused,
    locate,
    population_cells,
    respondent_frame,
)
from scoring.nonresponse import STRATUM_ATTRIBUTE, adjust
from scoring.score_tables import SampleDesign, with_scope
from scoring.states import read_once

LEVELS = ("district", "street")
DEFAULT_TRIM = (0.25, 4.0)


@dataclass(frozen=True)
class Weighting:
    """weights   final weight per interview (Series indexed by interview_id)
    design    the scoring.design Design behind them (rows in `respondents` order)
    respondents  scoring.loaders.respondent_frame(wave)
    report    {"n", "level", "design": summary, "final": summary, "margins": [str],
               "skipped": [str], "trimmed": int}; a summary is scoring.design.calibration's
               weighting_summary (min, max, ratio, cv, kish_deff, n_eff …)
    components   per interview (indexed by interview_id, the final weight their product):
               design (base weight), nonresponse, household (selection factor), raking
               (raked ÷ before raking), trimming (final ÷ raked), and final
    margins   the raking's population margins that were used: [(name, {label: count})],
              the labels as in `respondents` (locality code, "code|sex", "code|age group")"""

    weights: pd.Series
    design: Design | None
    respondents: pd.DataFrame
    report: dict = field(default_factory=dict)
    components: pd.DataFrame = field(default_factory=pd.DataFrame)
    margins: list = field(default_factory=list)


def wave_weights(
    *,
    wave: Wave,
    level: str = "district",
    trim_bounds: tuple[float, float] | None = DEFAULT_TRIM,
    interviews: list[dict] | None = None,
    places: tuple | None = None,
    cases: pd.DataFrame | None = None,
    choice: tuple[str, str] | None = None,
    strata: tuple[dict, dict] | None = None,
) -> Weighting:
    """Final weights of the wave's approved interviews (see the module docstring);
    `interviews` is scoring.loaders.approved_interviews(wave) when already read, `places`
    scoring.loaders.locate(interviews) when already resolved, `cases` scoring.cases.
    case_frame(wave, attribute=…) for the wave's nonresponse choice when already read, and
    `choice` that choice (method, attribute read) when the cases were read for it, and
    `strata` scoring.cases.stratum_sizes of the round when already read."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    respondents = respondent_frame(wave, interviews=interviews, places=places, strata=strata)
    report: dict = {"n": len(respondents), "level": level, "margins": [], "skipped": []}
    if respondents.empty:
        return Weighting(pd.Series(dtype=float), None, respondents, report)
    respondents, components = _adjusted(wave, respondents, report, cases, choice)
    prerake = respondents["weight"].astype(float).to_numpy()
    fpc = respondents["fpc"]
    design = make_design(
        weights=respondents["weight"].astype(float).to_numpy(),
        strata=respondents["stratum"].fillna(""),
        fpc=[fpc.to_numpy()] if fpc.notna().all() else [],
        lonely_psu="adjust",
    )
    report["design"] = weighting_summary(design.weights)

    margins = _margins(respondents, level, report)
    used = []
    if margins:
        try:
            design = rake(design, [(groups, population) for _, groups, population in margins])
            report["margins"] = [name for name, _, _ in margins]
            used = [(name, population) for name, _, population in margins]
        except DesignError as error:
            report["skipped"].append(
                Translatable(gettext_noop("raking: %(error)s"), error=str(error))
            )
    raked = design.weights
    trimmed = 0
    if trim_bounds is not None:
        mean = design.weights.mean()
        before = design.weights
        design = trim(design, lower=trim_bounds[0] * mean, upper=trim_bounds[1] * mean)
        trimmed = int((abs(design.weights - before) > 1e-9 * mean).sum())
    report["trimmed"] = trimmed
    report["trim_bounds"] = list(trim_bounds) if trim_bounds is not None else None
    report["final"] = weighting_summary(design.weights)
    ids = respondents["interview_id"].to_numpy()
    weights = pd.Series(design.weights, index=ids)
    components = components.reindex(ids).assign(
        raking=raked / prerake, trimming=design.weights / raked, final=design.weights
    )
    return Weighting(weights, design, respondents, report, components, used)


@dataclass(frozen=True)
class WeightedSample:
    """What every page, export and PDF estimates from (one weighting, one design).

    long     approved_answers(wave) with the final weights in `weight` and the design
             columns `stratum` and `fpc` (when every stratum has a frame count)
    meta     approved_answers' AnswersMeta
    report   the weighting report (see `wave_weights`)
    design   scoring.score_tables.SampleDesign: the raked and trimmed design and the map
             interview_id → design row, so that SEs include the raking; None without
             respondents
    interviews   scoring.loaders.approved_interviews(wave): the one read of the answers,
             for the other readers of the same computation (respondent groups)
    outcomes the round's scoring.cases.RoundOutcomes, read with its cases (methodology)
    No reader changes it: one sample may serve several (scoring.states.one_read_per_wave)."""

    long: pd.DataFrame
    meta: AnswersMeta
    report: dict
    design: SampleDesign | None
    interviews: list[dict] = field(default_factory=list, repr=False)
    outcomes: RoundOutcomes | None = field(default=None, repr=False)
    _made: dict = field(default_factory=dict, repr=False, compare=False)

    def cube(self) -> AnswerCube:
        """The scoring.answer_cube over the long frame with its scope (score_tables'
        with_scope), made on first use and kept with the sample: the tables of the results,
        of the index at both levels and of its short boards all sum each respondent once."""
        if "cube" not in self._made:
            self._made["cube"] = AnswerCube(with_scope(self.long))
        return self._made["cube"]


def weighted_sample(
    *,
    wave: Wave,
    level: str = "district",
    trim_bounds: tuple[float, float] | None = DEFAULT_TRIM,
) -> WeightedSample:
    """The wave's approved answers with their final weights and the calibrated design (read
    once per block of scoring.states.one_read_per_wave)."""
    return read_once(
        wave, ("sample", level, trim_bounds), lambda: _weighted_sample(wave, level, trim_bounds)
    )


def _weighted_sample(
    wave: Wave, level: str, trim_bounds: tuple[float, float] | None
) -> WeightedSample:
    choice = _adjustment_choice(wave)
    with gc_paused():  # reading builds tens of thousands of objects at once (loaders.gc_paused)
        # one read of the round's cases gives the approved interviews, the case frame and
        # what became of the cases (the methodology's rates and review counts)
        interviews, cases, strata, outcomes = read_round(wave, attribute=choice[1])
        places = locate(interviews) if interviews else None
        long, meta = approved_answers(wave, interviews=interviews, places=places)
        weighting = wave_weights(
            wave=wave,
            level=level,
            trim_bounds=trim_bounds,
            interviews=interviews,
            places=places,
            cases=cases,
            choice=choice,
            strata=strata,
        )
    design = None
    if weighting.design is not None:
        ids = weighting.respondents["interview_id"].to_numpy()
        design = (weighting.design, pd.Series(range(len(ids)), index=ids))
    long = _with_weights(long, weighting)
    return WeightedSample(long, meta, weighting.report, design, interviews, outcomes)


def weighted_answers(
    *,
    wave: Wave,
    level: str = "district",
    trim_bounds: tuple[float, float] | None = DEFAULT_TRIM,
) -> tuple[pd.DataFrame, AnswersMeta, dict]:
    """weighted_sample's long frame, meta and report (without the design)."""
    sample = weighted_sample(wave=wave, level=level, trim_bounds=trim_bounds)
    return sample.long, sample.meta, sample.report


def _with_weights(long: pd.DataFrame, weighting: Weighting) -> pd.DataFrame:
    if long.empty:
        return long
    design = weighting.respondents
    # each answer's respondent row, looked up once for the three columns
    row = pd.Index(design["interview_id"].to_numpy()).get_indexer(long["interview_id"])
    # The answers and the respondents are read by two queries: an interview approved in
    # between has no weight yet and is left to the next computation.
    if (row < 0).any():
        long, row = long[row >= 0], row[row >= 0]
    weights = weighting.weights.to_numpy(dtype=float)  # in the respondents' order
    stratum = design["stratum"].to_numpy()[row]
    long = long.assign(
        weight=weights[row], stratum=pd.Series(stratum, index=long.index, dtype=object)
    )
    if design["fpc"].notna().all():
        long = long.assign(fpc=design["fpc"].to_numpy(dtype=float)[row])
    return long


def _adjustment_choice(wave: Wave) -> tuple[str, str]:
    """(method, the frame attribute it reads, "" unless by stratum attribute) of the wave's
    nonresponse adjustment."""
    method, attribute = nonresponse_choice(wave)
    return method, attribute if method == STRATUM_ATTRIBUTE else ""


def _adjusted(
    wave: Wave,
    respondents: pd.DataFrame,
    report: dict,
    cases: pd.DataFrame | None,
    choice: tuple[str, str] | None,
) -> tuple:
    """The respondents with their nonresponse-adjusted person weights (scoring.nonresponse)
    and those weights' components (design, nonresponse, household by interview_id);
    the report gains "nonresponse": {"method", "attribute", "strata" (records of the
    per-stratum table), "collapsed", "unrepresented", "door", "door_without_listing",
    "beyond_table", "adults_not_covered"}."""
    method, attribute = choice or _adjustment_choice(wave)
    if cases is None:
        cases = case_frame(wave, attribute=attribute)
    adjusted = adjust(cases, method=method, drawn=drawn_per_stratum(wave))
    report["nonresponse"] = {
        "method": method,
        "attribute": attribute,
        "strata": adjusted.strata.to_dict("records"),
        "collapsed": adjusted.collapsed,
        "unrepresented": adjusted.unrepresented,
        "door": adjusted.door,
        "door_without_listing": adjusted.door_without_listing,
        "beyond_table": adjusted.beyond_table,
        "adults_not_covered": adjusted.adults_not_covered,
    }
    # An interview approved after the cases were read keeps its base weight until the next
    # computation (the two reads are separate queries).
    weight = respondents["interview_id"].map(adjusted.weights)
    ids = respondents["interview_id"].to_numpy()
    components = adjusted.components.reindex(ids)
    late = components["design"].isna().to_numpy()
    components.loc[late, "design"] = respondents["weight"].to_numpy()[late]
    components = components.fillna({"nonresponse": 1.0, "household": 1.0})
    adjusted_frame = respondents.assign(weight=weight.fillna(respondents["weight"]).astype(float))
    return adjusted_frame, components


def _margins(respondents: pd.DataFrame, level: str, report: dict) -> list:
    """[(name, row labels, {label: count})] for the margins that can be used."""
    places = respondents[level]
    if places.isna().any():
        report["skipped"].append(
            Translatable(
                gettext_noop("all margins: %(n)s respondent(s) with no %(margin)s"),
                n=int(places.isna().sum()),
                margin=level,
            )
        )
        return []
    met = places.unique()  # the few places, not a Python loop over every respondent
    cells = population_cells(sorted(met))
    missing = sorted(set(met) - set(cells["locality"]))
    if missing:
        # notes name localities by code; the appendix shows their names (methodology)
        report["skipped"].append(
            Translatable(
                gettext_noop("all margins: no population data for %(places)s"),
                places=", ".join(missing),
            )
        )
        return []
    margins = [(level, places, cells.groupby("locality")["Freq"].sum().to_dict())]
    for variable in ("sex", "age_group"):
        name = f"{level} × {variable}"
        values = respondents[variable]
        if values.isna().any():
            report["skipped"].append(
                Translatable(
                    gettext_noop("%(margin)s: %(n)s respondent(s) unknown"),
                    margin=name,
                    n=int(values.isna().sum()),
                )
            )
            continue
        labels = places + "|" + values
        population = (cells["locality"] + "|" + cells[variable]).to_frame("cell")
        population = population.assign(Freq=cells["Freq"]).groupby("cell")["Freq"].sum()
        # the labels met, hashed once each in C (a set of the Series iterates it in Python)
        empty = sorted(set(population[population > 0].index) - set(pd.unique(labels.to_numpy())))
        if empty:
            report["skipped"].append(
                Translatable(
                    gettext_noop("%(margin)s: no respondent in %(cell)s"),
                    margin=name,
                    cell=empty[0],
                )
            )
            continue
        margins.append((name, labels, population.to_dict()))
    return margins


def inputs_digest(sample: WeightedSample) -> tuple[str, dict[str, float]]:
    """(SHA-256 of what the results are computed from, {interview id: final weight}): every
    approved answer's interview, item, score and weight in a fixed order, and the final
    weights. Two states of a wave with the same digest give the same results."""
    digest = hashlib.sha256()
    long = sample.long
    if not long.empty:
        # ordered by interview id, then item name: the few names are sorted, not every row's
        codes, names = pd.factorize(long["item"].astype(str))
        names = np.asarray(names, dtype=object)
        rank = np.empty(len(names), dtype=np.int64)
        rank[np.argsort(names, kind="stable")] = np.arange(len(names))
        ids = long["interview_id"].to_numpy(dtype="int64")
        # one stable sort of a single key (interview, then the item's place): lexsort's order
        order = np.argsort(ids * len(names) + rank[codes], kind="stable")
        digest.update(ids[order].tobytes())
        encoded = np.array([name.encode() for name in names], dtype=object)  # each name once
        digest.update(b"\x1f".join(encoded[codes[order]].tolist()))
        digest.update(long["score"].to_numpy(dtype=float)[order].tobytes())
        digest.update(long["weight"].to_numpy(dtype=float)[order].tobytes())
    weights = {}
    if sample.design is not None:
        design, row_of = sample.design
        final = design.weights[row_of.to_numpy()].tolist()
        weights = dict(zip(map(str, row_of.index.tolist()), final, strict=True))
    digest.update(repr(sorted(weights.items())).encode())
    return digest.hexdigest(), weights
