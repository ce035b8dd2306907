"""Scoring results as plain dicts and lists, for the results page and the PDF report.

Numbers are rounded to one decimal; NaN becomes None ("—" on the page). Labels follow the
active language: Chinese when it starts with "zh", else English; questionnaire labels
(dimensions) come from the definition, UI strings from the translation catalogue.
"""

import math
from collections.abc import Callable
from datetime import date

import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import svg
from common.i18n import ui_language_code
from common.labels import localized
from fieldwork.models import Wave
from qc.models import Review, ReviewEvent
from sampling.models import AreaType
from scoring import compare, selectors
from scoring.loaders import AnswerError, AnswersMeta
from scoring.score_tables import (
    MIN_RESPONDENTS,
    SAFETY,
    SATISFACTION,
    domain_scores,
    lowest,
    scope_table,
    summarize,
)
from scoring.weighting import weighted_answers

SHORT_BOARD_SIZE = 3
RESULTS_CACHE_SECONDS = 600


def cached_results(wave: Wave) -> dict:
    """scoring.presenters.wave_results(wave), computed once per state of the wave's reviews
    and language: any review transition (approve, reject, …) makes a new key, so a reader
    never sees results that leave out a decision already taken."""
    approved = Review.objects.filter(
        interview__case__wave=wave, state=Review.State.APPROVED
    ).aggregate(n=Count("id"), last=Max("id"))
    last_event = ReviewEvent.objects.filter(review__interview__case__wave=wave).aggregate(
        last=Max("id")
    )["last"]
    key = ":".join(
        str(part)
        for part in (
            "scoring:results",
            wave.pk,
            wave.questionnaire_version_id,
            approved["n"],
            approved["last"],
            last_event,
            ui_language_code(),
        )
    )
    report = cache.get(key)
    if report is None:
        report = wave_results(wave)
        cache.set(key, report, RESULTS_CACHE_SECONDS)
    return report


def wave_results(wave: Wave) -> dict:
    """Everything the results page and the report show for `wave`: `present_results`' dict
    plus "groups" (profiles by age group, sex, hukou, area type), "trend" (this and earlier
    rounds of the same client and questionnaire), rank changes against the previous round
    on every district and street, and "methodology"."""
    long, meta, weighting_report = weighted_answers(wave=wave)
    tables = summarize(long)
    tables["by_street_dimension"] = domain_scores(long, ["street", "dimension"])
    language = ui_language_code()
    report = present_results(
        wave=wave,
        tables=tables,
        meta=meta,
        language=language,
        generated_on=timezone.localdate(),
    )
    groups = selectors.respondent_groups(wave, meta.definition, language)
    report["groups"] = group_profiles(long, groups)
    history = []
    for earlier in selectors.previous_waves(wave):
        try:
            # weighted the same way as this round, so a change is not a change of method
            history.append((earlier, summarize(weighted_answers(wave=earlier)[0])))
        except AnswerError:
            continue  # an earlier round that cannot be scored is left out of the trend
    report["trend"] = trend(report, history, meta, language)
    if history:
        previous_wave, previous = history[-1]
        report["previous_wave"] = previous_wave.name
        _add_rank_change(
            report["districts"], tables["by_district"], previous["by_district"], "district"
        )
        _add_rank_change(
            report["streets"], tables["by_street"], previous["by_street"], ["district", "street"]
        )
    else:
        report["previous_wave"] = None
    report["methodology"] = selectors.methodology(wave)
    report["methodology"]["weighting"] = weighting_lines(weighting_report)
    report["methodology_lines"] = methodology_lines(report)
    return report


GROUP_LABELS = {
    "age_group": gettext_lazy("Age group"),
    "sex": gettext_lazy("Sex"),
    "hukou": gettext_lazy("Household registration"),
    "area_type": gettext_lazy("Area type"),
}


def group_profiles(long: pd.DataFrame, groups: pd.DataFrame) -> list[dict]:
    """Satisfaction and safety by each respondent group, one row per (group, value):
    {"group", "group_label", "value", "n", "satisfaction_score", ..., "unreliable"}."""
    if long.empty:
        return []
    data = long.merge(groups, on="interview_id", how="left") if not groups.empty else long
    # plain str labels: lazy translation objects would be hashed (translated) on every row
    area_types = {code: str(label) for code, label in AreaType.choices}
    data = data.assign(area_type=data["area_type"].map(area_types))
    rows = []
    for group in [c for c in GROUP_LABELS if c in data.columns]:
        if data[group].isna().all():
            continue
        table = scope_table(data, [group])
        for row in table.to_dict("records"):
            rows.append(
                {
                    "group": group,
                    "group_label": str(GROUP_LABELS[group]),
                    "value": str(row[group]),
                    **scope_columns(row),
                }
            )
    return rows


