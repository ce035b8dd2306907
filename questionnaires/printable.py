"""The printable questionnaire: a PDF for interviewer training and paper back-up. Pure:
reportlab only, no Django.

`render_printable(doc, font_path=...)` takes the plain dict that
questionnaires.printout.printable_document builds (every text already in the form's language
and the reader's words):

    {"title", "subtitle", "labels": {heading: text, ...}, "device": [text, ...],
     "pages": [{"title", "sections": [text], "conditions": [text], "roster": text | None,
                "items": [item, ...]}]}

where an item is {"kind": "question" | "note" | "calculate" | "roster", "number", "label",
"name", "type", "hint", "lines": [text, ...], "choices": [(code, label, score)], "items"}
(a nested roster holds its own items). Each page of the wizard starts a new PDF page; a
question is kept on one page with its choices. The CJK font is embedded (subset). The PDF is
reportlab's "invariant" kind (no creation time, a fixed document id): the same questionnaire
always gives the same bytes, so a data package built again from the same data is the same.
"""

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Indenter,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

__all__ = ["render_printable"]

FONT_NAME = "WenQuanYiMicroHei"  # the same registration as the results report's
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#61707d")
LINE = colors.HexColor("#d9e0e6")
HEADER = colors.HexColor("#eef2f6")
ACCENT = colors.HexColor("#1d5fa8")
WIDTH = A4[0] - 36 * mm
BOX = "○"  # a circle to tick on paper, in the embedded font


def _font(path: str | Path) -> str:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, textColor=INK,
                          wordWrap="CJK")  # fmt: skip
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, textColor=MUTED, spaceAfter=8),
        "h1": ParagraphStyle(
            "h1", parent=base, fontSize=14, leading=19, textColor=ACCENT, spaceAfter=3
        ),  # fmt: skip
        "crumbs": ParagraphStyle("crumbs", parent=base, fontSize=8.5, textColor=MUTED),
        "q": ParagraphStyle("q", parent=base, fontSize=10.5, leading=15),
        "logic": ParagraphStyle("logic", parent=base, fontSize=8.5, leading=12, textColor=MUTED),
        "note": ParagraphStyle("note", parent=base, textColor=MUTED, leftIndent=6),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "roster": ParagraphStyle("roster", parent=base, textColor=ACCENT, spaceBefore=4),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _choices(item: dict, styles: dict, indent: float, heads: dict) -> Table:
    scored = any(score not in (None, "") for _code, _label, score in item["choices"])
    head = ["", "", _p(heads["code"], styles["logic"])]
    head += [_p(heads["score"], styles["logic"])] if scored else []
    rows = [head] + [[BOX, _p(label, styles["cell"]), _p(code, styles["logic"])]
                     + ([_p(score, styles["logic"])] if scored else [])
                     for code, label, score in item["choices"]]  # fmt: skip
    widths = [7 * mm, WIDTH - indent - 55 * mm, 30 * mm] + ([18 * mm] if scored else [])
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("LINEBELOW", (0, 1), (-1, -2), 0.25, LINE),
    ]))  # fmt: skip
    return table


def _answer_line(indent: float) -> Table:
    line = Table([[""]], colWidths=[WIDTH - indent - 20 * mm], rowHeights=[9 * mm], hAlign="LEFT")
    line.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, MUTED)]))
    return line


def _item(item: dict, styles: dict, indent: float, heads: dict) -> list:
    if item["kind"] == "note":
        return [_p(item["label"], styles["note"]), Spacer(1, 2 * mm)]
    if item["kind"] == "roster":  # a roster inside the page's: indented under its heading
        inner = [_p(item["label"], styles["roster"])]
        inner += [_p(line, styles["logic"]) for line in item["lines"]]
        inner.append(Indenter(left=8 * mm))
        for child in item["items"]:
            inner += _item(child, styles, indent + 8 * mm, heads)
        return [*inner, Indenter(left=-8 * mm)]
    head = f"{item['number']}  {item['label']}" if item.get("number") else item["label"]
    parts = [_p(head, styles["q"] if item["kind"] == "question" else styles["logic"])]
    meta = " · ".join(text for text in (item.get("name"), item.get("type")) if text)
    parts += [_p(meta, styles["logic"])] if meta else []
    parts += [_p(item["hint"], styles["note"])] if item.get("hint") else []
    parts += [_p(line, styles["logic"]) for line in item["lines"]]
    if item["choices"]:
        parts.append(_choices(item, styles, indent, heads))
    elif item["kind"] == "question" and item.get("writes"):
        parts.append(_answer_line(indent))
    parts.append(Spacer(1, 3 * mm))
    return [KeepTogether(parts)]


def _page(page: dict, styles: dict, heads: dict) -> list:
    story = []
    if page["sections"]:
        story.append(_p(" › ".join(page["sections"]), styles["crumbs"]))
    if page["title"]:
        story.append(_p(page["title"], styles["h1"]))
    story += [_p(line, styles["logic"]) for line in page["conditions"]]
    indent = 6 * mm if page.get("roster") else 0
    if page.get("roster"):  # a roster page: its questions are asked once per row
        story += [_p(page["roster"], styles["roster"]), Indenter(left=indent)]
    story.append(Spacer(1, 3 * mm))
    for item in page["items"]:
        story += _item(item, styles, indent, heads)
    if indent:
        story.append(Indenter(left=-indent))
    return story


def render_printable(doc: dict, *, font_path: str | Path) -> bytes:
    """The questionnaire as PDF bytes: a cover with what the device records, then one PDF
    page (or more) per wizard page."""
    font = _font(font_path)
    styles = _styles(font)
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm, title=doc["title"],
                            subject=doc["subtitle"], invariant=True)  # fmt: skip
    story = [_p(doc["title"], styles["title"]), _p(doc["subtitle"], styles["subtitle"])]
    story += [_p(line, styles["note"]) for line in doc["intro"]]
    if doc["device"]:
        story += [Spacer(1, 3 * mm), _p(doc["labels"]["device"], styles["q"])]
        story += [_p(line, styles["logic"]) for line in doc["device"]]
    for page in doc["pages"]:
        story += [PageBreak(), *_page(page, styles, doc["labels"])]

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 9 * mm, doc["footer"])
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, str(document.page))
        canvas.restoreState()

    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
