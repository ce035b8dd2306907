"""The results page's filtered view as plain data: the ranking table and its bar, radar and
trend charts for the chosen level, dimension and district.

A presenter over the report dict of scoring.presenters: it picks and shapes rows and draws
charts (common.svg); scoring.results sorts and ranks the rows between `rows` and `view`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from common import svg

LEVELS = ("district", "street")


@dataclass(frozen=True)
class Choice:
    """The filters in force: `level` "district" or "street"; `dimension` a dimension code
    (None: the overall satisfaction score); `district` a district code drilled into."""

    level: str
    dimension: str | None
    district: str | None


def choose(
    report: dict, *, level: str | None, dimension: str | None, district: str | None
) -> Choice:
    """The filters asked for, with unknown values falling back to the defaults; a district
    implies level "street", and so does a district's own report (scoring.report.district),
    whose one district has nothing to rank against."""
    dimension = dimension if dimension in {d["code"] for d in report["dimensions"]} else None
    district = district if district in {d["code"] for d in report["districts"]} else None
    default = "street" if report.get("district") else "district"
    level = "street" if district else (level if level in LEVELS else default)
    return Choice(level=level, dimension=dimension, district=district)


def rows(report: dict, choice: Choice, link: Callable[[dict], str]) -> list[dict]:
    """The places shown, in report order, each {"code", "name", "district", "n", "score",
    "low", "high", "unreliable", "href", "rank_low", "rank_high" (the rank interval of
    the unfiltered ranking), "previous_rank", "rank_change", "change",
    "change_significant"}. `link(params)` builds a URL to the same page with `params`
    changed (the drill-down from a district to its streets)."""
    cells = report.get("locality_dimension", {}).get(choice.level, {})
    source = report["districts"] if choice.level == "district" else report["streets"]
    if choice.district:
        source = [s for s in source if s.get("district_code") == choice.district]
    # the change of city-wide rank, meaningful only for the unfiltered ranking
    filtered = bool(choice.dimension or choice.district)
    out = []
    for place in source:
        if choice.dimension:
            cell = cells.get(place["code"], {}).get(choice.dimension, {})
            score, n = cell.get("score"), cell.get("n", 0)
            unreliable = cell.get("unreliable", True)
            low, high = cell.get("ci_low"), cell.get("ci_high")
        else:
            score, n, unreliable = place["satisfaction_score"], place["n"], place["unreliable"]
            low, high = place.get("satisfaction_ci_low"), place.get("satisfaction_ci_high")
        out.append(
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
                if choice.level == "district"
                else None,
                "rank_low": None if filtered else place.get("rank_low"),
                "rank_high": None if filtered else place.get("rank_high"),
                "previous_rank": None if filtered else place.get("previous_rank"),
                "rank_change": None if filtered else place.get("rank_change"),
                "change": None if filtered else place.get("change"),
                "change_significant": not filtered and place.get("change_significant", False),
            }
        )
    return out


def view(report: dict, choice: Choice, ranked: list[dict]) -> dict:
    """What the results page shows: {"level", "dimension", "district", "district_name",
    "measure", "rows", "bars_svg", "radar_svg", "radar_series", "trend_svg",
    "dimension_options", "district_options"}. `ranked` are `rows` sorted by score, highest
    first, each with its rank among the rows shown."""
    districts = {d["code"]: d for d in report["districts"]}
    measure = (
        next(d["label"] for d in report["dimensions"] if d["code"] == choice.dimension)
        if choice.dimension
        else _("Satisfaction score")
    )
    where = districts[choice.district]["name"] if choice.district else ""
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
        for row in ranked
    ]
    radar_series = _radar_series(report, choice)
    return {
        "trend_svg": _trend_svg(report, choice),
        "level": choice.level,
        "dimension": choice.dimension,
        "district": choice.district,
        "district_name": where,
        "measure": measure,
        "rows": ranked,
        "bars_svg": svg.bar_chart(bars, title=title),
        "radar_svg": svg.radar_chart(
            [d["label"] for d in report["dimensions"]],
            radar_series,
            title=_("Scores by dimension"),
        ),
        "radar_series": [s.name for s in radar_series],
        "dimension_options": [
            {"code": d["code"], "label": d["label"]} for d in report["dimensions"]
        ],
        "district_options": [{"code": d["code"], "name": d["name"]} for d in report["districts"]],
    }


def _radar_series(report: dict, choice: Choice) -> list[svg.Series]:
    """The overall dimension scores, and the chosen district's beside them."""
    series = [svg.Series(_("Overall"), [d["score"] for d in report["dimensions"]])]
    if choice.district:
        name = next(d["name"] for d in report["districts"] if d["code"] == choice.district)
        own = report.get("locality_dimension", {}).get("district", {}).get(choice.district, {})
        series.append(
            svg.Series(name, [own.get(d["code"], {}).get("score") for d in report["dimensions"]])
        )
    return series


def _trend_svg(report: dict, choice: Choice) -> str:
    """The chosen dimension (or satisfaction and safety) across the rounds; "" with one."""
    history = report.get("trend")
    if not history or len(history["waves"]) <= 1:
        return ""
    if choice.dimension:
        code = next(d for d in history["dimensions"] if d["code"] == choice.dimension)
        lines = [svg.Series(code["label"], code["scores"])]
    else:
        lines = [
            svg.Series(_("Satisfaction score"), history["satisfaction"]),
            svg.Series(_("Safety score"), history["safety"]),
        ]
    return svg.line_chart(history["waves"], lines, title=_("Trend across rounds"))
