"""The results report as a PDF. Pure: reportlab only, no Django.

`render_report(data, font_path=...)` takes the dict `scoring.presenters.present_results`
returns (labels already in the reader's language) and the path of a CJK TrueType font
collection, which is embedded (subset) so Chinese reads the same on every machine.
"""

import io
import math
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
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
SECOND = colors.HexColor("#c0392b")
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

    story = _cover(data, styles)
    story += [Paragraph(_escape(labels.get("key_figures", labels["headline"])), styles["h2"])]
    story += [_headline(data, styles)]
    if len(data["dimensions"]) >= 3:
        story += [
            KeepTogether(
                [
                    Paragraph(_escape(labels.get("radar_title", "")), styles["h2"]),
                    _radar(data, font),
                ]
            )
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
            KeepTogether(
                [
                    Paragraph(
                        _escape(labels.get("ranking_title", labels["by_district"])),
                        styles["h2"],
                    ),
                    _ranking_bars(data, font),
                ]
            ),
        ]
    history = data.get("trend")
    if history and len(history["waves"]) > 1:
        story += [
            KeepTogether(
                [
                    Paragraph(_escape(labels.get("trend_title", "")), styles["h2"]),
                    _trend_chart(data, font),
                ]
            )
        ]
    story += _dimension_section(data, styles)
    story += _district_section(data, styles)
    story += _heat_section(data, styles)
    story += _street_section(data, styles)
    story += _groups_section(data, styles)
    story += _short_board_section(data, styles)
    story += [Spacer(1, 4 * mm), Paragraph(_escape(labels["unreliable_note"]), styles["note"])]
    story += _methodology_section(data, styles)

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
    header = [labels["district"], *_scope_header(labels)]
    rows = [[d["name"] + _star(d["unreliable"]), *_scope_cells(d)] for d in data["districts"]]
    widths = _widths([0.26, 0.1, 0.17, 0.17, 0.17, 0.13])
    if data.get("previous_wave"):
        header += [labels["previous_rank"], labels["rank_change"]]
        rows = [
            [*row, _int(d.get("previous_rank")), _signed(d.get("rank_change"))]
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


def _signed(value: int | None) -> str:
    if value is None:
        return "—"
    return f"↑{value}" if value > 0 else (f"↓{-value}" if value < 0 else "=")


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


def _radar(data: dict, font: str) -> Drawing:
    """A spider chart of the dimension scores, rings every 10 points from 50 to 100."""
    dims = data["dimensions"]
    n = len(dims)
    size = 80 * mm
    drawing = Drawing(PAGE_WIDTH, size)
    cx, cy, r = PAGE_WIDTH / 2, size / 2, size / 2 - 12 * mm
    low, high = 50.0, 100.0

    def point(i: int, value: float) -> tuple[float, float]:
        share = (min(max(value, low), high) - low) / (high - low)
        angle = math.pi / 2 - 2 * math.pi * i / n
        return cx + r * share * math.cos(angle), cy + r * share * math.sin(angle)

    for ring in (60, 70, 80, 90, 100):
        ring_points = [c for i in range(n) for c in point(i, ring)]
        drawing.add(Polygon(ring_points, strokeColor=LINE, fillColor=None, strokeWidth=0.6))
        x, y = point(0, ring)
        drawing.add(String(x + 2, y - 3, str(ring), fontName=font, fontSize=6.5, fillColor=MUTED))
    for i, d in enumerate(dims):
        x, y = point(i, high)
        drawing.add(Line(cx, cy, x, y, strokeColor=LINE, strokeWidth=0.6))
        lx, ly = cx + (x - cx) * 1.1, cy + (y - cy) * 1.1
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        drawing.add(String(lx, ly - 3, d["label"], fontName=font, fontSize=8, textAnchor=anchor))
    known = [(i, d["score"]) for i, d in enumerate(dims) if d["score"] is not None]
    if len(known) >= 3:
        shape = [c for i, v in known for c in point(i, v)]
        drawing.add(
            Polygon(
                shape,
                strokeColor=ACCENT,
                strokeWidth=1.5,
                fillColor=colors.Color(0.11, 0.37, 0.66, alpha=0.15),
            )
        )
        for i, v in known:
            x, y = point(i, v)
            drawing.add(Circle(x, y, 1.8, fillColor=ACCENT, strokeColor=None))
    return drawing


def _ranking_bars(data: dict, font: str) -> Drawing:
    """Districts sorted by satisfaction score, a horizontal bar each with the value and, when
    the data carry it, the 95% interval as a whisker."""
    rows = sorted(
        (d for d in data["districts"] if d["satisfaction_score"] is not None),
        key=lambda d: -d["satisfaction_score"],
    )
    row_h = 6 * mm
    height = row_h * len(rows) + 10 * mm
    drawing = Drawing(PAGE_WIDTH, height)
    left, plot_w = 34 * mm, PAGE_WIDTH - 50 * mm

    def x_of(value: float) -> float:
        return left + plot_w * min(max(value, 0.0), 100.0) / 100.0

    for tick in range(0, 101, 20):
        x = x_of(tick)
        drawing.add(Line(x, 6 * mm, x, height, strokeColor=LINE, strokeWidth=0.5))
        drawing.add(
            String(
                x,
                2 * mm,
                str(tick),
                fontName=font,
                fontSize=7,
                textAnchor="middle",
                fillColor=MUTED,
            )
        )
    for i, d in enumerate(rows):
        y = height - (i + 1) * row_h
        score = d["satisfaction_score"]
        colour = WARN if d["unreliable"] else ACCENT
        drawing.add(
            String(
                left - 2 * mm,
                y + 1.5 * mm,
                f"{d['name']}{_star(d['unreliable'])}",
                fontName=font,
                fontSize=8,
                textAnchor="end",
            )
        )
        drawing.add(
            Rect(
                left,
                y + 0.8 * mm,
                x_of(score) - left,
                row_h - 2 * mm,
                fillColor=colour,
                strokeColor=None,
            )
        )
        low, high = d.get("satisfaction_ci_low"), d.get("satisfaction_ci_high")
        end = x_of(score)
        if low is not None and high is not None:
            mid = y + row_h / 2 - 0.2 * mm
            drawing.add(Line(x_of(low), mid, x_of(high), mid, strokeColor=INK, strokeWidth=0.8))
            for edge in (low, high):
                drawing.add(
                    Line(
                        x_of(edge),
                        mid - 1.2 * mm,
                        x_of(edge),
                        mid + 1.2 * mm,
                        strokeColor=INK,
                        strokeWidth=0.8,
                    )
                )
            end = max(end, x_of(high))
        drawing.add(
            String(end + 1.5 * mm, y + 1.5 * mm, f"{score:.1f}", fontName=font, fontSize=7.5)
        )
    return drawing


def _trend_chart(data: dict, font: str) -> Drawing:
    """Satisfaction and safety scores across rounds, one line each, the y axis fitted."""
    history, labels = data["trend"], data["labels"]
    series = [
        (labels["satisfaction_score"], history["satisfaction"], ACCENT),
        (labels["safety_score"], history["safety"], SECOND),
    ]
    values = [v for _name, vals, _c in series for v in vals if v is not None]
    height = 62 * mm
    drawing = Drawing(PAGE_WIDTH, height)
    if not values:
        return drawing
    low = max(0.0, 5 * ((min(values) - 2) // 5))
    high = min(100.0, 5 * ((max(values) + 2) // 5 + 1))
    high = high if high > low else low + 5
    left, bottom, plot_w, plot_h = 14 * mm, 16 * mm, PAGE_WIDTH - 20 * mm, height - 22 * mm
    waves = history["waves"]

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (plot_w * i / (len(waves) - 1) if len(waves) > 1 else plot_w / 2)
        return x, bottom + plot_h * (v - low) / (high - low)

    tick = low
    while tick <= high + 1e-9:
        _x, y = xy(0, tick)
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=LINE, strokeWidth=0.5))
        drawing.add(
            String(
                left - 2,
                y - 2.5,
                f"{tick:.0f}",
                fontName=font,
                fontSize=7,
                textAnchor="end",
                fillColor=MUTED,
            )
        )
        tick += 5
    for i, name in enumerate(waves):
        x, _y = xy(i, low)
        # the first and last names grow inwards, so long wave names stay on the page
        anchor = "middle"
        if len(waves) > 1 and i in (0, len(waves) - 1):
            anchor = "start" if i == 0 else "end"
        drawing.add(
            String(x, bottom - 5 * mm, name, fontName=font, fontSize=7.5, textAnchor=anchor)
        )
    for k, (name, vals, colour) in enumerate(series):
        known = [(i, v) for i, v in enumerate(vals) if v is not None]
        points = [c for i, v in known for c in xy(i, v)]
        if len(known) > 1:
            drawing.add(PolyLine(points, strokeColor=colour, strokeWidth=1.5))
        for i, v in known:
            x, y = xy(i, v)
            drawing.add(Circle(x, y, 1.6, fillColor=colour, strokeColor=None))
            drawing.add(
                String(
                    x,
                    y + 2 * mm,
                    f"{v:.1f}",
                    fontName=font,
                    fontSize=7,
                    textAnchor="middle",
                    fillColor=colour,
                )
            )
        lx = left + k * 45 * mm
        drawing.add(Rect(lx, 2 * mm, 3 * mm, 3 * mm, fillColor=colour, strokeColor=None))
        drawing.add(String(lx + 4.5 * mm, 2.3 * mm, name, fontName=font, fontSize=8))
    return drawing


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
                g["value"] + _star(g["unreliable"]),
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
    lines = data.get("methodology_lines")
    if not lines:
        return []
    labels = data["labels"]
    rows = [[str(item), "—" if value is None else str(value)] for item, value in lines]
    return [
        PageBreak(),
        Paragraph(_escape(labels["methodology"]), styles["h2"]),
        _table(
            [[labels["item"], labels["value"]], *rows],
            _widths([0.5, 0.5]),
            styles,
            [False] * len(rows),
        ),
    ]
