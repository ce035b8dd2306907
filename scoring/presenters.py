"""Scoring results as plain dicts and lists, for the results page and the PDF report.

Numbers are rounded to one decimal; NaN becomes None ("—" on the page). Labels follow the
active language: Chinese when it starts with "zh", else English; questionnaire labels
(dimensions) come from the definition, UI strings from the translation catalogue.
"""

import math
from datetime import date

import pandas as pd
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fieldwork.models import Wave
from scoring.estimate import MIN_RESPONDENTS, SAFETY, SATISFACTION, lowest, summarize
from scoring.frames import AnswersMeta, approved_answers

SHORT_BOARD_SIZE = 3


def wave_results(wave: Wave) -> dict:
    """Everything the results page and the report show for `wave` (see `present_results`)."""
    long, meta = approved_answers(wave)
    return present_results(
        wave=wave,
        tables=summarize(long),
        meta=meta,
        language=get_language() or "zh-hans",
        generated_on=timezone.localdate(),
    )


def present_results(
    *, wave: Wave, tables: dict, meta: AnswersMeta, language: str, generated_on: date
) -> dict:
    """Turn `scoring.estimate.summarize` output into plain data.

    Returns {"wave", "n_interviews", "min_respondents", "headline", "dimensions",
    "districts", "streets", "heat", "short_board", "labels"}: dicts/lists of str, int, float
    (1 decimal) or None, and bool `unreliable` flags wherever an estimate has fewer than
    `min_respondents` respondents.
    """
    lang = "zh" if language.lower().startswith("zh") else "en"
    dimension_label = {code: localized(label, lang) for code, label in meta.dimensions.items()}
    position = {code: i for i, code in enumerate(meta.dimensions)}  # questionnaire order
    place = meta.localities

    def place_name(code: object) -> str:
        return place.get(code, {}).get("name", str(code)) if isinstance(code, str) else "—"

    scope_labels = {SATISFACTION: _("Satisfaction"), SAFETY: _("Safety")}

    overall = tables["overall"].set_index("scope")

    def headline(scope: str, column: str) -> float | None:
        return number(overall[column].get(scope))

    def headline_flag(scope: str) -> bool:
        return bool(overall["unreliable"].get(scope, True))

    by_dimension = tables["by_dimension"]
    by_dimension = by_dimension.assign(
        _order=by_dimension["dimension"].map(position).fillna(len(position))
    ).sort_values(["_order", "dimension"])
    dimensions = [
        {
            "code": row["dimension"],
            "label": dimension_label.get(row["dimension"], row["dimension"]),
            "scope": row["scope"],
            "scope_label": scope_labels[row["scope"]],
            "n": int(row["n_respondents"]),
            "score": number(row["score"]),
            "rate": number(row["rate"]),
            "item_nonresponse": number(row["item_nonresponse"]),
            "unreliable": bool(row["unreliable"]),
        }
        for row in by_dimension.to_dict("records")
    ]

    districts = [
        {"code": row["district"], "name": place_name(row["district"]), **scope_columns(row)}
        for row in tables["by_district"].to_dict("records")
    ]
    streets = [
        {
            "code": row["street"],
            "name": place_name(row["street"]),
            "district": place_name(row["district"]),
            **scope_columns(row),
        }
        for row in tables["by_street"].to_dict("records")
    ]

    heat_table = tables["by_district_dimension"].set_index(["district", "dimension"])
    heat = {
        "dimensions": [{"code": d["code"], "label": d["label"]} for d in dimensions],
        "rows": [
            {
                "name": district["name"],
                "cells": [heat_cell(heat_table, district["code"], d["code"]) for d in dimensions],
            }
            for district in districts
        ],
    }

    by_name = sorted(streets, key=lambda s: (s["district"], s["name"]))
    short_streets = lowest(
        pd.DataFrame(by_name, columns=["name", "district", "satisfaction_score", "unreliable"]),
        score="satisfaction_score",
        n=SHORT_BOARD_SIZE,
    )
    short_dimensions = lowest(
        pd.DataFrame(dimensions, columns=["label", "score", "unreliable"]), n=SHORT_BOARD_SIZE
    )

    return {
        "wave": {
            "id": wave.pk,
            "name": wave.name,
            "client": wave.client,
            "generated_on": generated_on.isoformat(),
        },
        "n_interviews": int(tables["n_interviews"]),
        "min_respondents": MIN_RESPONDENTS,
        "headline": {
            "satisfaction_score": headline(SATISFACTION, "score"),
            "satisfaction_rate": headline(SATISFACTION, "rate"),
            "satisfaction_unreliable": headline_flag(SATISFACTION),
            "safety_score": headline(SAFETY, "score"),
            "safety_rate": headline(SAFETY, "rate"),
            "safety_unreliable": headline_flag(SAFETY),
            "n_interviews": int(tables["n_interviews"]),
        },
        "dimensions": dimensions,
        "districts": districts,
        "streets": streets,
        "heat": heat,
        "short_board": {
            "dimensions": [
                {"label": r["label"], "score": number(r["score"]), "unreliable": r["unreliable"]}
                for r in short_dimensions.to_dict("records")
            ],
            "streets": [
                {
                    "name": r["name"],
                    "district": r["district"],
                    "score": r["satisfaction_score"],
                    "unreliable": r["unreliable"],
                }
                for r in short_streets.to_dict("records")
            ],
        },
        "labels": report_labels(),
    }


