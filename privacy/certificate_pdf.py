"""The purge certificate as a PDF, every label in Chinese with English beneath (pure:
reportlab only; the CJK font is the reports' own, registered by scoring.report.style)."""

import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from scoring.report.style import HEADER, INK, LINE, MUTED, PAGE_WIDTH, escape, register_font

LINED = TableStyle(
    [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE)]
)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, textColor=INK)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=21, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, textColor=MUTED),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11, leading=15, spaceBefore=8),
        "cell": base,
        "mono": ParagraphStyle("mono", parent=base, fontName="Courier", fontSize=7.5),
        "note": ParagraphStyle("note", parent=base, textColor=MUTED),
    }


def _both(pair: dict[str, str]) -> str:
    """Chinese, then English on the next line (one of them if they are the same)."""
    zh, en = pair.get("zh-hans", ""), pair.get("en", "")
    if zh == en or not en:
        return escape(zh)
    return f"{escape(zh)}<br/>{escape(en)}" if zh else escape(en)


def _facts(data: dict, styles, labels) -> Table:
    who = data["purged_by"]
    person = " ".join(
        p for p in (who["name"], f"({who['username']})" if who["username"] else "") if p
    )
    rows = [
        (labels["wave"], data["wave"]["name"]),
        (labels["purged_at"], data["purged_at"]),
        (labels["purged_by"], person),
        (labels["total"], str(data["total_removed"])),
    ]
    table = Table(
        [[Paragraph(_both(label), styles["cell"]), Paragraph(escape(value), styles["cell"])]
         for label, value in rows],
        colWidths=[50 * mm, PAGE_WIDTH - 50 * mm],
    )  # fmt: skip
    table.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE)]
        )
    )
    return table


def _removed(data: dict, styles, labels) -> Table:
    header = [labels["what"], labels["where"], labels["count"], labels["kept"]]
    body = [
        [
            Paragraph(_both(row["what"]), styles["cell"]),
            Paragraph(_both(row["where"]), styles["cell"]),
            Paragraph(str(row["count"]), styles["cell"]),
            Paragraph(_both(row["kept"]) if row["kept"] else "—", styles["note"]),
        ]
        for row in data["removed"]
    ]
    table = Table(
        [[Paragraph(_both(h), styles["cell"]) for h in header], *body],
        colWidths=[42 * mm, 42 * mm, 20 * mm, PAGE_WIDTH - 104 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (2, 1), (2, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE),
            ]
        )
    )
    return table


def _items(data: dict, styles, labels) -> list:
    """What was deleted at another service (recording SIDs at Twilio) and what could not be
    removed, holder by holder; nothing when neither happened."""
    story = []
    for field, label in (("deleted_elsewhere", "deleted_elsewhere"), ("failed", "not_removed")):
        rows = [row for row in data["removed"] if row.get(field)]
        if not rows:
            continue
        story.append(Paragraph(_both(labels[label]), styles["h2"]))
        for row in rows:
            if field == "failed":  # each with what it is and why, in both languages
                story.append(Paragraph(_both(row["what"]), styles["cell"]))
                story += [Paragraph(_failed_line(item), styles["cell"]) for item in row[field]]
                continue
            items = escape(", ".join(row[field]))
            story.append(Paragraph(f"{_both(row['what'])}: {items}", styles["cell"]))
    return story


def _failed_line(item: dict | str) -> str:
    if isinstance(item, str):  # a certificate made before items were kept as messages
        return escape(item)
    return f"{_both(item['text'])} ({escape(item['item'])})"


def _checksums(data: dict, styles, labels) -> Table:
    rows = [
        [Paragraph(_both(labels[name]), styles["cell"]), Paragraph(value or "—", styles["mono"])]
        for name, value in data["remaining_sha256"].items()
    ]
    table = Table(rows, colWidths=[50 * mm, PAGE_WIDTH - 50 * mm])
    table.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE)]
        )
    )
    return table


def render(data: dict, *, font_path: str | Path) -> bytes:
    """The certificate (privacy.certificate.as_json's dict) as PDF bytes."""
    font = register_font(font_path)
    styles = _styles(font)
    labels = data["labels"]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{data['wave']['name']} · {labels['title']['zh-hans']}",
        subject=labels["title"]["en"],
    )
    story = [
        Paragraph(escape(labels["title"]["zh-hans"]), styles["title"]),
        Paragraph(escape(labels["title"]["en"]), styles["subtitle"]),
        Spacer(1, 5 * mm),
        _facts(data, styles, labels),
        Spacer(1, 4 * mm),
        _removed(data, styles, labels),
        *_items(data, styles, labels),
        Paragraph(_both(labels["remaining"]), styles["h2"]),
        _checksums(data, styles, labels),
        Spacer(1, 5 * mm),
        Paragraph(_both(labels["statement"]), styles["note"]),
    ]
    doc.build(story)
    return buffer.getvalue()
