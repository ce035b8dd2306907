"""Scoring results as plain dicts and lists, for the results page, the PDF and the XLSX.

The numbers arrive computed (scoring.results runs the estimation, ranking and caching);
this module only shapes them. Numbers are rounded to one decimal; NaN becomes None ("—" on
the page). Labels follow the active language: Chinese when it starts with "zh", else
English; questionnaire labels (dimensions) come from the definition, UI strings from the
translation catalogue.
"""

import math
from datetime import date, datetime

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.labels import localized
from fieldwork.models import Wave
from scoring.loaders import AnswersMeta
from scoring.measures import MIN_RESPONDENTS, SAFETY, SATISFACTION

GROUP_LABELS = {
    "age_group": gettext_lazy("Age group"),
    "sex": gettext_lazy("Sex"),
    "hukou": gettext_lazy("Household registration"),
    "area_type": gettext_lazy("Area type"),
}


def number(value: object) -> float | None:
    """Round to one decimal; NaN/None → None."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, 1)


def present_results(
    *, wave: Wave, tables: dict, meta: AnswersMeta, language: str, generated_on: date
) -> dict:
    """Turn `scoring.score_tables.summarize` output into plain data.

    Returns {"wave", "n_interviews", "min_respondents", "headline", "dimensions",
    "districts", "streets", "heat", "locality_dimension", "labels"}: dicts/lists of str,
    int, float (1 decimal) or None, and bool `unreliable` flags wherever an estimate has
    fewer than `min_respondents` respondents.
    """
    dimensions = dimension_rows(tables["by_dimension"], meta, language)
    districts = [
        {"code": row["district"], "name": place_name(meta, row["district"]), **scope_columns(row)}
        for row in tables["by_district"].to_dict("records")
    ]
    streets = [
        {
            "code": row["street"],
            "name": place_name(meta, row["street"]),
            "district": place_name(meta, row["district"]),
            "district_code": row["district"],
            **scope_columns(row),
            "district_rank": _whole(row.get("within_rank")),
            "district_rank_low": _whole(row.get("within_rank_low")),
            "district_rank_high": _whole(row.get("within_rank_high")),
        }
        for row in tables["by_street"].to_dict("records")
    ]
    return {
        "wave": {
            "id": wave.pk,
            "name": wave.name,
            "client": wave.client.name,
            "generated_on": generated_on.isoformat(),
        },
        "n_interviews": int(tables["n_interviews"]),
        "min_respondents": MIN_RESPONDENTS,
        "headline": headline(tables),
        "dimensions": dimensions,
        "districts": districts,
        "streets": streets,
        "heat": heat(tables["by_district_dimension"], dimensions, districts),
        "locality_dimension": {
            "district": _cells(tables["by_district_dimension"], "district"),
            "street": _cells(tables.get("by_street_dimension"), "street"),
        },
        "labels": report_labels(),
    }


def place_name(meta: AnswersMeta, code: object) -> str:
    """The name of a district or street code; "—" where the code is unknown (NaN)."""
    return meta.localities.get(code, {}).get("name", str(code)) if isinstance(code, str) else "—"


def headline(tables: dict) -> dict:
    """The overall satisfaction and safety figures of `tables["overall"]`."""
    overall = tables["overall"].set_index("scope")

    def figure(scope: str, column: str) -> float | None:
        return number(overall[column].get(scope))

    def flag(scope: str) -> bool:
        return bool(overall["unreliable"].get(scope, True))

    return {
        "satisfaction_score": figure(SATISFACTION, "score"),
        "satisfaction_rate": figure(SATISFACTION, "rate"),
        "satisfaction_unreliable": flag(SATISFACTION),
        "safety_score": figure(SAFETY, "score"),
        "safety_rate": figure(SAFETY, "rate"),
        "safety_unreliable": flag(SAFETY),
        "n_interviews": int(tables["n_interviews"]),
    }


def dimension_rows(by_dimension: pd.DataFrame, meta: AnswersMeta, language: str) -> list[dict]:
    """One dict per dimension of a domain_scores table by ["dimension"] (with `scope`), in
    questionnaire order, labelled in `language`."""
    dimension_label = {code: localized(label, language) for code, label in meta.dimensions.items()}
    position = {code: i for i, code in enumerate(meta.dimensions)}  # questionnaire order
    scope_labels = {SATISFACTION: _("Satisfaction"), SAFETY: _("Safety")}
    by_dimension = by_dimension.assign(
        _order=by_dimension["dimension"].map(position).fillna(len(position))
    ).sort_values(["_order", "dimension"])
    return [
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
        "rank_low": _whole(row.get("rank_low")),
        "rank_high": _whole(row.get("rank_high")),
        "p_bottom": None if _whole(row.get("p_bottom")) is None else round(row["p_bottom"], 3),
        "unreliable": bool(row["unreliable"]),
        **{
            f"{scope}_{column}": number(row.get(f"{scope}_{column}"))
            for scope in (SATISFACTION, SAFETY)
            for column in ("se", "ci_low", "ci_high", "n_eff", "rate_ci_low", "rate_ci_high")
        },
    }


def _whole(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def heat(by_district_dimension: pd.DataFrame, dimensions: list[dict], districts: list[dict]):
    """The district × dimension table: {"dimensions": [{"code", "label"}], "rows": [{"name",
    "cells": [{"score", "unreliable"}] in dimension order}]}."""
    # each cell read once from the table's records (not one indexed lookup per cell)
    cells = {
        (row["district"], row["dimension"]): {
            "score": number(row["score"]),
            "unreliable": bool(row["unreliable"]),
        }
        for row in by_district_dimension[["district", "dimension", "score", "unreliable"]].to_dict(
            "records"
        )
    }
    empty = {"score": None, "unreliable": True}
    return {
        "dimensions": [{"code": d["code"], "label": d["label"]} for d in dimensions],
        "rows": [
            {
                "name": district["name"],
                "cells": [
                    dict(cells.get((district["code"], d["code"]), empty)) for d in dimensions
                ],
            }
            for district in districts
        ],
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


def lowest_lists(dimensions: pd.DataFrame, streets: pd.DataFrame) -> dict:
    """The lowest dimensions and streets (scoring.compare.lowest of the presented rows) as
    {"dimensions": [{"label", "score", "unreliable"}], "streets": [{"name", "district",
    "score", "unreliable"}]}, lowest first."""
    return {
        "dimensions": [
            {"label": r["label"], "score": number(r["score"]), "unreliable": r["unreliable"]}
            for r in dimensions.to_dict("records")
        ],
        "streets": [
            {
                "name": r["name"],
                "district": r["district"],
                "score": r["satisfaction_score"],
                "unreliable": r["unreliable"],
                "rank_low": _whole(r.get("rank_low")),
                "rank_high": _whole(r.get("rank_high")),
            }
            for r in streets.to_dict("records")
        ],
    }


def group_rows(tables: list[tuple[str, pd.DataFrame]]) -> list[dict]:
    """Satisfaction and safety by respondent group, one row per (group, value), from
    (group, scope_table by [group]) pairs: {"group", "group_label", "value", "n",
    "satisfaction_score", ..., "unreliable"}."""
    return [
        {
            "group": group,
            "group_label": str(GROUP_LABELS[group]),
            "value": str(row[group]),
            **scope_columns(row),
        }
        for group, table in tables
        for row in table.to_dict("records")
    ]


def trend(report: dict, history: list[tuple[str, dict]]) -> dict:
    """Overall and per-dimension scores across the rounds, oldest first, ending with this
    one (`report`); `history` holds (wave name, summarize tables) of the earlier rounds.
    Returns {"waves": [name, ...], "satisfaction": [...], "safety": [...],
    "dimensions": [{"code", "label", "scores": [...]}]}."""
    waves = [name for name, _tables in history] + [report["wave"]["name"]]
    satisfaction, safety = [], []
    per_dimension: dict[str, list] = {d["code"]: [] for d in report["dimensions"]}
    for _name, tables in history:
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


def add_rank_changes(rows: list[dict], changes: pd.DataFrame) -> None:
    """Set previous_rank, previous_score, rank_change (places moved up; negative: down),
    change (score points), change_p and change_significant on each row from
    scoring.compare.rank_change output indexed by locality code — by (district, street) for
    street rows (a two-level index)."""
    paired = changes.index.nlevels == 2
    by_code = dict(zip(changes.index, changes.to_dict("records"), strict=True))
    for row in rows:
        # a street row is matched on (district, street): a respondent may name a street under
        # another district than the one it lies in, and each pair is its own domain
        code = (row["district_code"], row["code"]) if paired else row["code"]
        change = by_code.get(code)
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


def district_labels() -> dict[str, str]:
    """The captions a district's report (scoring.report.district) puts in place of the
    wave's, in the active language."""
    return {
        "title": _("Safety and satisfaction results: district report"),
        "standing": _(
            "Rank among the %(n)s ranked districts: %(rank)s (the rank and its 95%% "
            "interval). Satisfaction score over all districts: %(city)s."
        ),
        "streets_chart": _("Streets of the district: satisfaction score and its interval at 95%"),
        "by_district": _("The district among the districts (rank and its interval at 95%)"),
        "by_street": _("Streets of the district, ranked within the district (interval at 95%)"),
        "heat": _("Street × dimension scores"),
        "heat_rows": _("Street"),
        "by_dimension": _("The district by dimension"),
        "lowest_streets": _(
            "Lowest estimates: streets of the district (satisfaction), rank interval in the "
            "district"
        ),
    }


