"""The report's short board in the PDF: the lowest dimensions and streets, those
significantly below the overall, and those below the wave's targets. Pure: reportlab only."""

from reportlab.platypus import KeepTogether, Paragraph, Table, TableStyle

from scoring.report.style import PAGE_WIDTH, star
from scoring.report.style import escape as _escape
from scoring.report.style import fmt as _fmt


def lowest_section(data: dict, styles: dict) -> list:
    """The lowest dimensions and streets, side by side."""
    labels = data["labels"]
    board = data["lowest"]
    dimension_lines = [
        f"{i}. {d['label']}{star(d['unreliable'])}　{_fmt(d['score'])}"
        for i, d in enumerate(board["dimensions"], start=1)
    ]
    street_lines = [
        f"{i}. {s['district']} {s['name']}{star(s['unreliable'])}　{_fmt(s['score'])}"
        + (f"　({s['rank_low']}–{s['rank_high']})" if s.get("rank_low") is not None else "")
        for i, s in enumerate(board["streets"], start=1)
    ]
    below = [
        f"{s['district']} {s['name']}　{_fmt(s['score'])}　{s['gap']:+.1f}　"
        + ("q<0.001" if s["q"] < 0.001 else f"q={s['q']}")
        for s in board.get("below_overall") or []
    ]
    cell = styles["cell"]
    left = [Paragraph(_escape(labels["lowest_dimensions"]), styles["muted"])]
    left += [Paragraph(_escape(line), cell) for line in dimension_lines] or [Paragraph("—", cell)]
    right = [Paragraph(_escape(labels["lowest_streets"]), styles["muted"])]
    right += [Paragraph(_escape(line), cell) for line in street_lines] or [Paragraph("—", cell)]
    if "below_overall" in board:
        right.append(Paragraph(_escape(labels["below_overall"]), styles["muted"]))
        right += [Paragraph(_escape(line), cell) for line in below] or [Paragraph("—", cell)]
    table = Table([[left, right]], colWidths=[PAGE_WIDTH / 2] * 2)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [KeepTogether([Paragraph(_escape(labels["lowest"]), styles["h2"]), table])]
    if "below_overall" in board:
        # below target after the table, a line each: the list may run over pages
        story.append(Paragraph(_escape(labels["below_target"]), styles["muted"]))
        story += _target_lines(board.get("targets") or [], labels, styles)
    return story


def _target_lines(targets: list[dict], labels: dict, styles: dict) -> list:
    """The board below target: per target its measure, the target, and each row below it,
    marked significantly below (its 95% interval too) or estimate below."""
    if not targets:
        return [Paragraph(_escape(labels["no_target"]), styles["cell"])]
    lines = []
    for entry in targets:
        heading = f"{entry['label']}　{labels['target']} {entry['target']:g}"
        lines.append(Paragraph(_escape(heading), styles["cell"]))
        for row in entry["rows"]:
            place = f"{row['district']} {row['name']}".strip()
            status = labels[
                "significantly_below_target" if row["significant"] else "estimate_below_target"
            ]
            text = f"· {place}　{_fmt(row['estimate'])}　{status}"
            lines.append(Paragraph(_escape(text), styles["warn" if row["significant"] else "cell"]))
        if not entry["rows"]:
            lines.append(Paragraph(_escape(labels["none_below_target"]), styles["cell"]))
    return lines
