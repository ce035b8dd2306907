"""The report's drawings: district bar chart, dimension radar, ranking with intervals and
the trend across rounds. Pure: reportlab only; each takes the report dict and the
registered font name and returns a Drawing of the page's width."""

import math

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from common.svg import score_axis
from scoring.report.style import ACCENT, INK, LINE, MUTED, PAGE_WIDTH, SECOND, WARN, star


def district_chart(data: dict, font: str) -> Drawing:
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
        d["name"] + star(d["unreliable"]).strip() for d in districts
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


def radar(data: dict, font: str) -> Drawing:
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


def ranking_bars(data: dict, font: str) -> Drawing:
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
                f"{d['name']}{star(d['unreliable'])}",
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


def trend_chart(data: dict, font: str) -> Drawing:
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
    low, high, step = score_axis(values)
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
        tick += step
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
