"""One district's report from the wave's results: what a district sub-client reads. Pure:
plain dicts in, plain dicts out.

`district_report(report, code, labels)` takes the wave's report dict (scoring.results) and
returns a report dict of the same shape, so the page, the PDF (scoring.report.pdf) and the
workbook (scoring.report.tables) render it as they render the wave's:

- "district": {"code", "name", "rank", "rank_low", "rank_high", "n_ranked"}: its rank
  among the districts with the 95% rank interval (the wave's, from the joint draws of every
  district's score), and how many districts were ranked;
- "districts": the district's own row only (a sub-client sees no other district's figures);
- "streets": its streets, ranked among themselves: `rank`, `rank_low`, `rank_high` are the
  rank within the district and its interval (the wave's joint draws restricted to the
  district's streets; scoring.ranking.ranked_table's `within`), the city-wide rank kept as
  `city_rank`;
- "dimensions": the district's dimension scores; "heat": its streets × dimensions;
- "lowest": its short board — the lowest dimensions and streets of the district, its
  streets significantly below the overall (the wave's test, Benjamini–Hochberg across all
  streets), and below the wave's targets (scoring.targets on its own rows);
- "index": the frozen composite index kept to the district and its streets;
- "strata": the fieldwork table's rows of the district's own strata (by street or district);
- the methodology is the wave's; the groups and the trend are left out (not estimated per
  district).
"""

from scoring.targets import target_board

LOWEST_COUNT = 3


def districts_of(report: dict) -> list[tuple[str, str]]:
    """(code, name) of every district with results, in the report's order."""
    return [(d["code"], d["name"]) for d in report["districts"] if isinstance(d["code"], str)]


def district_report(report: dict, code: str, labels: dict[str, str]) -> dict:
    """The report dict of district `code` (see the module docstring); `labels` adds the
    district report's captions ("district_title", "rank_among_districts",
    "rank_in_district") to the wave's."""
    district = next(d for d in report["districts"] if d["code"] == code)
    streets = [_in_district(s) for s in report["streets"] if s.get("district_code") == code]
    dimensions = _dimensions(report, code)
    n_ranked = sum(1 for d in report["districts"] if d["rank"] is not None)
    lowest = {
        "dimensions": _lowest(dimensions, "score", "label"),
        "streets": [
            {
                "name": s["name"],
                "district": s["district"],
                "score": s["satisfaction_score"],
                "unreliable": s["unreliable"],
                "rank_low": s["rank_low"],
                "rank_high": s["rank_high"],
            }
            for s in _lowest([s for s in streets if s["rank"] is not None], "satisfaction_score")
        ],
        "below_overall": [
            row
            for row in report["lowest"].get("below_overall") or []
            if row["district"] == district["name"]
        ],
        "targets": _targets(report, streets, dimensions),
    }
    ranked_streets = [s for s in streets if s["rank"] is not None]
    lowest["n_ranked"] = len(ranked_streets)
    lowest["could_be_bottom"] = sum(
        1
        for s in ranked_streets
        if (s["rank_high"] or s["rank"]) > len(ranked_streets) - LOWEST_COUNT
    )
    head = report["headline"]
    return {
        **report,
        "wave": {**report["wave"], "name": f"{report['wave']['name']} · {district['name']}"},
        "district": {
            "code": code,
            "name": district["name"],
            "rank": district["rank"],
            "rank_low": district["rank_low"],
            "rank_high": district["rank_high"],
            "n_ranked": n_ranked,
            "city_satisfaction_score": head["satisfaction_score"],
        },
        "n_interviews": district["n"],
        "headline": {
            "satisfaction_score": district["satisfaction_score"],
            "satisfaction_rate": district["satisfaction_rate"],
            "satisfaction_unreliable": district["unreliable"],
            "safety_score": district["safety_score"],
            "safety_rate": district["safety_rate"],
            "safety_unreliable": district["unreliable"],
            "n_interviews": district["n"],
        },
        "districts": [district],
        "streets": streets,
        "dimensions": dimensions,
        "heat": _heat(report, streets, dimensions),
        "locality_dimension": _own_cells(report, code, streets),
        "groups": [],
        "trend": None,
        "lowest": lowest,
        "strata": _strata(report, code, streets),
        "index": _index(report.get("index") or {}, code, streets),
        "labels": {**report["labels"], **labels},
    }


