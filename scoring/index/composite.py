"""The composite index of a wave and its short boards, by district or street: estimated under
the results' one weighting and design (scoring.weighting.weighted_sample), ranked as the
results are (reliable places only, with rank intervals from the joint covariance) and compared
with the round before. Pure computation is in scoring.index.indices/objective/uncertainty,
scoring.compare and scoring.ranking; this module loads what they need.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fieldwork.models import Wave
from sampling.models import Level
from scoring import selectors
from scoring.compare import ALPHA, rank_change, short_board
from scoring.design.intervals import scaled_logit_interval
from scoring.index import indices, objective, uncertainty
from scoring.index.services import (
    LEVELS,
    IndexInputError,
    index_tree,
    objective_frame,
    scheme_for_wave,
)
from scoring.loaders import AnswerError, AnswersMeta
from scoring.models import ObjectiveIndicator
from scoring.ranking import below_overall_by, benjamini_hochberg, rank_interval_columns
from scoring.score_tables import domain_tables
from scoring.weighting import weighted_sample


@dataclass(frozen=True)
class CompositeIndex:
    """A wave's composite index at one locality level.

    table: one row per locality, best first: code, survey_score, objective_score, composite,
           se, low, high (its 95% interval), n_respondents, unreliable, rank, rank_low,
           rank_high, p_bottom (the rank interval, scoring.rank_intervals), previous_score,
           previous_rank, rank_change, change, z, p, q, significant (scoring.compare.rank_change
           on `composite`, Benjamini–Hochberg across the places). A place unreliable in this
           wave has no rank, rank interval or change, and the others rank without it; one
           unreliable in the wave compared with is ranked but has no change.
    nodes: scoring.index.indices.aggregate output by locality (code, node, parent, level, score,
           weight) — the index tree's scores per locality.
    survey_share, objective_share: the shares used (1/0 when the wave has no objective
           values). previous_wave: the wave compared with, or None.
    covariance: the composites' joint sampling covariance (places with a survey score ×
           the same, by code; its diagonal is se²) under the results' design, which the rank
           intervals are drawn with; None where the design gives none (several sampling
           stages, or too large) and the rank intervals treat the places as independent.
    """

    table: pd.DataFrame
    nodes: pd.DataFrame
    meta: AnswersMeta
    survey_share: float
    objective_share: float
    previous_wave: Wave | None
    covariance: pd.DataFrame | None = None


def previous_wave(wave: Wave) -> Wave | None:
    """The round compared with: the latest of scoring.selectors.previous_waves (same client
    and questionnaire, earlier, with approved interviews)."""
    earlier = selectors.previous_waves(wave, limit=1)
    return earlier[-1] if earlier else None


def composite_index(*, wave: Wave, level: str = Level.DISTRICT) -> CompositeIndex:
    """The composite index of `wave` by district or street, with rank change against the
    previous wave. Raises IndexInputError when the wave's scheme does not fit its
    questionnaire or an approved answer cannot be scored."""
    if level not in LEVELS:
        raise IndexInputError([f"Unknown level {level!r}."])
    try:
        table, nodes, meta, shares, covariance = _composite_table(wave, level, joint=True)
    except (AnswerError, indices.SchemeError) as err:
        raise IndexInputError([str(err)]) from err
    except objective.ObjectiveError as err:
        raise IndexInputError(err.errors) from err  # texts translated where shown
    before = previous_wave(wave)
    previous = None
    if before is not None:
        try:
            previous = _composite_table(before, level)[0]
        except (AnswerError, indices.SchemeError, objective.ObjectiveError):
            before = None  # an unusable earlier wave is not compared with
    compared = rank_change(
        _reliable_only(table),
        None if previous is None else _reliable_only(previous),
        key="code",
    )
    # a change is called only after Benjamini–Hochberg control across the places
    compared["q"] = benjamini_hochberg(compared["p"])
    compared["significant"] = np.nan_to_num(compared["q"], nan=1.0) < ALPHA
    ranked = _rank_intervals(table, covariance)
    out = compared.drop(columns="score").merge(ranked, on="code", how="left")
    return CompositeIndex(
        table=out,
        nodes=nodes,
        meta=meta,
        survey_share=shares[0],
        objective_share=shares[1],
        previous_wave=before,
        covariance=covariance,
    )


def _reliable_only(table: pd.DataFrame) -> pd.DataFrame:
    """code, score (the composite) and se of a composite table, the score of an unreliable
    place taken away, as on the results page: unreliable in this wave, a place is neither
    ranked nor compared; unreliable in the wave compared with, it is not compared. Either
    way it makes no other place move."""
    score = table["composite"].where(~table["unreliable"].astype(bool))
    return pd.DataFrame({"code": table["code"], "score": score, "se": table["se"]})


def _composite_table(wave: Wave, level: str, *, joint: bool = False):
    """(table[code, survey_score, objective_score, composite, se, low, high, n_respondents,
    unreliable], nodes, meta, (survey_share, objective_share), covariance). low–high is the
    composite's 95% interval: R's svyciprop logit interval of composite/100 with t quantiles
    on the place's design degrees of freedom (scoring.design.intervals, as the results'
    scores), so never outside 0–100. With `joint`, covariance is the composites' joint
    sampling covariance (CompositeIndex.covariance), else None."""
    sample = weighted_sample(wave=wave)  # the results page's weights and design
    long, meta, design = sample.long, sample.meta, sample.design
    tree = index_tree(wave)
    scheme = scheme_for_wave(wave)
    if long.empty:
        figures = [*indices.COMPOSITE_COLUMNS, "se", "low", "high"]
        empty = pd.DataFrame(columns=["code", *figures, "n_respondents"])
        empty = empty.astype({c: float for c in figures})
        empty["unreliable"] = pd.Series(dtype=bool)
        nodes = pd.DataFrame(columns=["code", *indices.AGGREGATE_COLUMNS])
        return empty, nodes, meta, (1.0, 0.0), None
    weights = scheme.weights or None
    # the item scores and the place's n, flag and df in one estimate, from the sample's cube
    items, n = domain_tables(
        long, [[level, "item"], [level]], design=design, cube=sample.cube(), rate_free=[0, 1]
    )
    items = items.rename(columns={"item": "node", level: "code"})
    nodes = indices.aggregate(items, tree, weights=weights, by=["code"])
    survey = nodes[nodes["node"] == indices.ROOT][["code", "score"]].rename(
        columns={"score": "survey_score"}
    )
    respondents = long.rename(columns={"item": "node", level: "code"})
    errors, covariance = uncertainty.index_uncertainty(
        respondents, items, tree, design=design, weights=weights, by=["code"], joint=joint
    )

    scored = objective_frame(wave, level=level)
    if scored.empty:
        shares = (1.0, 0.0)
        per_place = None
    else:
        shares = (scheme.survey_share, scheme.objective_share)
        weight_of = dict(zip(scored["indicator"], scored["weight"], strict=False))
        per_place = objective.objective_scores(scored, weight_of).rename(
            columns={"locality_code": "code"}
        )
    table = indices.composite(
        survey, per_place, key="code", survey_share=shares[0], objective_share=shares[1]
    )
    # n and the reliability flag as the results page has them (n, or the effective n under
    # the weights, below MIN_RESPONDENTS)
    n = n.rename(columns={level: "code"})[["code", "n_respondents", "unreliable", "df"]]
    table = table.merge(n, on="code", how="left").merge(
        errors[["code", "se"]], on="code", how="left"
    )
    table["n_respondents"] = table["n_respondents"].fillna(0).astype("int64")
    table["unreliable"] = table["unreliable"].fillna(True).astype(bool)
    # Objective figures are administrative counts, not sampled: only the survey part varies.
    table["se"] = shares[0] * table["se"]
    table["low"], table["high"] = scaled_logit_interval(
        table["composite"], table["se"], table.pop("df")
    )
    if covariance is not None:
        # objective figures are not sampled: the composite varies as share × the survey index
        codes = errors["code"].to_numpy()
        covariance = pd.DataFrame(shares[0] ** 2 * covariance, index=codes, columns=codes)
    return table, nodes, meta, shares, covariance


def _rank_intervals(table: pd.DataFrame, covariance: pd.DataFrame | None) -> pd.DataFrame:
    """The table plus rank_low, rank_high and p_bottom (scoring.ranking.rank_interval_columns)
    of its reliable places, drawn from the composites' joint sampling distribution; the
    places independent (their squared SEs) where the design gives no covariance."""
    ranked = ~table["unreliable"].to_numpy(dtype=bool) & table["composite"].notna().to_numpy()
    codes = table["code"][ranked]
    estimates = table["composite"].to_numpy(dtype=float)[ranked]
    joint = np.diag(np.nan_to_num(table["se"].to_numpy(dtype=float)[ranked]) ** 2)
    if covariance is not None and codes.isin(covariance.index).all():
        joint = covariance.loc[codes, codes].to_numpy()
    return table.assign(**rank_interval_columns(ranked, estimates, joint))


def short_boards(*, wave: Wave, level: str = Level.DISTRICT) -> pd.DataFrame:
    """Short boards (短板) of `wave` by district or street (scoring.compare.short_board).

    Survey dimensions count when significantly below the same dimension over all
    respondents (each locality's share of the dimension's weight taken into account);
    objective indicators when below their target. Returns DataFrame[code, kind ("dimension"
    or "objective"), item (dimension or indicator code), score (0–100), value (the figure
    compared: the score of a dimension, the raw value of an indicator), target, overall (the
    same figure over all localities: the dimension's overall score, the indicator's mean
    value), gap (value − overall), p, below_target, below_overall], worst gap first within
    each kind and indicator. Raises IndexInputError when an approved answer cannot be
    scored.
    """
    if level not in LEVELS:
        raise IndexInputError([f"Unknown level {level!r}."])
    try:
        sample = weighted_sample(wave=wave)  # the results page's weights and design
    except AnswerError as err:
        raise IndexInputError([str(err)]) from err
    columns = ["code", "kind", "item", "score", "value", "target", "overall", "gap", "p", "q"]
    columns += ["below_target", "below_overall"]
    parts = []
    long, design = sample.long, sample.design
    if not long.empty:
        by_place, overall = domain_tables(
            long, [[level, "dimension"], ["dimension"]], design=design, cube=sample.cube()
        )
        by_place = by_place.rename(columns={level: "code"})
        total = overall.set_index("dimension")["weight_sum"]
        by_place["share"] = by_place["weight_sum"] / by_place["dimension"].map(total)
        # many places × dimensions are tested: Benjamini–Hochberg across them all
        survey = below_overall_by(by_place, overall, on=["dimension"])
        parts.append(
            survey.assign(
                kind="dimension",
                item=survey["dimension"],
                value=survey["score"],
                target=float("nan"),
                overall=survey["overall_score"],
                below_target=False,
            )
        )
    scored = objective_frame(wave, level=level)
    if not scored.empty:
        means = scored.groupby("indicator", as_index=False)["value"].mean()
        directions = {
            code: rule.get("direction")
            for code, rule in ObjectiveIndicator.objects.filter(wave=wave).values_list(
                "code", "rule"
            )
        }
        for code, rows in scored.groupby("indicator", sort=True):
            board = short_board(
                rows.rename(columns={"locality_code": "code"}),
                means[means["indicator"] == code],
                on=["indicator"],
                score="value",
                higher_is_better=directions.get(code) != objective.LOWER,
            )
            parts.append(
                board.assign(
                    kind="objective", item=code, overall=board["overall_score"], q=float("nan")
                )
            )
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat([p[columns] for p in parts], ignore_index=True)
