"""The results report's tables as {"key", "title", "columns", "rows"}: one function per table,
shared by the XLSX workbook and CSV downloads (common.spreadsheets) and, where it shows the
same table, the PDF (scoring.report.pdf). Pure: no Django.

Each function takes the report dict of scoring.results (titles and column names come from
its "labels", already in the reader's language). Cells are str, int, float (one decimal) or
None; labels["yes"] marks an unreliable row. The key names the CSV download
(`<key>.csv`), so keys are part of the download URLs.
"""

from collections.abc import Callable


def report_tables(report: dict) -> list[dict]:
    """Every table of the report, in workbook order; groups, trend and methodology only when
    the report has them."""
    tables = [interim_table(report)] if report.get("interim_note") else []
    tables += [
        headline_table(report),
        dimension_table(report),
        district_table(report),
        street_table(report),
        heat_table(report),
        lowest_table(report),
    ]
    if report.get("groups"):
        tables.append(group_table(report))
    if report.get("trend"):
        tables.append(trend_table(report))
    if report.get("strata"):
        tables.append(stratum_table(report))
    if report.get("methodology_lines"):
        tables.append(methodology_table(report))
    return tables


def csv_table(report: dict, table: dict) -> dict:
    """`table` for a CSV download: a last column, the results' status, on every row: the
    interim note (with its counts) while the results are interim, else "final". A column
    rather than a first line keeps the file one header row and rows of equal width, so it
    loads as a table anywhere; the file's name says "interim" too."""
    labels = report["labels"]
    status = report.get("interim_note") or labels["final"]
    return {
        **table,
        "columns": [*table["columns"], labels["status"]],
        "rows": [[*row, status] for row in table["rows"]],
    }


def interim_table(report: dict) -> dict:
    """One cell saying the results are interim, and why (first in the workbook)."""
    labels = report["labels"]
    return {
        "key": "interim",
        "title": labels["interim"],
        "columns": [labels["interim"]],
        "rows": [[report["interim_note"]]],
    }


def _flag(labels: dict) -> Callable[[bool], str]:
    return lambda unreliable: labels["yes"] if unreliable else ""


def headline_table(report: dict) -> dict:
    labels, head = report["labels"], report["headline"]
    flag = _flag(labels)
    rows = [
        [labels[f"{scope}_{figure}"], head[f"{scope}_{figure}"], flag(head[f"{scope}_unreliable"])]
        for scope in ("satisfaction", "safety")
        for figure in ("score", "rate")
    ]
    return {
        "key": "headline",
        "title": labels["headline"],
        "columns": [labels["scope"], labels["value"], labels["unreliable"]],
        "rows": [*rows, [labels["n_interviews"], head["n_interviews"], ""]],
    }