def measure_labels(dimensions: list[dict]) -> dict[str, str]:
    """{measure: its name} for the measures a target can be set on (scoring.targets)."""
    labels = {
        "satisfaction_score": _("Satisfaction score"),
        "satisfaction_rate": _("Satisfaction rate"),
        "safety_score": _("Safety score"),
        "safety_rate": _("Safety rate"),
    }
    for d in dimensions:
        labels[f"dimension:{d['code']}"] = _("Dimension score: %(label)s") % {"label": d["label"]}
    return labels


def interim_note(interim: dict | None) -> str:
    """The "interim results" sentence with its counts; "" when the results are final."""
    if not interim:
        return ""
    return (
        _(
            "Interim results: %(open_cases)s cases still in fieldwork and %(undecided)s "
            "interviews awaiting a final review decision; figures will change."
        )
        % interim
    )


def report_labels() -> dict[str, str]:
    """Headings, captions and column names for the PDF and the export tables, in the active
    language (scoring.report has no Django)."""
    return {
        "title": _("Safety and satisfaction results"),
        "interim": _("Interim results"),
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
        "rank_interval": _("Rank interval (95%)"),
        "rank_interval_pdf": _("Rank (interval, 95%)"),
        # the page and the report have always headed the lowest-three lists 短板
        "lowest": _("Short board"),
        "lowest_dimensions": _("Lowest dimensions"),
        "lowest_streets": _("Lowest estimates: streets (satisfaction), rank interval"),
        "below_overall": _(
            "Significantly below the overall (streets, satisfaction; Benjamini–Hochberg, gap and q)"
        ),
        "below_target": _("Below target"),
        "no_target": _("No satisfaction target is set for this wave."),
        "target": _("Target"),
        "significantly_below_target": _("significantly below target (its interval at 95% too)"),
        "estimate_below_target": _("estimate below target (the interval reaches it)"),
        "none_below_target": _("None below target."),
        "chart_title": _("Satisfaction score by district"),
        "chart_x": _("District"),
        "chart_y": _("Satisfaction score"),
        "unreliable_note": _(
            "* fewer than %(n)s respondents, or an effective sample size below %(n)s: "
            "unreliable, read with care"
        )
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
        "code": _("Code"),
        "name": _("Name"),
        "list": _("List"),
        "wave": _("Wave"),
        "unreliable": _("Unreliable"),
        "yes": _("yes"),
        **_stratum_labels(),
    }