def trend(report: dict, history: list, meta: AnswersMeta, language: str) -> dict:
    """Overall and per-dimension scores across the rounds, oldest first, ending with this
    one: {"waves": [name, ...], "satisfaction": [...], "safety": [...],
    "dimensions": [{"code", "label", "scores": [...]}]}."""
    waves = [earlier.name for earlier, _tables in history] + [report["wave"]["name"]]
    satisfaction, safety = [], []
    per_dimension: dict[str, list] = {d["code"]: [] for d in report["dimensions"]}
    for _earlier, tables in history:
        overall = tables["overall"].set_index("scope")["score"]
        satisfaction.append(number(overall.get(SATISFACTION)))
        safety.append(number(overall.get(SAFETY)))
        dims = tables["by_dimension"].set_index("dimension")["score"]
        for code, scores in per_dimension.items():
            scores.append(number(dims.get(code)))
    satisfaction.append(report["headline"]["satisfaction_score"])
    safety.append(report["headline"]["safety_score"])
    for d in report["dimensions"]:
        per_dimension[d["code"]].append(d["score"])
    return {
        "waves": waves,
        "satisfaction": satisfaction,
        "safety": safety,
        "dimensions": [
            {"code": d["code"], "label": d["label"], "scores": per_dimension[d["code"]]}
            for d in report["dimensions"]
        ],
    }


def _add_rank_change(
    rows: list[dict], current: pd.DataFrame, previous: pd.DataFrame, key: str | list[str]
):
    """Set previous_rank, previous_score, rank_change (places moved up; negative: down),
    change (score points) and whether the change is significant (two-sample z test at 5%,
    the rounds being independent samples) on each row, matched by locality code."""
    se = "satisfaction_se" if "satisfaction_se" in current.columns else None
    changes = compare.rank_change(
        current, previous, key=key, score="satisfaction_score", se=se
    ).set_index(key)
    for row in rows:
        # a street row is matched on (district, street): a respondent may name a street under
        # another district than the one it lies in, and each pair is its own domain
        code = (row["district_code"], row["code"]) if isinstance(key, list) else row["code"]
        change = changes.loc[code] if code in changes.index else None
        if change is None:
            row.update(previous_rank=None, previous_score=None, rank_change=None, change=None)
            row.update(change_p=None, change_significant=False)
            continue
        row["previous_rank"] = (
            None if pd.isna(change["previous_rank"]) else int(change["previous_rank"])
        )
        row["previous_score"] = number(change["previous_score"])
        row["rank_change"] = None if pd.isna(change["rank_change"]) else int(change["rank_change"])
        row["change"] = number(change["change"])
        row["change_p"] = None if pd.isna(change["p"]) else round(float(change["p"]), 4)
        row["change_significant"] = (
            bool(change["significant"]) if pd.notna(change["significant"]) else False
        )


def present_results(
    *, wave: Wave, tables: dict, meta: AnswersMeta, language: str, generated_on: date
) -> dict:
    """Turn `scoring.score_tables.summarize` output into plain data.

    Returns {"wave", "n_interviews", "min_respondents", "headline", "dimensions",
    "districts", "streets", "heat", "short_board", "labels"}: dicts/lists of str, int, float
    (1 decimal) or None, and bool `unreliable` flags wherever an estimate has fewer than
    `min_respondents` respondents.
    """
    dimension_label = {code: localized(label, language) for code, label in meta.dimensions.items()}
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
            "se": number(row.get("se")),
            "ci_low": number(row.get("ci_low")),
            "ci_high": number(row.get("ci_high")),
            "n_eff": number(row.get("n_eff")),
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
            "district_code": row["district"],
            **scope_columns(row),
        }
        for row in tables["by_street"].to_dict("records")
    ]

    locality_dimension = {
        "district": _cells(tables["by_district_dimension"], "district"),
        "street": _cells(tables.get("by_street_dimension"), "street"),
    }
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
        "locality_dimension": locality_dimension,
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
        **{
            f"{scope}_{column}": number(row.get(f"{scope}_{column}"))
            for scope in (SATISFACTION, SAFETY)
            for column in ("se", "ci_low", "ci_high", "n_eff")
        },
    }


