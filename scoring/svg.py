"""Charts for the results page as inline SVG text. Pure: no Django, no JavaScript.

Each function returns one `<svg>` element (a str) that scales to its container. Text is
escaped here, so callers may mark the result safe. Scores are on 0–100; values that are None
are drawn as gaps. Bars of unreliable estimates use the `unreliable` class (amber in app.css).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from math import cos, pi, sin

__all__ = ["Bar", "Series", "bar_chart", "line_chart", "radar_chart"]


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


def bar_chart(bars: Sequence[Bar], *, title: str, scale_max: float = 100.0) -> str:
    """Horizontal bars, one row per bar, in the given order, with the value at the bar's end
    and the interval as a whisker."""
    row, label_w, width = 22, 150, 640
    plot_w = width - label_w - 60
    height = row * len(bars) + 28
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]

    def x_of(value: float) -> float:
        return label_w + plot_w * max(0.0, min(value, scale_max)) / scale_max

    for tick in range(0, int(scale_max) + 1, 20):
        x = x_of(tick)
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 20}"/>')
        parts.append(_text(x, height - 6, str(tick), anchor="middle", cls="axis"))
    for i, bar in enumerate(bars):
        y = 4 + i * row
        label = _text(
            label_w - 6, y + 15, bar.label + (" *" if bar.unreliable else ""), anchor="end"
        )
        if bar.href:
            label = f'<a href="{escape(bar.href)}">{label}</a>'
        parts.append(label)
        if bar.value is None:
            parts.append(_text(label_w + 4, y + 15, "—", cls="axis"))
            continue
        cls = "bar unreliable" if bar.unreliable else "bar"
        parts.append(
            f'<rect class="{cls}" x="{label_w}" y="{y + 3}" '
            f'width="{x_of(bar.value) - label_w:.1f}" height="{row - 8}"/>'
        )
        if bar.low is not None and bar.high is not None:
            lo, hi, mid = x_of(bar.low), x_of(bar.high), y + row / 2 - 1
            parts.append(
                f'<path class="whisker" d="M{lo:.1f} {mid:.1f}H{hi:.1f}'
                f'M{lo:.1f} {mid - 4:.1f}V{mid + 4:.1f}M{hi:.1f} {mid - 4:.1f}V{mid + 4:.1f}"/>'
            )
        end = max(x_of(bar.value), x_of(bar.high) if bar.high is not None else 0.0)
        parts.append(_text(end + 4, y + 15, f"{bar.value:.1f}", cls="value"))
    parts.append("</svg>")
    return "".join(parts)


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
    parts = [
        f'<svg class="chart radar" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if n < 3:
        parts.append("</svg>")
        return "".join(parts)

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
    parts.append("</svg>")
    return "".join(parts)


def line_chart(x_labels: Sequence[str], series: Sequence[Series], *, title: str) -> str:
    """One line per series across the x labels (e.g. waves), y axis fitted to the data in
    steps of 5 points, a legend below."""
    width, height, left, top, bottom = 640, 260, 40, 12, 70
    plot_w, plot_h = width - left - 20, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if not values or not x_labels:
        parts.append("</svg>")
        return "".join(parts)
    low = max(0.0, 5 * ((min(values) - 2) // 5))
    high = min(100.0, 5 * ((max(values) + 2) // 5 + 1))
    if high <= low:
        low, high = max(0.0, high - 5), min(100.0, low + 5)

    def xy(i: int, value: float) -> tuple[float, float]:
        x = left + (plot_w * i / (len(x_labels) - 1) if len(x_labels) > 1 else plot_w / 2)
        return x, top + plot_h * (high - value) / (high - low)

    tick = low
    while tick <= high + 1e-9:
        _, y = xy(0, tick)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}"/>'
        )
        parts.append(_text(left - 4, y + 4, f"{tick:.0f}", anchor="end", cls="axis"))
        tick += 5
    for i, label in enumerate(x_labels):
        x, _ = xy(i, low)
        # the first and last labels grow inwards so long wave names stay inside the chart
        anchor = "start" if i == 0 and len(x_labels) > 1 else "middle"
        anchor = "end" if i == len(x_labels) - 1 and len(x_labels) > 1 else anchor
        parts.append(_text(x, top + plot_h + 16, label, anchor=anchor, cls="axis"))
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
                f"<title>{escape(s.name)} {escape(x_labels[i])}: {v:.1f}</title></circle>"
            )
        lx, ly = left + (k % 4) * 150, height - 30 + (k // 4) * 14
        parts.append(f'<rect class="series s{k}" x="{lx}" y="{ly - 8}" width="10" height="10"/>')
        parts.append(_text(lx + 14, ly + 1, s.name, cls="legend"))
    parts.append("</svg>")
    return "".join(parts)
