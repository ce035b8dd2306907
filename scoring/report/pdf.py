"""The results report as a PDF: its document, sections and tables. Pure: reportlab only, no
Django.

`render_report(data, font_path=...)` takes the report dict of `scoring.results` (labels
already in the reader's language) and the path of a CJK TrueType font collection, which is
embedded (subset) so Chinese reads the same on every machine. Drawings are in
scoring.report.charts; the heat and methodology tables are the export's
(scoring.report.tables), set with the PDF's marks.
"""

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from scoring.report import tables
from scoring.report.charts import district_chart, radar, ranking_bars, trend_chart
from scoring.report.short_board import lowest_section as _lowest_section
from scoring.report.style import (
    ACCENT,
    HEADER,
    INK,
    LINE,
    MUTED,
    PAGE_WIDTH,
    WARN,
    register_font,
    star,
)
from scoring.report.style import escape as _escape
from scoring.report.style import fmt as _fmt


def render_report(data: dict, *, font_path: str | Path | None = None) -> bytes:
    """The report as PDF bytes.

    `data` is scoring.results' report dict; `font_path` (or data["font_path"]) the CJK font
    file. Sections: cover, headline figures, charts (dimension radar, district scores,
    district ranking, trend), tables by dimension, district, district × dimension, street
    and respondent group, the lowest dimensions and streets, and the methodology.
    Estimates from too few respondents carry a "*" and the warning colour.
    """
    font = register_font(font_path or data["font_path"])
    styles = _styles(font)
    labels = data["labels"]
    wave = data["wave"]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{wave['name']} · {labels['title']}",
        author=wave["client"],
        subject=labels["title"],
    )

    story = _cover(data, styles)
    story += [Paragraph(_escape(labels.get("key_figures", labels["headline"])), styles["h2"])]
    story += [_headline(data, styles)]
    if data.get("district"):
        story += [Spacer(1, 3 * mm), Paragraph(_escape(_standing(data)), styles["cell"])]
    story += _chart_section(data, styles, font)
    story += _dimension_section(data, styles)
    story += _district_section(data, styles)
    story += _heat_section(data, styles)
    story += _street_section(data, styles)
    story += _groups_section(data, styles)
    story += _lowest_section(data, styles)
    story += [Spacer(1, 4 * mm), Paragraph(_escape(labels["unreliable_note"]), styles["note"])]
    story += _methodology_section(data, styles)
    footer_text = f"{wave['name']} · {labels['title']}"
    if data.get("interim_note"):
        footer_text = f"{labels['interim']} · {footer_text}"
        story.insert(0, Paragraph(_escape(data["interim_note"]), styles["warn"]))
    footer = _footer(font, footer_text)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _standing(data: dict) -> str:
    """A district's rank among the districts, with its interval, and the city's score."""
    district, labels = data["district"], data["labels"]
    rank = rank_with_interval(district)
    return labels["standing"] % {
        "rank": rank,
        "n": district["n_ranked"],
        "city": _fmt(district["city_satisfaction_score"]),
    }


def _footer(font: str, text: str):
    """The page callback: `text` on the left, the page number on the right."""

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 9 * mm, text)
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, str(document.page))
        canvas.restoreState()

    return footer


def _chart_section(data: dict, styles: dict, font: str) -> list:
    """The radar (three dimensions or more), the district chart and ranking, and the trend
    (two rounds or more), each kept on one page with its heading."""
    labels = data["labels"]

    def titled(title: str, drawing) -> KeepTogether:
        return KeepTogether([Paragraph(_escape(title), styles["h2"]), drawing])

    story = []
    if len(data["dimensions"]) >= 3:
        story += [titled(labels.get("radar_title", ""), radar(data, font))]
    if data.get("district") and data["streets"]:
        # a district's report: its streets' ranking, not a chart of its one district
        streets = {**data, "districts": data["streets"]}
        story += [titled(labels["streets_chart"], ranking_bars(streets, font))]
    elif data["districts"]:
        story += [
            Spacer(1, 4 * mm),
            titled(labels["chart_title"], district_chart(data, font)),
            titled(labels.get("ranking_title", labels["by_district"]), ranking_bars(data, font)),
        ]
    history = data.get("trend")
    if history and len(history["waves"]) > 1:
        story += [titled(labels.get("trend_title", ""), trend_chart(data, font))]
    return story


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base", fontName=font, fontSize=9.5, leading=13, textColor=INK, wordWrap="CJK"
    )
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=26, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=13, leading=18),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=12.5, leading=17, spaceBefore=8, spaceAfter=4
        ),
        "muted": ParagraphStyle("muted", parent=base, textColor=MUTED),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, textColor=WARN),
        "cell": base,
        "warn": ParagraphStyle("warn", parent=base, textColor=WARN),
        "metric": ParagraphStyle(
            "metric", parent=base, fontSize=18, leading=22, alignment=TA_CENTER, textColor=ACCENT
        ),
        "metric_label": ParagraphStyle(
            "metric_label", parent=base, fontSize=8.5, alignment=TA_CENTER, textColor=MUTED
        ),
    }