def scope_columns(row: dict) -> dict:
    """The satisfaction/safety columns of one scope_table row, rounded."""
    rank = row.get("rank")
    return {
        "n": int(row["n_interviews"]),
        "satisfaction_score": number(row["satisfaction_score"]),
        "satisfaction_rate": number(row["satisfaction_rate"]),
        "safety_score": number(row["safety_score"]),
        "safety_rate": number(row["safety_rate"]),
        "rank": None if rank is None or pd.isna(rank) else int(rank),
        "unreliable": bool(row["unreliable"]),
    }


def heat_cell(table: pd.DataFrame, district: str, dimension: str) -> dict:
    if (district, dimension) not in table.index:
        return {"score": None, "unreliable": True}
    row = table.loc[(district, dimension)]
    return {"score": number(row["score"]), "unreliable": bool(row["unreliable"])}


def number(value: object) -> float | None:
    """Round to one decimal; NaN/None → None."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, 1)


def localized(label: dict | str | None, lang: str) -> str:
    """A questionnaire label in `lang` ("zh" or "en"), else its first language."""
    if not label:
        return ""
    if isinstance(label, str):
        return label
    return label.get(lang) or next((text for text in label.values() if text), "")


def report_labels() -> dict[str, str]:
    """Headings and captions for the PDF, in the active language (pdf.py has no Django)."""
    return {
        "title": _("Safety and satisfaction results"),
        "client": _("Client"),
        "generated_on": _("Date"),
        "headline": _("Headline figures"),
        "satisfaction_score": _("Satisfaction score"),
        "satisfaction_rate": _("Satisfaction rate"),
        "safety_score": _("Safety score"),
        "safety_rate": _("Safety rate"),
        "n_interviews": _("Approved interviews"),
        "by_dimension": _("By dimension"),
        "by_district": _("By district"),
        "by_street": _("By street"),
        "heat": _("District × dimension scores"),
        "dimension": _("Dimension"),
        "scope": _("Measure"),
        "district": _("District"),
        "street": _("Street"),
        "n": _("n"),
        "score": _("Score"),
        "rate": _("Rate (%)"),
        "item_nonresponse": _("Don't know/refused (%)"),
        "rank": _("Rank"),
        "short_board": _("Short board"),
        "lowest_dimensions": _("Lowest dimensions"),
        "lowest_streets": _("Lowest streets (satisfaction)"),
        "chart_title": _("Satisfaction score by district"),
        "chart_x": _("District"),
        "chart_y": _("Satisfaction score"),
        "unreliable_note": _("* fewer than %(n)s respondents: unreliable, read with care")
        % {"n": MIN_RESPONDENTS},
        "no_data": _("No approved interviews yet."),
    }