def dimension_table(report: dict) -> dict:
    labels = report["labels"]
    flag = _flag(labels)
    return {
        "key": "dimensions",
        "title": labels["by_dimension"],
        "columns": [
            labels["code"],
            labels["dimension"],
            labels["scope"],
            labels["n"],
            labels["score"],
            labels["rate"],
            labels["item_nonresponse"],
            labels["unreliable"],
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
    }


def _scope_columns(labels: dict) -> list[str]:
    return [
        labels["n"],
        labels["satisfaction_score"],
        labels["satisfaction_rate"],
        labels["safety_score"],
        labels["safety_rate"],
        labels["rank"],
        labels["rank_interval"],
    ]


def _scope_cells(row: dict) -> list:
    return [
        row["n"],
        row["satisfaction_score"],
        row["satisfaction_rate"],
        row["safety_score"],
        row["safety_rate"],
        row["rank"],
        None if row.get("rank_low") is None else f"{row['rank_low']}–{row['rank_high']}",
    ]


def _change_columns(labels: dict) -> list[str]:
    return [labels["previous_rank"], labels["rank_change"], labels["score_change"]]


def _change_cells(row: dict) -> list:
    return [row.get("previous_rank"), row.get("rank_change"), row.get("change")]


def district_table(report: dict) -> dict:
    labels = report["labels"]
    flag = _flag(labels)
    return {
        "key": "districts",
        "title": labels["by_district"],
        "columns": [
            labels["code"],
            labels["district"],
            *_scope_columns(labels),
            *_change_columns(labels),
            labels["unreliable"],
        ],
        "rows": [
            [d["code"], d["name"], *_scope_cells(d), *_change_cells(d), flag(d["unreliable"])]
            for d in report["districts"]
        ],
    }


def street_table(report: dict) -> dict:
    labels = report["labels"]
    flag = _flag(labels)
    return {
        "key": "streets",
        "title": labels["by_street"],
        "columns": [
            labels["district"],
            labels["code"],
            labels["street"],
            *_scope_columns(labels),
            *_change_columns(labels),
            labels["unreliable"],
        ],
        "rows": [
            [
                s["district"],
                s["code"],
                s["name"],
                *_scope_cells(s),
                *_change_cells(s),
                flag(s["unreliable"]),
            ]
            for s in report["streets"]
        ],
    }


def heat_table(report: dict) -> dict:
    """District × dimension scores (the PDF adds its unreliable marks to these cells)."""
    labels, heat = report["labels"], report["heat"]
    return {
        "key": "heat",
        "title": labels["heat"],
        # a district's report shows its streets × dimensions
        "columns": [
            labels.get("heat_rows", labels["district"]),
            *[d["label"] for d in heat["dimensions"]],
        ],
        "rows": [[row["name"], *[c["score"] for c in row["cells"]]] for row in heat["rows"]],
    }


def lowest_table(report: dict) -> dict:
    """The lowest dimensions and streets, one list after the other."""
    labels, lowest = report["labels"], report["lowest"]
    flag = _flag(labels)
    return {
        # the download URL <key>.csv was published as short_board.csv, so the key stays
        "key": "short_board",
        "title": labels["lowest"],
        "columns": [labels["list"], labels["name"], labels["score"], labels["unreliable"]],
        "rows": [
            [labels["lowest_dimensions"], d["label"], d["score"], flag(d["unreliable"])]
            for d in lowest["dimensions"]
        ]
        + [
            [
                labels["lowest_streets"],
                f"{s['district']} {s['name']}",
                s["score"],
                flag(s["unreliable"]),
            ]
            for s in lowest["streets"]
        ]
        + [
            [labels["below_overall"], f"{s['district']} {s['name']}", s["score"], ""]
            for s in lowest.get("below_overall") or []
        ]
        + [
            [
                f"{labels['below_target']}: {t['label']} ({labels['target']} {t['target']:g}), "
                + labels[
                    "significantly_below_target" if r["significant"] else "estimate_below_target"
                ],
                f"{r['district']} {r['name']}".strip(),
                r["estimate"],
                "",
            ]
            for t in lowest.get("targets") or []
            for r in t["rows"]
        ],
    }


def group_table(report: dict) -> dict:
    labels = report["labels"]
    flag = _flag(labels)
    return {
        "key": "groups",
        "title": labels["groups_title"],
        "columns": [
            labels["group"],
            labels["value"],
            *_scope_columns(labels)[:-2],
            labels["unreliable"],
        ],
        "rows": [
            [g["group_label"], g["value"], *_scope_cells(g)[:-2], flag(g["unreliable"])]
            for g in report["groups"]
        ],
    }


def trend_table(report: dict) -> dict:
    labels, history = report["labels"], report["trend"]
    return {
        "key": "trend",
        "title": labels["trend_title"],
        "columns": [
            labels["wave"],
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


def methodology_table(report: dict) -> dict:
    labels = report["labels"]
    return {
        "key": "methodology",
        "title": labels["methodology"],
        "columns": [labels["item"], labels["value"]],
        "rows": [[item, value] for item, value in report["methodology_lines"]]
        + ([[labels["interim"], report["interim_note"]]] if report.get("interim_note") else []),
    }


STRATUM_COUNTS = (
    "drawn",
    "released",
    "attempted",
    "interviewed",
    "approved",
    "ineligible",
    "unknown",
)


def stratum_table(report: dict) -> dict:
    """Fieldwork and the nonresponse-adjusted weight by stratum (scoring.methodology)."""
    labels = report["labels"]
    return {
        "key": "strata",
        "title": labels["by_stratum"],
        "columns": [
            labels["stratum"],
            *(labels[key] for key in STRATUM_COUNTS),
            labels["response_rate"],
            labels["nr_weight_min"],
            labels["nr_weight_max"],
        ],
        "rows": [
            [
                row["name"],
                *(row[key] for key in STRATUM_COUNTS),
                row["response_rate"],
                row["weight_min"],
                row["weight_max"],
            ]
            for row in report["strata"]
        ],
    }
