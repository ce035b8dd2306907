"""Use-cases of the index: objective-indicator imports, AHP judgements, weights, shares, and
the composite index of a wave, its weights in force and its short boards. Pure computation is
in scoring.index.indices/ahp/objective and scoring.compare; this module loads, checks and
stores.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import transaction

from accounts.models import User
from common.tables import TableError
from common.tables.texts import describe_all, limits
from fieldwork.models import Wave
from sampling.models import Level, Locality
from scoring import selectors
from scoring.compare import ALPHA, rank_change, short_board
from scoring.design.intervals import scaled_logit_interval
from scoring.index import ahp, indices, objective, uncertainty
from scoring.index.objective_store import store_objective_indicators
from scoring.loaders import AnswerError, AnswersMeta
from scoring.models import IndexScheme, ObjectiveIndicator, ObjectiveValue
from scoring.ranking import below_overall_by, benjamini_hochberg, rank_interval_columns
from scoring.score_tables import domain_tables
from scoring.weighting import weighted_sample

LEVELS = (Level.DISTRICT, Level.STREET)


class IndexInputError(ValueError):
    """Input refused by an index use-case. `errors` lists every problem, each naming where
    (file/row/column, matrix, node) and what is wrong."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


# -- the scheme ----------------------------------------------------------------------------


def scheme_for_wave(wave: Wave) -> IndexScheme:
    """The wave's own scheme, else its questionnaire's default, else an unsaved default
    (equal weights, shares 0.7/0.3)."""
    own = IndexScheme.objects.filter(wave=wave).first()
    if own is not None:
        return own
    questionnaire_id = wave.questionnaire_version.questionnaire_id
    default = IndexScheme.objects.filter(questionnaire_id=questionnaire_id).first()
    return default or IndexScheme(wave=wave)


def index_tree(wave: Wave) -> dict[str, list[str]]:
    """The wave's index tree (scoring.index.indices.tree_from_definition)."""
    return indices.tree_from_definition(wave.questionnaire_version.definition)


@dataclass(frozen=True)
class IndexWeights:
    """The weights of a wave's index as they stand.

    tree      the index tree (index_tree)
    scheme    the scheme in force (scheme_for_wave): its AHP matrices and composite shares
    resolved  {parent: {child: weight}} for every parent (scoring.index.indices.resolve_weights:
              equal weights where none are set)
    given     the parents of the tree whose weights were set (by AHP or typed)
    """

    tree: dict[str, list[str]]
    scheme: IndexScheme
    resolved: dict[str, dict[str, float]]
    given: frozenset[str]


def current_weights(wave: Wave) -> IndexWeights:
    """The wave's index weights; weights stored for another tree (an older questionnaire)
    give way to equal weights. One or two queries (the scheme)."""
    tree = index_tree(wave)
    scheme = scheme_for_wave(wave)
    given = {parent: w for parent, w in scheme.weights.items() if parent in tree}
    try:
        resolved = indices.resolve_weights(tree, given)
    except ValueError:  # weights from an older questionnaire: show equal weights
        resolved = indices.resolve_weights(tree)
    return IndexWeights(tree=tree, scheme=scheme, resolved=resolved, given=frozenset(given))


def _own_scheme(wave: Wave) -> IndexScheme:
    """The wave's own scheme for writing: created on first change, starting from the
    questionnaire default when there is one."""
    scheme = IndexScheme.objects.select_for_update().filter(wave=wave).first()
    if scheme is not None:
        return scheme
    base = scheme_for_wave(wave)
    return IndexScheme(
        wave=wave,
        weights=dict(base.weights),
        matrices=dict(base.matrices),
        survey_share=base.survey_share,
        objective_share=base.objective_share,
    )


@transaction.atomic
def set_ahp_matrix(
    *,
    wave: Wave,
    parent: str,
    labels: Sequence[str],
    matrix: Sequence[Sequence[str | float]],
    user: User,
) -> ahp.AHPResult:
    """Store expert judgements comparing the children of `parent` and the weights they give.

    Refused (IndexInputError, nothing stored) when `parent` has no children in the wave's
    index tree, `labels` are not exactly its children, the matrix is invalid or its
    consistency ratio exceeds 0.1 (the message shows the CR).
    """
    tree = index_tree(wave)
    if parent not in tree:
        raise IndexInputError([f"{parent!r} is not a node with children in the index."])
    if sorted(labels) != sorted(tree[parent]):
        raise IndexInputError(
            [f"Matrix {parent!r} must compare exactly {tree[parent]}, got {list(labels)}."]
        )
    try:
        result = ahp.ahp_weights(matrix, name=parent, labels=labels)
    except ahp.AHPError as err:
        raise IndexInputError([str(err)]) from err
    scheme = _own_scheme(wave)
    scheme.matrices = {
        **scheme.matrices,
        parent: {**result.as_dict(), "matrix": [[str(c) for c in row] for row in matrix]},
    }
    scheme.weights = {**scheme.weights, parent: result.weights}
    _save(scheme, user, ["matrices", "weights"])
    return result