def _own_cells(report: dict, code: str, streets: list[dict]) -> dict:
    """The dimension cells of the district and its streets only: the part is the district's
    to read, not the other districts'."""
    cells = report.get("locality_dimension", {})
    districts, all_streets = cells.get("district", {}), cells.get("street", {})
    return {
        "district": {code: districts[code]} if code in districts else {},
        "street": {s["code"]: all_streets[s["code"]] for s in streets if s["code"] in all_streets},
    }


def _index(index: dict, code: str, streets: list[dict]) -> dict:
    """The frozen index (scoring.editions.index_parts) kept to the district and its
    streets."""
    own = {"district": {code}, "street": {s["code"] for s in streets}}
    kept = {}
    for level, part in index.items():
        if "rows" not in part:
            kept[level] = part
            continue
        places = own.get(level, set())
        kept[level] = {
            **part,
            "rows": [row for row in part["rows"] if row["code"] in places],
            "short_boards": [row for row in part["short_boards"] if row["code"] in places],
        }
    return kept


def _strata(report: dict, code: str, streets: list[dict]) -> list[dict]:
    """The fieldwork table's strata that are the district or its streets (none of another
    district's; none when the draw was stratified otherwise)."""
    own = {code, *(s["code"] for s in streets)}
    return [row for row in report.get("strata") or [] if row.get("code") in own]


def _in_district(street: dict) -> dict:
    """The street row with its rank among the district's streets in place of the city's;
    the city-wide rank change is left out (it would read as a change of the rank shown)."""
    return {
        **street,
        "city_rank": street.get("rank"),
        "rank": street.get("district_rank"),
        "rank_low": street.get("district_rank_low"),
        "rank_high": street.get("district_rank_high"),
        "previous_rank": None,
        "rank_change": None,
    }


def _dimensions(report: dict, code: str) -> list[dict]:
    """The wave's dimension rows with the district's cell of each."""
    cells = report.get("locality_dimension", {}).get("district", {}).get(code, {})
    rows = []
    for d in report["dimensions"]:
        cell = cells.get(d["code"])
        if cell is None:
            continue
        rows.append(
            {
                **d,
                "n": cell["n"],
                "score": cell["score"],
                "rate": None,
                "item_nonresponse": None,
                "unreliable": cell["unreliable"],
                "se": None,
                "ci_low": cell.get("ci_low"),
                "ci_high": cell.get("ci_high"),
                "n_eff": None,
            }
        )
    return rows


def _heat(report: dict, streets: list[dict], dimensions: list[dict]) -> dict:
    cells = report.get("locality_dimension", {}).get("street", {})
    empty = {"score": None, "unreliable": True}
    return {
        "dimensions": [{"code": d["code"], "label": d["label"]} for d in dimensions],
        "rows": [
            {
                "name": s["name"],
                "cells": [
                    {
                        k: cells.get(s["code"], {}).get(d["code"], empty)[k]
                        for k in ("score", "unreliable")
                    }
                    for d in dimensions
                ],
            }
            for s in streets
        ],
    }


def _lowest(rows: list[dict], score: str, *tie: str) -> list[dict]:
    """The LOWEST_COUNT rows with the lowest `score` (ties by name), none without a score."""
    scored = [r for r in rows if r.get(score) is not None]
    keys = tie or ("district", "name")
    scored.sort(key=lambda r: (r[score], *[str(r.get(k, "")) for k in keys]))
    return scored[:LOWEST_COUNT]


def _targets(report: dict, streets: list[dict], dimensions: list[dict]) -> list[dict]:
    """The wave's targets applied to the district's streets and dimensions."""
    entries = report["lowest"].get("targets") or []
    return target_board(
        targets={t["measure"]: t["target"] for t in entries},
        places=streets,
        dimensions=dimensions,
        measure_labels={t["measure"]: t["label"] for t in entries},
    )