def _cells(table: pd.DataFrame | None, level: str) -> dict[str, dict[str, dict]]:
    """{locality code: {dimension code: {"score", "n", "unreliable"}}} from a domain_scores
    table by [level, "dimension"]."""
    out: dict[str, dict[str, dict]] = {}
    if table is None:
        return out
    for row in table.to_dict("records"):
        out.setdefault(row[level], {})[row["dimension"]] = {
            "score": number(row["score"]),
            "n": int(row["n_respondents"]),
            "unreliable": bool(row["unreliable"]),
            "ci_low": number(row.get("ci_low")),
            "ci_high": number(row.get("ci_high")),
        }
    return out


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
        "key_figures": _("Key figures"),
        "radar_title": _("Scores by dimension"),
        "ranking_title": _("District ranking (satisfaction score and its interval at 95%)"),
        "previous_rank": _("Previous rank"),
        "rank_change": _("Rank change"),
        "score_change": _("Score change"),
        "trend_title": _("Trend across rounds"),
        "groups_title": _("By respondent group"),
        "group": _("Group"),
        "value": _("Value"),
        "methodology": _("Methodology"),
        "item": _("Item"),
        "overall": _("Overall"),
    }


def report_tables(report: dict) -> list[dict]:
    """Every table of the report as {"key", "title", "columns", "rows"} for XLSX/CSV export
    (scoring.xlsx). Cells are str, int, float (one decimal) or None; "yes" marks unreliable."""
    labels = report["labels"]
    unreliable = _("Unreliable")

    def flag(value: bool) -> str:
        return _("yes") if value else ""

    head = report["headline"]
    tables = [
        {
            "key": "headline",
            "title": labels["headline"],
            "columns": [labels["scope"], _("Value"), unreliable],
            "rows": [
                [
                    labels["satisfaction_score"],
                    head["satisfaction_score"],
                    flag(head["satisfaction_unreliable"]),
                ],
                [
                    labels["satisfaction_rate"],
                    head["satisfaction_rate"],
                    flag(head["satisfaction_unreliable"]),
                ],
                [labels["safety_score"], head["safety_score"], flag(head["safety_unreliable"])],
                [labels["safety_rate"], head["safety_rate"], flag(head["safety_unreliable"])],
                [labels["n_interviews"], head["n_interviews"], ""],
            ],
        },
        {
            "key": "dimensions",
            "title": labels["by_dimension"],
            "columns": [
                _("Code"),
                labels["dimension"],
                labels["scope"],
                labels["n"],
                labels["score"],
                labels["rate"],
                labels["item_nonresponse"],
                unreliable,
            ],
            "rows": [
                [
                    d["code"],
                    d["label"],
                    d["scope_label"],
                    d["n"],
                    d["score"],
                    d["rate"],
                    d["item_nonresponse"],
                    flag(d["unreliable"]),
                ]
                for d in report["dimensions"]
            ],
        },
    ]
    scope_columns_ = [
        labels["n"],
        labels["satisfaction_score"],
        labels["satisfaction_rate"],
        labels["safety_score"],
        labels["safety_rate"],
        labels["rank"],
    ]

    def scope_cells(row: dict) -> list:
        return [
            row["n"],
            row["satisfaction_score"],
            row["satisfaction_rate"],
            row["safety_score"],
            row["safety_rate"],
            row["rank"],
        ]

    change_columns = [_("Previous rank"), _("Rank change"), _("Score change")]

    def change_cells(row: dict) -> list:
        return [row.get("previous_rank"), row.get("rank_change"), row.get("change")]

    tables.append(
        {
            "key": "districts",
            "title": labels["by_district"],
            "columns": [
                _("Code"),
                labels["district"],
                *scope_columns_,
                *change_columns,
                unreliable,
            ],
            "rows": [
                [d["code"], d["name"], *scope_cells(d), *change_cells(d), flag(d["unreliable"])]
                for d in report["districts"]
            ],
        }
    )
    tables.append(
        {
            "key": "streets",
            "title": labels["by_street"],
            "columns": [
                labels["district"],
                _("Code"),
                labels["street"],
                *scope_columns_,
                *change_columns,
                unreliable,
            ],
            "rows": [
                [
                    s["district"],
                    s["code"],
                    s["name"],
                    *scope_cells(s),
                    *change_cells(s),
                    flag(s["unreliable"]),
                ]
                for s in report["streets"]
            ],
        }
    )
    heat = report["heat"]
    tables.append(
        {
            "key": "heat",
            "title": labels["heat"],
            "columns": [labels["district"], *[d["label"] for d in heat["dimensions"]]],
            "rows": [[row["name"], *[c["score"] for c in row["cells"]]] for row in heat["rows"]],
        }
    )
    board = report["short_board"]
    tables.append(
        {
            "key": "short_board",
            "title": labels["short_board"],
            "columns": [_("List"), _("Name"), labels["score"], unreliable],
            "rows": [
                [labels["lowest_dimensions"], d["label"], d["score"], flag(d["unreliable"])]
                for d in board["dimensions"]
            ]
            + [
                [
                    labels["lowest_streets"],
                    f"{s['district']} {s['name']}",
                    s["score"],
                    flag(s["unreliable"]),
                ]
                for s in board["streets"]
            ],
        }
    )
    if report.get("groups"):
        tables.append(
            {
                "key": "groups",
                "title": _("By respondent group"),
                "columns": [_("Group"), _("Value"), *scope_columns_[:-1], unreliable],
                "rows": [
                    [g["group_label"], g["value"], *scope_cells(g)[:-1], flag(g["unreliable"])]
                    for g in report["groups"]
                ],
            }
        )
    history = report.get("trend")
    if history:
        tables.append(
            {
                "key": "trend",
                "title": _("Trend across rounds"),
                "columns": [
                    _("Wave"),
                    labels["satisfaction_score"],
                    labels["safety_score"],
                    *[d["label"] for d in history["dimensions"]],
                ],
                "rows": [
                    [
                        name,
                        history["satisfaction"][i],
                        history["safety"][i],
                        *[d["scores"][i] for d in history["dimensions"]],
                    ]
                    for i, name in enumerate(history["waves"])
                ],
            }
        )
    if report.get("methodology_lines"):
        tables.append(
            {
                "key": "methodology",
                "title": _("Methodology"),
                "columns": [_("Item"), _("Value")],
                "rows": [[item, value] for item, value in report["methodology_lines"]],
            }
        )
    return tables