@transaction.atomic
def set_weights(*, wave: Wave, parent: str, weights: dict[str, float], user: User) -> None:
    """Set `parent`'s children weights directly (replacing any AHP matrix for it)."""
    tree = index_tree(wave)
    if parent not in tree:
        raise IndexInputError([f"{parent!r} is not a node with children in the index."])
    try:
        indices.resolve_weights({parent: tree[parent]}, {parent: weights})
    except indices.SchemeError as err:
        raise IndexInputError([str(err)]) from err
    scheme = _own_scheme(wave)
    scheme.weights = {**scheme.weights, parent: {k: float(v) for k, v in weights.items()}}
    scheme.matrices = {k: v for k, v in scheme.matrices.items() if k != parent}
    _save(scheme, user, ["matrices", "weights"])


@transaction.atomic
def set_shares(*, wave: Wave, survey_share: float, objective_share: float, user: User) -> None:
    """Set the composite shares (survey vs objective); they must add up to 1."""
    try:
        indices.check_shares(survey_share, objective_share)
    except indices.SchemeError as err:
        raise IndexInputError([str(err)]) from err
    scheme = _own_scheme(wave)
    scheme.survey_share = survey_share
    scheme.objective_share = objective_share
    _save(scheme, user, ["survey_share", "objective_share"])


def _save(scheme: IndexScheme, user: User, fields: list[str]) -> None:
    scheme.updated_by = user
    if scheme.pk is None:
        scheme.save()
    else:
        scheme.save(update_fields=[*fields, "updated_by", "updated_at"])


# -- objective indicators ------------------------------------------------------------------


@transaction.atomic
def import_objective_indicators(
    *,
    wave: Wave,
    values_file: bytes,
    values_name: str,
    rules_file: bytes | None = None,
    rules_name: str = "",
) -> int:
    """Import a values table (and optionally a rules table) for `wave`; returns the number
    of values stored.

    The rules table creates or updates the indicators it names. The values table replaces
    every value of the indicators it contains; other indicators keep theirs. Every indicator
    in the values must have a rule (from this rules file or an earlier import). Atomic: any
    problem (IndexInputError listing file/row/column) leaves the wave as it was.
    """
    errors: list[str] = []
    specs: dict[str, objective.IndicatorSpec] = {}
    caps = limits("indicators")
    if rules_file is not None:
        try:
            specs = objective.read_rules(rules_file, rules_name, limits=caps)
        except objective.ObjectiveError as err:
            errors.extend(err.errors)
        except TableError as err:
            errors.extend(describe_all(err))
    known = set(Locality.objects.values_list("code", flat=True))
    try:
        values = objective.read_values(
            values_file, values_name, known_localities=known, limits=caps
        )
    except objective.ObjectiveError as err:
        errors.extend(err.errors)
        values = None
    except TableError as err:
        errors.extend(describe_all(err))
        values = None
    existing = {i.code: i for i in ObjectiveIndicator.objects.filter(wave=wave)}
    if values is not None:
        for code in dict.fromkeys(values["indicator"]):
            if code not in specs and code not in existing:
                errors.append(
                    f"{values_name}: indicator {code!r} has no scoring rule; upload a rules "
                    "file that names it."
                )
    if errors:
        raise IndexInputError(errors)

    return store_objective_indicators(
        wave=wave,
        specs=specs,
        values=list(values.itertuples(index=False, name=None)),
        rules_name=rules_name,
        values_name=values_name,
    )


def objective_frame(wave: Wave, *, level: str | None = None) -> pd.DataFrame:
    """Scored objective values of `wave` (scoring.index.objective.score_indicators columns plus
    name, unit, weight), optionally only for localities of `level`. One query."""
    rows = ObjectiveValue.objects.filter(indicator__wave=wave)
    if level is not None:
        rows = rows.filter(locality__level=level)
    records = list(
        rows.order_by("locality__code", "indicator__code").values(
            "value",
            "indicator__code",
            "indicator__name",
            "indicator__unit",
            "indicator__weight",
            "indicator__rule",
            "locality__code",
        )
    )
    frame = pd.DataFrame.from_records(
        records,
        columns=[
            "value",
            "indicator__code",
            "indicator__name",
            "indicator__unit",
            "indicator__weight",
            "indicator__rule",
            "locality__code",
        ],
    )
    values = pd.DataFrame(
        {
            "locality_code": frame["locality__code"].astype(object),
            "indicator": frame["indicator__code"].astype(object),
            "value": frame["value"].astype(float),
        }
    )
    rules = {
        code: objective.parse_rule(rule, indicator=code)
        for code, rule in zip(frame["indicator__code"], frame["indicator__rule"], strict=True)
    }
    scored = objective.score_indicators(values, rules)
    return scored.assign(
        name=frame["indicator__name"].to_numpy(),
        unit=frame["indicator__unit"].to_numpy(),
        weight=frame["indicator__weight"].astype(float).to_numpy(),
    )


# -- the composite index -------------------------------------------------------------------


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
    except (AnswerError, indices.SchemeError, objective.ObjectiveError) as err:
        raise IndexInputError([str(err)]) from err
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