def _stratum_labels() -> dict[str, str]:
    """The per-stratum fieldwork and weights table's caption and columns, and the results
    status column."""
    return {
        "by_stratum": _("Fieldwork and weights by stratum"),
        "status": _("Results status"),
        "final": _("Final results"),
        "stratum": _("Stratum"),
        "drawn": _("Units drawn"),
        "released": _("Units released"),
        "attempted": _("Attempted"),
        "interviewed": _("Interviewed"),
        "approved": _("Approved"),
        "ineligible": _("Known ineligible"),
        "unknown": _("Eligibility unknown"),
        "response_rate": _("Response rate (% approved of estimated eligible)"),
        "nr_weight": _("Nonresponse-adjusted weight"),
        "nr_weight_min": _("Nonresponse-adjusted weight, smallest"),
        "nr_weight_max": _("Nonresponse-adjusted weight, largest"),
    }


def cause_lines(cause: dict) -> list[dict]:
    """An automatic draft's cause (scoring.edition_causes) as lines for the editions page:
    {"text", "interview" (its id for a link to its review, or None), "at" (a datetime or
    None)}, the review decisions newest first, then the weighting, targets or other change."""
    from qc.models import Review  # the state names only

    states = dict(Review.State.choices)
    lines = []
    for decision in cause.get("decisions", []):
        text = _("Interview #%(id)s: %(before)s → %(after)s, by %(who)s") % {
            "id": decision["interview"],
            "before": states.get(decision["from"], _("new")),
            "after": states.get(decision["to"], _("new")),
            "who": decision["by_name"] or _("the automatic checks"),
        }
        lines.append({"text": text, "interview": decision["interview"], "at": decision["at"]})
    earlier = cause.get("n_decisions", 0) - len(cause.get("decisions", []))
    if earlier > 0:
        lines.append({"text": _("and %(n)s earlier decisions") % {"n": earlier}})
    for key, label in (
        ("weighting", _("Weighting changed by %(who)s")),
        ("targets", _("Targets changed by %(who)s")),
    ):
        if cause.get(key):
            text = label % {"who": cause[key]["by_name"] or _("someone since removed")}
            lines.append({"text": text, "at": cause[key]["at"]})
    if cause.get("other"):
        lines.append({"text": _("A change of the frame, the released reserves or the localities")})
    for line in lines:
        line["at"] = datetime.fromisoformat(line["at"]) if line.get("at") else None
        line.setdefault("interview", None)
    return lines
