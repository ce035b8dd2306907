"""Use-cases of the index scheme: objective-indicator imports, AHP judgements, weights and
shares, and the weights in force (the composite index itself is scoring.index.composite).
Pure computation is in scoring.index.indices/ahp/objective; this module loads, checks and
stores.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext

from accounts.models import User
from common.tables import TableError
from common.tables.texts import describe_all, limits
from common.translatable import Translatable, gettext_noop, translated
from fieldwork.models import Case, Wave
from sampling.models import Level, Locality
from scoring.index import ahp, indices, objective, objective_files
from scoring.index.objective_store import store_objective_indicators
from scoring.models import IndexScheme, ObjectiveIndicator, ObjectiveValue

LEVELS = (Level.DISTRICT, Level.STREET)


class IndexInputError(ValueError):
    """Input refused by an index use-case. `errors` lists every problem, each naming where
    (file/row/column, matrix, node) and what is wrong."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))

    def texts(self) -> list[str]:
        """The problems in the active language."""
        return [translated(error, gettext) for error in self.errors]


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
        raise IndexInputError([err.args[0]]) from err  # translatable where shown
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
        raise IndexInputError([err.args[0]]) from err  # translatable where shown
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
            specs = objective_files.read_rules(rules_file, rules_name, limits=caps)
        except objective.ObjectiveError as err:
            errors.extend(err.errors)
        except TableError as err:
            errors.extend(describe_all(err))
    known = area_codes(wave)
    try:
        values = objective_files.read_values(
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
                problem = gettext_noop(
                    "%(file)s: indicator %(code)s has no scoring rule; upload a rules file "
                    "that names it."
                )
                errors.append(Translatable(problem, file=values_name, code=code))
    if errors:
        raise IndexInputError(errors)

    return store_objective_indicators(
        wave=wave,
        specs=specs,
        values=list(values.itertuples(index=False, name=None)),
        rules_name=rules_name,
        values_name=values_name,
    )


def area_codes(wave: Wave) -> set[str]:
    """The codes of every locality in the cities the wave's cases are in (their districts,
    streets and communities): where the wave's objective indicators may be given. Every
    locality while the wave has no cases yet."""
    found = set(Case.objects.filter(wave=wave).values_list("street_id", flat=True).distinct())
    found.discard(None)
    if not found:
        return set(Locality.objects.values_list("code", flat=True))
    rows = dict(Locality.objects.filter(pk__in=found).values_list("pk", "parent_id"))
    while parents := {p for p in rows.values() if p is not None and p not in rows}:
        rows |= dict(Locality.objects.filter(pk__in=parents).values_list("pk", "parent_id"))
    level = {pk for pk, parent in rows.items() if parent is None}  # the cities
    codes = set(Locality.objects.filter(pk__in=level).values_list("code", flat=True))
    while level:
        below = list(Locality.objects.filter(parent_id__in=level).values_list("pk", "code"))
        codes |= {code for _pk, code in below}
        level = {pk for pk, _code in below}
    return codes


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
