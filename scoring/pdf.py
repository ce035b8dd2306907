"""The results report as a PDF. Pure: reportlab only, no Django.

`render_report(data, font_path=...)` takes the dict `scoring.presenters.present_results`
returns (labels already in the reader's language) and the path of a CJK TrueType font
collection, which is embedded (subset) so Chinese reads the same on every machine.
"""

import io
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT_NAME = "WenQuanYiMicroHei"
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#61707d")
LINE = colors.HexColor("#d9e0e6")
HEADER = colors.HexColor("#eef2f6")
ACCENT = colors.HexColor("#1d5fa8")
WARN = colors.HexColor("#b7791f")
PAGE_WIDTH = A4[0] - 36 * mm  # inside the margins


def register_font(font_path: str | Path) -> str:
    """Register the CJK font once per process (subfont 0 of the .ttc); return its name."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path), subfontIndex=0))
    return FONT_NAME


def render_report(data: dict, *, font_path: str | Path | None = None) -> bytes:
    """The report as PDF bytes.

    `data` is presenters.present_results' dict; `font_path` (or data["font_path"]) the CJK
    font file. Sections: title, headline figures, a bar chart of district satisfaction
    scores, tables by dimension, district, district × dimension and street, and the short
    board. Estimates from too few respondents carry a "*" and the warning colour.
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

    story = [
        Paragraph(_escape(wave["name"]), styles["title"]),
        Paragraph(_escape(labels["title"]), styles["subtitle"]),
        Paragraph(
            f"{_escape(labels['client'])}: {_escape(wave['client'])}　　"
            f"{_escape(labels['generated_on'])}: {_escape(wave['generated_on'])}",
            styles["muted"],
        ),
        Spacer(1, 5 * mm),
        _headline(data, styles),
    ]
    if data["districts"]:
        story += [
            Spacer(1, 4 * mm),
            KeepTogether(
                [
                    Paragraph(_escape(labels["chart_title"]), styles["h2"]),
                    _district_chart(data, font),
                ]
            ),
        ]
    story += _dimension_section(data, styles)
    story += _district_section(data, styles)
    story += _heat_section(data, styles)
    story += _street_section(data, styles)
    story += _short_board_section(data, styles)
    story += [Spacer(1, 4 * mm), Paragraph(_escape(labels["unreliable_note"]), styles["note"])]

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 9 * mm, f"{wave['name']} · {labels['title']}")
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, str(document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


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


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _star(unreliable: bool) -> str:
    return " *" if unreliable else ""


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
        star = _star(bool(scope and head[f"{scope}_unreliable"]))
        values.append(Paragraph(_escape(value + star), styles["metric"]))
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


def _district_chart(data: dict, font: str) -> Drawing:
    """A bar chart of district satisfaction scores (0–100), unreliable bars in amber."""
    labels = data["labels"]
    districts = data["districts"]
    width, height = PAGE_WIDTH, 62 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 16 * mm, 14 * mm
    chart.width, chart.height = width - 22 * mm, height - 20 * mm
    chart.data = [[d["satisfaction_score"] or 0 for d in districts]]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.categoryAxis.categoryNames = [
        d["name"] + _star(d["unreliable"]).strip() for d in districts
    ]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.dy = -2
    if len(districts) > 8:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    for i, district in enumerate(districts):
        if district["unreliable"]:
            chart.bars[(0, i)].fillColor = WARN
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(
        String(
            chart.x + chart.width / 2,
            3 * mm,
            labels["chart_x"],
            fontName=font,
            fontSize=9,
            textAnchor="middle",
            fillColor=MUTED,
        )
    )
    y_title = Group(
        String(0, 0, labels["chart_y"], fontName=font, fontSize=9, textAnchor="middle"),
        transform=(0, 1, -1, 0, 4 * mm, chart.y + chart.height / 2),  # rotated 90°
    )
    drawing.add(y_title)
    return drawing


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
            d["label"] + _star(d["unreliable"]),
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
        labels["rank"],
    ]