def methodology_lines(report: dict) -> list[tuple[str, object]]:
    """The methodology appendix as (item, value) pairs, in reading order."""
    method = report.get("methodology") or {}
    lines: list[tuple[str, object]] = []
    draw = method.get("draw")
    if draw:
        lines += [
            (_("Sample"), draw["name"]),
            (_("Frame size"), draw["frame_rows"]),
            (_("Sample size"), draw["n_total"]),
            (_("Strata"), f"{draw['strata']} ({draw['n_strata']})"),
            (_("Allocation"), str(draw["allocation"])),
            (_("Selection"), draw["design"]),
            (_("Random seed"), draw["seed"]),
        ]
    rates = method.get("rates")
    if rates:
        for key, label in (
            ("RR3", _("Response rate (AAPOR RR3)")),
            ("COOP3", _("Cooperation rate (AAPOR COOP3)")),
            ("REF2", _("Refusal rate (AAPOR REF2)")),
            ("CON2", _("Contact rate (AAPOR CON2)")),
        ):
            value = rates.get(key)
            lines.append((label, None if value is None else round(100 * value, 1)))
        lines.append((_("Completed interviews (I)"), int(rates.get("I") or 0)))
    reviews = method.get("reviews") or {}
    if reviews:
        lines.append((_("Interviews reviewed"), sum(reviews.values())))
        names = dict(Review.State.choices)
        for state, n in sorted(reviews.items()):
            name = names.get(state, state)
            lines.append((_("Review outcome: %(state)s") % {"state": name}, n))
    for rule, n in method.get("flags") or []:
        lines.append((_("Flags raised: %(rule)s") % {"rule": rule}, n))
    lines += method.get("weighting") or []
    lines.append((_("Approved interviews scored"), report["n_interviews"]))
    return lines


def weighting_lines(report: dict) -> list[tuple[str, object]]:
    """The weighting report of scoring.weighting as (item, value) pairs."""
    if not report.get("final"):
        return []
    design, final = report["design"], report["final"]
    margins = ", ".join(report.get("margins") or []) or _("none (design weights only)")
    lines: list[tuple[str, object]] = [
        (_("Weighting: raked to"), margins),
        (_("Weighting: weights trimmed"), report.get("trimmed", 0)),
        (_("Weighting: largest/smallest weight"), round(final["ratio"], 2)),
        (_("Weighting: design effect (Kish), design weights"), round(design["kish_deff"], 3)),
        (_("Weighting: design effect (Kish), final weights"), round(final["kish_deff"], 3)),
        (_("Weighting: effective sample size"), round(final["n_eff"], 1)),
    ]
    lines += [(_("Weighting: note"), note) for note in report.get("skipped") or []]
    return lines


LEVELS = ("district", "street")


