"""Charts as inline SVG text. Pure: no Django, no JavaScript.

Each function returns one `<svg>` element (a str) that scales to its container and uses the
`svg.chart` classes of static/css/app.css. Text is escaped here, so callers may mark the result
safe. Values that are None are drawn as gaps.

Two scales: *scores* on a fixed 0–`scale_max` axis (results pages), and *counts* scaled to the
largest value (`scale_max=None`, the QC dashboard). Bars of unreliable estimates use the
`unreliable` class (amber in app.css).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from math import cos, pi, sin

__all__ = [
    "Bar",
    "Place",
    "Series",
    "bar_chart",
    "line_chart",
    "place_map",
    "radar_chart",
    "score_axis",
]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    low: float | None = None  # 95% interval, drawn as a whisker when both ends are known
    high: float | None = None
    unreliable: bool = False
    href: str | None = None  # a drill-down link on the label


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per x label


def _text(x: float, y: float, content: str, *, anchor: str = "start", cls: str = "") -> str:
    css = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{css}>{escape(content)}</text>'


def _open(width: int, height: int, title: str, cls: str = "chart") -> list[str]:
    return [
        f'<svg class="{cls}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]


def _close(parts: list[str]) -> str:
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float, counts: bool) -> str:
    return f"{value:g}" if counts else f"{value:.1f}"


def bar_chart(bars: Sequence[Bar], *, title: str, scale_max: float | None = 100.0) -> str:
    """Horizontal bars, one row per bar in the given order, the value at the bar's end and the
    interval as a whisker. Scores sit on 0–`scale_max` with a grid every 20; with
    `scale_max=None` the bars are counts scaled to the largest one, without a grid."""
    counts = scale_max is None
    top = max((b.value for b in bars if b.value is not None), default=0) or 1
    scale = top if counts else scale_max
    row, label_w, width = 22, 150, 640
    plot_w = width - label_w - 60
    height = row * max(len(bars), 1) + (8 if counts else 28)
    parts = _open(width, height, title)

    def x_of(value: float) -> float:
        return label_w + plot_w * max(0.0, min(value, scale)) / scale

    if not counts:
        for tick in range(0, int(scale) + 1, 20):
            x = x_of(tick)
            parts.append(
                f'<line class="grid" x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 20}"/>'
            )
            parts.append(_text(x, height - 6, str(tick), anchor="middle", cls="axis"))
    for i, bar in enumerate(bars):
        y = 4 + i * row
        name = bar.label + (" *" if bar.unreliable else "")
        label = _text(label_w - 6, y + 15, name, anchor="end")
        if bar.href:
            label = f'<a href="{escape(bar.href)}">{label}</a>'
        parts.append(label)
        if bar.value is None:
            parts.append(_text(label_w + 4, y + 15, "—", cls="axis"))
            continue
        cls = "bar unreliable" if bar.unreliable else "bar"
        parts.append(
            f'<rect class="{cls}" x="{label_w}" y="{y + 3}" '
            f'width="{x_of(bar.value) - label_w:.1f}" height="{row - 8 if not counts else 16}"/>'
        )
        if bar.low is not None and bar.high is not None:
            lo, hi, mid = x_of(bar.low), x_of(bar.high), y + row / 2 - 1
            parts.append(
                f'<path class="whisker" d="M{lo:.1f} {mid:.1f}H{hi:.1f}'
                f'M{lo:.1f} {mid - 4:.1f}V{mid + 4:.1f}M{hi:.1f} {mid - 4:.1f}V{mid + 4:.1f}"/>'
            )
        end = max(x_of(bar.value), x_of(bar.high) if bar.high is not None else 0.0)
        parts.append(_text(end + 4, y + 15, _number(bar.value, counts), cls="value"))
    return _close(parts)


def radar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    scale_min: float = 50.0,
    scale_max: float = 100.0,
) -> str:
    """A spider chart: one axis per label (clockwise from the top), rings every 10 points
    from `scale_min` (the centre) to `scale_max`, one closed polygon per series."""
    n = len(labels)
    width, height, r = 720, 380, 130  # wide: the axis labels sit left and right of the rings
    cx, cy = width / 2, height / 2
    parts = _open(width, height, title, cls="chart radar")
    if n < 3:
        return _close(parts)

    def point(i: int, value: float) -> tuple[float, float]:
        share = (min(max(value, scale_min), scale_max) - scale_min) / (scale_max - scale_min)
        angle = -pi / 2 + 2 * pi * i / n
        return cx + r * share * cos(angle), cy + r * share * sin(angle)

    step = 10.0
    ring = scale_min + step
    while ring <= scale_max + 1e-9:
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(n)))
        parts.append(f'<polygon class="grid" points="{ring_points}"/>')
        x, y = point(0, ring)
        parts.append(_text(x + 3, y + 3, f"{ring:.0f}", cls="axis"))
        ring += step
    for i, label in enumerate(labels):
        x, y = point(i, scale_max)
        parts.append(f'<line class="grid" x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}"/>')
        lx, ly = cx + (x - cx) * 1.12, cy + (y - cy) * 1.12
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        parts.append(_text(lx, ly + 4, label, anchor=anchor))
    for k, s in enumerate(series):
        known = [(i, v) for i, v in enumerate(s.values) if v is not None]
        if len(known) < 3:
            continue
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in known))
        parts.append(
            f'<polygon class="series s{k}" points="{pts}"><title>{escape(s.name)}</title></polygon>'
        )
    return _close(parts)


def score_axis(values: list[float]) -> tuple[float, float, float]:
    """(low, high, step) fitted to scores in steps of 5 points within 0–100 (the results page's
    trend chart and the PDF's)."""
    low = max(0.0, 5 * ((min(values) - 2) // 5))
    high = min(100.0, 5 * ((max(values) + 2) // 5 + 1))
    if high <= low:
        low, high = max(0.0, high - 5), min(100.0, low + 5)
    return low, high, 5.0


def _count_axis(values: list[float]) -> tuple[float, float, float]:
    """(0, the largest count, half of it): counts start at zero."""
    top = max(values, default=0) or 1
    return 0.0, float(top), top / 2


def line_chart(
    x_labels: Sequence[str], series: Sequence[Series], *, title: str, counts: bool = False
) -> str:
    """One line per series across the x labels (waves, days) with a point per known value and
    a legend below. Scores get a y axis fitted in steps of 5 points; `counts=True` starts the
    axis at zero and ends it at the largest count."""
    width, height, left, top, bottom = 640, 260, 40, 12, 70
    plot_w, plot_h = width - left - 20, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    parts = _open(width, height, title)
    if not values or not x_labels:
        return _close(parts)
    low, high, step = (_count_axis if counts else score_axis)(values)

    def xy(i: int, value: float) -> tuple[float, float]:
        x = left + (plot_w * i / (len(x_labels) - 1) if len(x_labels) > 1 else plot_w / 2)
        return x, top + plot_h * (high - value) / (high - low)

    tick = low
    while tick <= high + 1e-9:
        _, y = xy(0, tick)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}"/>'
        )
        parts.append(_text(left - 4, y + 4, f"{tick:g}", anchor="end", cls="axis"))
        tick += step
    every = max(1, -(-len(x_labels) // 8))  # at most ~8 x labels
    for i in range(0, len(x_labels), every):
        x, _ = xy(i, low)
        # the first and last labels grow inwards so long names stay inside the chart
        anchor = "start" if i == 0 and len(x_labels) > 1 else "middle"
        anchor = "end" if i == len(x_labels) - 1 and len(x_labels) > 1 else anchor
        parts.append(_text(x, top + plot_h + 16, x_labels[i], anchor=anchor, cls="axis"))
    for k, s in enumerate(series):
        known = [(i, v) for i, v in enumerate(s.values) if v is not None]
        if not known:
            continue
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in known))
        parts.append(f'<polyline class="series s{k}" points="{pts}"/>')
        for i, v in known:
            x, y = xy(i, v)
            parts.append(
                f'<circle class="series s{k}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                f"<title>{escape(s.name)} {escape(x_labels[i])}: "
                f"{_number(v, counts)}</title></circle>"
            )
        lx, ly = left + (k % 4) * 150, height - 30 + (k // 4) * 14
        parts.append(f'<rect class="series s{k}" x="{lx}" y="{ly - 8}" width="10" height="10"/>')
        parts.append(_text(lx + 14, ly + 1, s.name, cls="legend"))
    return _close(parts)


@dataclass(frozen=True)
class Place:
    """A point on a map: a community at its coordinates, sized by `size`, coloured by `share`
    (0–1, e.g. the share of its cases completed; None: grey)."""

    label: str
    latitude: float
    longitude: float
    share: float | None
    size: float = 1.0
    href: str | None = None
    note: str = ""  # shown in the point's tooltip after the label


MAP_CLASSES = 5  # share bins: [0, .2), [.2, .4), … [.8, 1]


def place_map(
    places: Sequence[Place], *, title: str, legend: Sequence[str], labels: bool = True
) -> str:
    """Places at their coordinates (equirectangular, longitude scaled by the cosine of the
    mean latitude so distances look right at city scale), one circle each with area
    proportional to `size`, coloured by `share` in MAP_CLASSES bins (classes m0–m4, `none`),
    with the bins' `legend` texts (MAP_CLASSES of them) below. No tiles: it works offline.
    Labels are drawn when `labels` and there are at most 40 places; every point has a tooltip.
    """
    width, height, pad, legend_h = 720, 480, 36, 34
    parts = _open(width, height + legend_h, title, cls="map")
    if not places:
        return _close(parts)
    mean_lat = sum(p.latitude for p in places) / len(places)
    scale_x = cos(mean_lat * pi / 180)
    xs = [p.longitude * scale_x for p in places]
    ys = [p.latitude for p in places]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-4)
    unit = min(width - 2 * pad, height - 2 * pad) / span
    off_x = (width - (max(xs) - min(xs)) * unit) / 2
    off_y = (height - (max(ys) - min(ys)) * unit) / 2
    biggest = max(p.size for p in places) or 1.0
    show_labels = labels and len(places) <= 40
    for place, x_raw, y_raw in sorted(zip(places, xs, ys, strict=True), key=lambda t: -t[0].size):
        x = off_x + (x_raw - min(xs)) * unit
        y = height - (off_y + (y_raw - min(ys)) * unit)
        radius = 3 + 6 * (max(place.size, 0) / biggest) ** 0.5
        if place.share is None:
            cls = "none"
        else:
            cls = f"m{min(int(max(place.share, 0.0) * MAP_CLASSES), MAP_CLASSES - 1)}"
        tip = escape(f"{place.label} {place.note}".strip())
        dot = (
            f'<circle class="place {cls}" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}">'
            f"<title>{tip}</title></circle>"
        )
        if place.href:
            dot = f'<a href="{escape(place.href)}">{dot}</a>'
        parts.append(dot)
        if show_labels:
            parts.append(_text(x + radius + 2, y + 4, place.label))
    for k, text in enumerate(legend[:MAP_CLASSES]):
        lx = 10 + k * (width - 20) / MAP_CLASSES
        parts.append(
            f'<rect class="place m{k}" x="{lx:.1f}" y="{height + 10}" width="12" height="12"/>'
        )
        parts.append(_text(lx + 16, height + 21, text, cls="legend-text"))
    return _close(parts)