def _scope_cells(row: dict) -> list[str]:
    return [
        str(row["n"]),
        _fmt(row["satisfaction_score"]),
        _fmt(row["satisfaction_rate"]),
        _fmt(row["safety_score"]),
        "—" if row["rank"] is None else str(row["rank"]),
    ]


def _district_section(data: dict, styles: dict) -> list:
    labels = data["labels"]
    rows = [[d["name"] + _star(d["unreliable"]), *_scope_cells(d)] for d in data["districts"]]
    widths = _widths([0.26, 0.1, 0.17, 0.17, 0.17, 0.13])
    flags = [d["unreliable"] for d in data["districts"]]
    return [
        Paragraph(_escape(labels["by_district"]), styles["h2"]),
        _table([[labels["district"], *_scope_header(labels)], *rows], widths, styles, flags),
    ]


def _heat_section(data: dict, styles: dict) -> list:
    heat = data["heat"]
    if not heat["rows"] or not heat["dimensions"]:
        return []
    labels = data["labels"]
    header = [labels["district"], *[d["label"] for d in heat["dimensions"]]]
    rows = [
        [
            row["name"],
            *[
                _fmt(c["score"]) + _star(c["unreliable"] and c["score"] is not None)
                for c in row["cells"]
            ],
        ]
        for row in heat["rows"]
    ]
    n = len(heat["dimensions"])
    widths = [PAGE_WIDTH * 0.22] + [PAGE_WIDTH * 0.78 / n] * n
    table = _table([header, *rows], widths, styles, [False] * len(rows))
    # Shade each score: darker is better, so the weak cells stand out (a heat table).
    commands = []
    for r, row in enumerate(heat["rows"], start=1):
        for c, cell in enumerate(row["cells"], start=1):
            if cell["score"] is not None:
                commands.append(("BACKGROUND", (c, r), (c, r), _heat_colour(cell["score"])))
    table.setStyle(TableStyle(commands))
    return [Paragraph(_escape(labels["heat"]), styles["h2"]), table]


def _heat_colour(score: float) -> colors.Color:
    """White at 50 and below, through pale blue, to the accent tint at 100."""
    t = min(max((score - 50.0) / 50.0, 0.0), 1.0)
    return colors.Color(1 - 0.45 * t, 1 - 0.25 * t, 1 - 0.05 * t)


def _street_section(data: dict, styles: dict) -> list:
    labels = data["labels"]
    rows = [
        [s["district"], s["name"] + _star(s["unreliable"]), *_scope_cells(s)]
        for s in data["streets"]
    ]
    widths = _widths([0.15, 0.19, 0.1, 0.15, 0.15, 0.15, 0.11])
    flags = [s["unreliable"] for s in data["streets"]]
    header = [labels["district"], labels["street"], *_scope_header(labels)]
    return [
        Paragraph(_escape(labels["by_street"]), styles["h2"]),
        _table([header, *rows], widths, styles, flags),
    ]


def _short_board_section(data: dict, styles: dict) -> list:
    labels = data["labels"]
    board = data["short_board"]
    dimension_lines = [
        f"{i}. {d['label']}{_star(d['unreliable'])}　{_fmt(d['score'])}"
        for i, d in enumerate(board["dimensions"], start=1)
    ]
    street_lines = [
        f"{i}. {s['district']} {s['name']}{_star(s['unreliable'])}　{_fmt(s['score'])}"
        for i, s in enumerate(board["streets"], start=1)
    ]
    cell = styles["cell"]
    left = [Paragraph(_escape(labels["lowest_dimensions"]), styles["muted"])]
    left += [Paragraph(_escape(line), cell) for line in dimension_lines] or [Paragraph("—", cell)]
    right = [Paragraph(_escape(labels["lowest_streets"]), styles["muted"])]
    right += [Paragraph(_escape(line), cell) for line in street_lines] or [Paragraph("—", cell)]
    table = Table([[left, right]], colWidths=[PAGE_WIDTH / 2] * 2)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [KeepTogether([Paragraph(_escape(labels["short_board"]), styles["h2"]), table])]


def _widths(shares: list[float]) -> list[float]:
    return [PAGE_WIDTH * share for share in shares]