def dashboard(
    report: dict,
    *,
    level: str | None,
    dimension: str | None,
    district: str | None,
    link: Callable[[dict], str],
) -> dict:
    """What the results page shows for the chosen filters.

    `level` is "district" or "street"; `dimension` a dimension code (None: the overall
    satisfaction score); `district` a district code to drill into (implies level "street").
    Unknown values fall back to the defaults. `link(params)` builds a URL to the same page with
    `params` changed. Returns {"level", "dimension", "district", "district_name", "rows",
    "bars_svg", "radar_svg", "dimension_options", "district_options"}; rows are sorted by
    score, highest first, each {"code", "name", "district", "n", "score", "low", "high",
    "rank", "unreliable", "href"}, ranked among the rows shown.
    """
    dimensions = {d["code"]: d for d in report["dimensions"]}
    districts = {d["code"]: d for d in report["districts"]}
    dimension = dimension if dimension in dimensions else None
    district = district if district in districts else None
    level = "street" if district else (level if level in LEVELS else "district")
    cells = report.get("locality_dimension", {}).get(level, {})

    source = report["districts"] if level == "district" else report["streets"]
    if district:
        source = [s for s in source if s.get("district_code") == district]
    rows = []
    for place in source:
        if dimension:
            cell = cells.get(place["code"], {}).get(dimension, {})
            score, n = cell.get("score"), cell.get("n", 0)
            unreliable = cell.get("unreliable", True)
            low, high = cell.get("ci_low"), cell.get("ci_high")
        else:
            score, n, unreliable = place["satisfaction_score"], place["n"], place["unreliable"]
            low, high = place.get("satisfaction_ci_low"), place.get("satisfaction_ci_high")
        rows.append(
            {
                "code": place["code"],
                "name": place["name"],
                "district": place.get("district", ""),
                "n": n,
                "score": score,
                "low": low,
                "high": high,
                "unreliable": unreliable,
                "href": link({"district": place["code"], "level": "street"})
                if level == "district"
                else None,
                # the change of city-wide rank, meaningful only for the unfiltered ranking
                "previous_rank": None if dimension or district else place.get("previous_rank"),
                "rank_change": None if dimension or district else place.get("rank_change"),
                "change": None if dimension or district else place.get("change"),
                "change_significant": not (dimension or district)
                and place.get("change_significant", False),
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0.0), r["name"]))
    for row in rows:  # competition ranking: ties share the best rank
        row["rank"] = (
            None
            if row["score"] is None
            else 1 + sum(1 for o in rows if o["score"] is not None and o["score"] > row["score"])
        )

    measure = dimensions[dimension]["label"] if dimension else _("Satisfaction score")
    where = districts[district]["name"] if district else ""
    title = " · ".join(part for part in (where, measure) if part)
    bars = [
        svg.Bar(
            label=row["name"],
            value=row["score"],
            low=row["low"],
            high=row["high"],
            unreliable=row["unreliable"],
            href=row["href"],
        )
        for row in rows
    ]
    radar_labels = [d["label"] for d in report["dimensions"]]
    radar_series = [
        svg.Series(_("Overall"), [d["score"] for d in report["dimensions"]]),
    ]
    if district:
        own = report.get("locality_dimension", {}).get("district", {}).get(district, {})
        radar_series.append(
            svg.Series(
                districts[district]["name"],
                [own.get(d["code"], {}).get("score") for d in report["dimensions"]],
            )
        )
    history = report.get("trend")
    trend_svg = ""
    if history and len(history["waves"]) > 1:
        if dimension:
            code = next(d for d in history["dimensions"] if d["code"] == dimension)
            lines = [svg.Series(code["label"], code["scores"])]
        else:
            lines = [
                svg.Series(_("Satisfaction score"), history["satisfaction"]),
                svg.Series(_("Safety score"), history["safety"]),
            ]
        trend_svg = svg.line_chart(history["waves"], lines, title=_("Trend across rounds"))
    return {
        "trend_svg": trend_svg,
        "level": level,
        "dimension": dimension,
        "district": district,
        "district_name": where,
        "measure": measure,
        "rows": rows,
        "bars_svg": svg.bar_chart(bars, title=title),
        "radar_svg": svg.radar_chart(radar_labels, radar_series, title=_("Scores by dimension")),
        "radar_series": [s.name for s in radar_series],
        "dimension_options": [
            {"code": d["code"], "label": d["label"]} for d in report["dimensions"]
        ],
        "district_options": [{"code": d["code"], "name": d["name"]} for d in report["districts"]],
    }