def _headline(data: dict, styles: dict) -> Table:
    labels, head = data["labels"], data["headline"]
    figures = [
        (labels["satisfaction_score"], _fmt(head["satisfaction_score"]), "satisfaction"),
        (labels["satisfaction_rate"], _percent(head["satisfaction_rate"]), "satisfaction"),
        (labels["safety_score"], _fmt(head["safety_score"]), "safety"),
        (labels["n_interviews"], str(head["n_interviews"]), None),
    ]
    values, captions = [], []
    for caption, value, scope in figures:
        mark = star(bool(scope and head[f"{scope}_unreliable"]))
        values.append(Paragraph(_escape(value + mark), styles["metric"]))
        captions.append(Paragraph(_escape(caption), styles["metric_label"]))
    table = Table([values, captions], colWidths=[PAGE_WIDTH / 4] * 4)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, LINE),
                ("LINEAFTER", (0, 0), (-2, -1), 0.6, LINE),
                ("TOPPADDING", (0, 0), (-1, 0), 8),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
            ]
        )
    )
    return table


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _table(rows: list[list], col_widths: list[float], styles: dict, unreliable: list[bool]):
    """A table whose first row is the header; rows of unreliable estimates (flags for the
    body rows, in order) are set in the warning colour."""
    plain, warn = styles["cell"], styles["warn"]
    flags = [False, *unreliable]
    body = [
        [Paragraph(_escape(value), warn if flag else plain) for value in row]
        for row, flag in zip(rows, flags, strict=True)
    ]
    table = Table(body, colWidths=col_widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _dimension_section(data: dict, styles: dict) -> list:
    labels = data["labels"]
    header = [
        labels["dimension"],
        labels["scope"],
        labels["n"],
        labels["score"],
        labels["rate"],
        labels["item_nonresponse"],
    ]
    rows = [
        [
            d["label"] + star(d["unreliable"]),
            d["scope_label"],
            str(d["n"]),
            _fmt(d["score"]),
            _fmt(d["rate"]),
            _fmt(d["item_nonresponse"]),
        ]
        for d in data["dimensions"]
    ]
    widths = _widths([0.28, 0.14, 0.1, 0.14, 0.14, 0.2])
    flags = [d["unreliable"] for d in data["dimensions"]]
    return [
        Paragraph(_escape(labels["by_dimension"]), styles["h2"]),
        _table([header, *rows], widths, styles, flags),
    ]


def _scope_header(labels: dict) -> list[str]:
    return [
        labels["n"],
        labels["satisfaction_score"],
        labels["satisfaction_rate"],
        labels["safety_score"],
        labels["rank_interval_pdf"],
    ]


def _scope_cells(row: dict) -> list[str]:
    return [
        str(row["n"]),
        _fmt(row["satisfaction_score"]),
        _fmt(row["satisfaction_rate"]),
        _fmt(row["safety_score"]),
        rank_with_interval(row),
    ]


def rank_with_interval(row: dict) -> str:
    """ "3 (1–7)": the rank and its 95% rank interval; "—" for an unranked (unreliable) row."""
    if row["rank"] is None:
        return "—"
    if row.get("rank_low") is None:
        return str(row["rank"])
    return f"{row['rank']} ({row['rank_low']}–{row['rank_high']})"


def _district_section(data: dict, styles: dict) -> list:
    labels = data["labels"]
    header = [labels["district"], *_scope_header(labels)]
    rows = [[d["name"] + star(d["unreliable"]), *_scope_cells(d)] for d in data["districts"]]
    widths = _widths([0.26, 0.1, 0.17, 0.17, 0.17, 0.13])
    if data.get("previous_wave"):
        header += [labels["previous_rank"], labels["rank_change"]]
        rows = [
            [*row, _int(d.get("previous_rank")), _signed(d)]
            for row, d in zip(rows, data["districts"], strict=True)
        ]
        widths = _widths([0.2, 0.08, 0.13, 0.13, 0.13, 0.09, 0.12, 0.12])
    flags = [d["unreliable"] for d in data["districts"]]
    return [
        Paragraph(_escape(labels["by_district"]), styles["h2"]),
        _table([header, *rows], widths, styles, flags),
    ]


def _int(value: int | None) -> str:
    return "—" if value is None else str(value)


def _signed(row: dict) -> str:
    """The rank change: an arrow only where the change is significant after
    Benjamini–Hochberg control, otherwise the signed number of places."""
    value = row.get("rank_change")
    if value is None:
        return "—"
    if not row.get("change_significant"):
        return f"{value:+d}" if value else "0"
    return f"↑{value}" if value > 0 else (f"↓{-value}" if value < 0 else "=")


def _heat_section(data: dict, styles: dict) -> list:
    heat = data["heat"]
    if not heat["rows"] or not heat["dimensions"]:
        return []
    shared = tables.heat_table(data)
    rows = [
        [
            name,
            *[
                _fmt(score) + star(cell["unreliable"] and score is not None)
                for score, cell in zip(scores, row["cells"], strict=True)
            ],
        ]
        for (name, *scores), row in zip(shared["rows"], heat["rows"], strict=True)
    ]
    n = len(heat["dimensions"])
    widths = [PAGE_WIDTH * 0.22] + [PAGE_WIDTH * 0.78 / n] * n
    table = _table([shared["columns"], *rows], widths, styles, [False] * len(rows))
    # Shade each score: darker is better, so the weak cells stand out (a heat table).
    commands = []
    for r, row in enumerate(heat["rows"], start=1):
        for c, cell in enumerate(row["cells"], start=1):
            if cell["score"] is not None:
                commands.append(("BACKGROUND", (c, r), (c, r), _heat_colour(cell["score"])))
    table.setStyle(TableStyle(commands))
    return [Paragraph(_escape(shared["title"]), styles["h2"]), table]


def _heat_colour(score: float) -> colors.Color:
    """White at 50 and below, through pale blue, to the accent tint at 100."""
    t = min(max((score - 50.0) / 50.0, 0.0), 1.0)
    return colors.Color(1 - 0.45 * t, 1 - 0.25 * t, 1 - 0.05 * t)


def _street_section(data: dict, styles: dict) -> list:
    labels = data["labels"]
    rows = [
        [s["district"], s["name"] + star(s["unreliable"]), *_scope_cells(s)]
        for s in data["streets"]
    ]
    widths = _widths([0.15, 0.19, 0.1, 0.15, 0.15, 0.15, 0.11])
    flags = [s["unreliable"] for s in data["streets"]]
    header = [labels["district"], labels["street"], *_scope_header(labels)]
    return [
        Paragraph(_escape(labels["by_street"]), styles["h2"]),
        _table([header, *rows], widths, styles, flags),
    ]


def _widths(shares: list[float]) -> list[float]:
    return [PAGE_WIDTH * share for share in shares]


def _cover(data: dict, styles: dict) -> list:
    """The title page: report title, wave, client, date and sample size, then a page break."""
    labels, wave = data["labels"], data["wave"]
    return [
        Spacer(1, 60 * mm),
        Paragraph(_escape(wave["name"]), styles["title"]),
        Paragraph(_escape(labels["title"]), styles["subtitle"]),
        Spacer(1, 10 * mm),
        Paragraph(f"{_escape(labels['client'])}: {_escape(wave['client'])}", styles["cell"]),
        Paragraph(
            f"{_escape(labels['generated_on'])}: {_escape(wave['generated_on'])}", styles["cell"]
        ),
        Paragraph(f"{_escape(labels['n_interviews'])}: {data['n_interviews']}", styles["cell"]),
        PageBreak(),
    ]


def _groups_section(data: dict, styles: dict) -> list:
    groups = data.get("groups")
    if not groups:
        return []
    labels = data["labels"]
    header = [
        labels["group"],
        labels["value"],
        labels["n"],
        labels["satisfaction_score"],
        labels["satisfaction_rate"],
        labels["safety_score"],
    ]
    rows, previous = [], None
    for g in groups:
        rows.append(
            [
                g["group_label"] if g["group"] != previous else "",
                g["value"] + star(g["unreliable"]),
                str(g["n"]),
                _fmt(g["satisfaction_score"]),
                _fmt(g["satisfaction_rate"]),
                _fmt(g["safety_score"]),
            ]
        )
        previous = g["group"]
    widths = _widths([0.2, 0.2, 0.1, 0.17, 0.17, 0.16])
    return [
        Paragraph(_escape(labels["groups_title"]), styles["h2"]),
        _table([header, *rows], widths, styles, [g["unreliable"] for g in groups]),
    ]


def _methodology_section(data: dict, styles: dict) -> list:
    if not data.get("methodology_lines"):
        return []
    shared = tables.methodology_table(data)
    rows = [[str(item), "—" if value is None else str(value)] for item, value in shared["rows"]]
    story = [
        PageBreak(),
        Paragraph(_escape(shared["title"]), styles["h2"]),
        _table([shared["columns"], *rows], _widths([0.5, 0.5]), styles, [False] * len(rows)),
    ]
    if data.get("strata"):
        strata = tables.stratum_table(data)
        cells = [
            ["—" if c is None else _fmt(c) if isinstance(c, float) else str(c) for c in row]
            for row in strata["rows"]
        ]
        story += [
            Paragraph(_escape(strata["title"]), styles["h2"]),
            _table(
                [strata["columns"], *cells],
                _widths([0.14, 0.07, 0.07, 0.08, 0.08, 0.07, 0.08, 0.08, 0.11, 0.11, 0.11]),
                styles,
                [False] * len(cells),
            ),
        ]
    return story
