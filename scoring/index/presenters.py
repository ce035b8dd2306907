"""The index pages' data as plain dicts and lists (numbers rounded to one decimal, NaN →
None). Labels of dimensions and items come from the questionnaire in the active language.
The index and its short boards arrive computed from scoring.index.composite, its weights from
scoring.index.services."""

import math
from collections.abc import Collection

import pandas as pd
from django.db.models import Count

from common.i18n import ui_language
from common.labels import localized
from fieldwork.models import Wave
from sampling.models import Locality
from scoring.index import ahp
from scoring.index.indices import ROOT
from scoring.models import ObjectiveIndicator


def _number(value: object, digits: int = 1) -> float | None:
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, digits)


def _int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def node_labels(wave: Wave) -> dict[str, str]:
    """{node code: label}: dimensions and items from the definition, an indicator by its
    first question's label (the XLSForm gives indicators no label of their own); the root
    keeps its code (the template labels it)."""
    definition = wave.questionnaire_version.definition
    language = ui_language()
    labels = {
        code: localized(label, language) or code
        for code, label in definition.get("dimensions", {}).items()
    }
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            name = question["name"]
            labels.setdefault(name, localized(question.get("label"), language) or name)
            if question.get("indicator"):
                labels.setdefault(question["indicator"], labels[name])
    return labels


def composite_rows(table: pd.DataFrame) -> list[dict]:
    """One dict per locality of the composite table (CompositeIndex.table), best first."""
    codes = table["code"].tolist()
    names = dict(Locality.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        {
            "code": row["code"],
            "name": names.get(row["code"], row["code"]),
            "rank": _int(row["rank"]),
            "rank_low": _int(row.get("rank_low")),
            "rank_high": _int(row.get("rank_high")),
            "survey_score": _number(row["survey_score"]),
            "objective_score": _number(row["objective_score"]),
            "composite": _number(row["composite"]),
            "se": _number(row["se"], 2),
            "low": _number(row["low"]),
            "high": _number(row["high"]),
            "n": int(row["n_respondents"]),
            "unreliable": bool(row["unreliable"]),
            "previous_rank": _int(row["previous_rank"]),
            "rank_change": _int(row["rank_change"]),
            "rank_move": None if pd.isna(row["rank_change"]) else abs(int(row["rank_change"])),
            "change": _number(row["change"]),
            "p": _number(row["p"], 3),
            "q": _number(row.get("q"), 3),
            "significant": bool(row["significant"]),
        }
        for row in table.to_dict("records")
    ]


def weight_levels(
    wave: Wave,
    *,
    tree: dict[str, list[str]],
    resolved: dict[str, dict[str, float]],
    given: Collection[str],
    matrices: dict[str, dict],
) -> list[dict]:
    """Every parent of the index tree with its children, their weights (normalised, %), and
    the stored AHP matrix and consistency figures when there is one. The arguments are
    scoring.index.services.current_weights' (matrices: the scheme's)."""
    labels = node_labels(wave)
    levels = []
    for parent, children in tree.items():
        if len(children) < 2:  # nothing to weigh
            continue
        total = sum(resolved[parent].values())
        stored = matrices.get(parent)
        matrix = None
        if stored and sorted(stored.get("labels", [])) == sorted(children):
            matrix = stored
        levels.append(
            {
                "code": parent,
                "label": labels.get(parent, parent),
                "is_root": parent == ROOT,
                "children": [
                    {
                        "code": child,
                        "label": labels.get(child, child),
                        "weight": _number(100 * resolved[parent][child] / total),
                    }
                    for child in children
                ],
                "source": "ahp" if matrix else ("explicit" if parent in given else "equal"),
                "matrix": _matrix_view(matrix, children) if matrix else None,
                "cr": _number(matrix["cr"], 3) if matrix else None,
                "lambda_max": _number(matrix["lambda_max"], 3) if matrix else None,
                "cr_limit": ahp.CR_LIMIT,
            }
        )
    return levels


def _matrix_view(stored: dict, children: list[str]) -> list[list[str]]:
    """The stored matrix in the tree's child order, as entered."""
    position = {label: i for i, label in enumerate(stored["labels"])}
    rows = stored.get("matrix") or []
    return [[rows[position[a]][position[b]] for b in children] for a in children]


def objective_indicators(wave: Wave) -> list[dict]:
    """The wave's objective indicators with their rule and number of values."""
    rows = (
        ObjectiveIndicator.objects.filter(wave=wave)
        .annotate(n_values=Count("values"))
        .order_by("code")
    )
    return [
        {
            "code": row.code,
            "name": row.name,
            "unit": row.unit,
            "weight": row.weight,
            "direction": row.rule.get("direction"),
            "target": row.rule.get("target"),
            "bands": " ".join(f"{t:g}:{s:g}" for t, s in row.rule.get("bands") or []),
            "deduction": row.rule.get("deduction"),
            "floor": row.rule.get("floor"),
            "cap": row.rule.get("cap"),
            "n_values": row.n_values,
            "source_name": row.source_name,
        }
        for row in rows
    ]


def short_board_rows(wave: Wave, boards: pd.DataFrame) -> list[dict]:
    """scoring.index.composite.short_boards as dicts for the page."""
    labels = node_labels(wave)
    indicators = dict(ObjectiveIndicator.objects.filter(wave=wave).values_list("code", "name"))
    names = dict(
        Locality.objects.filter(code__in=boards["code"].tolist()).values_list("code", "name")
    )
    return [
        {
            "code": row["code"],
            "place": names.get(row["code"], row["code"]),
            "kind": row["kind"],
            "label": (
                indicators.get(row["item"], row["item"])
                if row["kind"] == "objective"
                else labels.get(row["item"], row["item"])
            ),
            "value": _number(row["value"]),
            "target": _number(row["target"]),
            "overall": _number(row["overall"]),
            "gap": _number(row["gap"]),
            "p": _number(row["p"], 3),
            "q": _number(row.get("q"), 3),
            "below_target": bool(row["below_target"]),
            "below_overall": bool(row["below_overall"]),
        }
        for row in boards.to_dict("records")
    ]


def frozen_index(wave: Wave, levels: dict[str, tuple]) -> dict:
    """What an edition keeps of the index page, per level: {"rows", "short_boards",
    "shares", "previous_wave" (a name or None)}, or {"error"}; `levels` maps each level to
    (CompositeIndex, short boards) or to an error message."""
    frozen = {}
    for level, computed in levels.items():
        if isinstance(computed, str):
            frozen[level] = {"error": computed}
            continue
        result, boards = computed
        frozen[level] = {
            "rows": composite_rows(result.table),
            "short_boards": short_board_rows(wave, boards),
            "shares": {
                "survey": round(100 * result.survey_share),
                "objective": round(100 * result.objective_share),
            },
            "previous_wave": result.previous_wave.name if result.previous_wave else None,
        }
    return frozen
