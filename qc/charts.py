"""Dashboard charts as inline SVG text. Pure: no Django, no JavaScript.

Counts, not scores: bars scale to the largest value. Text is escaped here, so callers may
mark the result safe. Uses the `svg.chart` classes of static/css/app.css.
"""

from collections.abc import Sequence
from html import escape


def _text(x: float, y: float, content: str, *, anchor: str = "start", cls: str = "") -> str:
    css = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{css}>{escape(content)}</text>'


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]


def bar_chart(bars: Sequence[tuple[str, float]], *, title: str) -> str:
    """Horizontal bars (label, value ≥ 0), one row each in the given order, value at the end."""
    row, label_w, width = 22, 150, 640
    plot_w = width - label_w - 60
    height = row * max(len(bars), 1) + 8
    top = max((value for _label, value in bars), default=0) or 1
    parts = _open(width, height, title)
    for i, (label, value) in enumerate(bars):
        y = 4 + i * row
        w = plot_w * max(value, 0) / top
        parts.append(_text(label_w - 6, y + 15, label, anchor="end"))
        parts.append(f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="16"/>')
        shown = f"{value:g}"
        parts.append(_text(label_w + w + 4, y + 15, shown, cls="value"))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, title: str
) -> str:
    """Lines over the x labels (e.g. days), one per (name, values) series, with a legend."""
    width, height, left, right, top_pad, bottom = 640, 240, 40, 10, 24, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max((v for _name, values in series for v in values), default=0) or 1
    n = len(labels)

    def x_of(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return top_pad + plot_h * (1 - value / top)

    parts = _open(width, height, title)
    for frac in (0, 0.5, 1):
        y = y_of(top * frac)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>'
        )
        parts.append(_text(left - 4, y + 4, f"{top * frac:g}", anchor="end", cls="axis"))
    step = max(1, -(-n // 8))  # at most ~8 x labels
    for i in range(0, n, step):
        parts.append(_text(x_of(i), height - bottom + 16, labels[i], anchor="middle", cls="axis"))
    for k, (name, values) in enumerate(series):
        points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline class="series s{k % 4}" points="{points}"/>')
        for i, v in enumerate(values):
            parts.append(
                f'<circle class="s{k % 4}" cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="2.5"/>'
            )
        lx = left + k * 160
        parts.append(f'<rect class="s{k % 4}" x="{lx}" y="4" width="10" height="10"/>')
        parts.append(_text(lx + 14, 13, name))
    parts.append("</svg>")
    return "".join(parts)
