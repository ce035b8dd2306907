"""Below target: the places and dimensions whose estimate misses the wave's satisfaction
targets (scoring.models.WaveTarget). Pure: plain dicts in, plain dicts out.

A target is set per measure: "satisfaction_score", "satisfaction_rate", "safety_score",
"safety_rate" (each place's figure) or "dimension:<code>" (that dimension's score). A row is
below target when its estimate is; it is *significantly* below target when the upper end of
its 95% interval is below the target too (the interval is the results' own: the logit
interval on the design degrees of freedom), and otherwise only its *estimate* is below — the
target lies inside its interval and the shortfall may be sampling noise. Places flagged
unreliable are left out, as from the ranking.
"""

DIMENSION = "dimension:"
PLACE_MEASURES = ("satisfaction_score", "satisfaction_rate", "safety_score", "safety_rate")
# where a presented place row (scoring.presenters.scope_columns) holds each measure's upper
# 95% bound
UPPER = {
    "satisfaction_score": "satisfaction_ci_high",
    "satisfaction_rate": "satisfaction_rate_ci_high",
    "safety_score": "safety_ci_high",
    "safety_rate": "safety_rate_ci_high",
}


def below(rows: list[dict], *, target: float, estimate: str, high: str) -> list[dict]:
    """The reliable rows whose `estimate` is below `target`, lowest first, each as {"name",
    "district", "estimate", "ci_high", "significant"} (significant: `high` < target)."""
    found = []
    for row in rows:
        value = row.get(estimate)
        if value is None or row.get("unreliable") or value >= target:
            continue
        upper = row.get(high)
        found.append(
            {
                "name": row.get("label") or row.get("name", ""),
                "district": row.get("district", ""),
                "estimate": value,
                "ci_high": upper,
                "significant": upper is not None and upper < target,
            }
        )
    return sorted(found, key=lambda r: (r["estimate"], r["district"], r["name"]))


def target_board(
    *,
    targets: dict[str, float],
    places: list[dict],
    dimensions: list[dict],
    measure_labels: dict[str, str],
) -> list[dict]:
    """One entry per target set, in the order of PLACE_MEASURES then the dimensions':
    {"measure", "label", "target", "rows" (see `below`), "n_significant"}. `places` are the
    presented street (or district) rows, `dimensions` rows with "code", "label", "score",
    "ci_high" and "unreliable"; `measure_labels` names every measure."""
    board = []
    for measure in PLACE_MEASURES:
        if measure in targets:
            rows = below(places, target=targets[measure], estimate=measure, high=UPPER[measure])
            board.append(_entry(measure, measure_labels, targets[measure], rows))
    for dimension in dimensions:
        measure = DIMENSION + dimension["code"]
        if measure in targets:
            rows = below([dimension], target=targets[measure], estimate="score", high="ci_high")
            board.append(_entry(measure, measure_labels, targets[measure], rows))
    return board


def _entry(measure: str, labels: dict[str, str], target: float, rows: list[dict]) -> dict:
    return {
        "measure": measure,
        "label": labels.get(measure, measure),
        "target": target,
        "rows": rows,
        "n_significant": sum(1 for row in rows if row["significant"]),
    }
