"""The processing record as a PDF (reportlab, the CJK font the results report uses), for the
firm to sign and file: kept at least three years (PIPL art. 56)."""

import io
from pathlib import Path

from django.utils import formats
from django.utils.translation import gettext as _

FONT_NAME = "WenQuanYiMicroHei"  # the same registration as scoring.report.style


def _register(font_path: str | Path) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path), subfontIndex=0))
    return FONT_NAME


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _paragraphs(text: str, style) -> list:
    from reportlab.platypus import Paragraph

    return [Paragraph(_escape(line), style) for line in (text or "—").splitlines() if line]


def render(data: dict, *, font_path: str | Path) -> bytes:
    """`data` is fieldwork.privacy.record.processing_record's dict."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _register(font_path)
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=base, fontSize=16, leading=22, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=3)
    wave, stored = data["wave"], data["stored"]
    title = _("Processing record of personal information")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
        topMargin=16 * mm, bottomMargin=16 * mm, title=f"{wave.name} · {title}",
        author=str(wave.client),
    )  # fmt: skip

    def table(rows: list[list], widths: list[float]) -> Table:
        cells = [[Paragraph(_escape(c), base) for c in row] for row in rows]
        result = Table(cells, colWidths=[w * doc.width for w in widths], repeatRows=1)
        result.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))  # fmt: skip
        return result

    def day(value) -> str:
        return formats.date_format(value, "Y-m-d") if value else "—"

    generated = f"{data['generated_at']:%Y-%m-%d %H:%M}"
    story = [
        Paragraph(_escape(title), h1),
        Paragraph(_escape(f"{wave.name} · {wave.client}"), base),
        Paragraph(_escape(_("Generated %(at)s") % {"at": generated}), base),
        Spacer(1, 4 * mm),
        table([
            [_("Wave"), wave.name],
            [_("Mode"), wave.get_mode_display()],
            [_("Cases"), str(data["cases"])],
            [_("Fieldwork"), f"{day(wave.starts_on)} – {day(wave.ends_on)}"],
            [_("Personal data kept until"), day(data["retain_until"])],
            [_("Entrustment contract"), stored.contract_reference or "—"],
            [_("Person responsible for personal information"), stored.protection_officer or "—"],
        ], [0.35, 0.65]),
        Paragraph(_escape(_("Purposes of processing")), h2),
        *_paragraphs(data["purposes"], base),
        Paragraph(_escape(_("Legal basis and entrustment")), h2),
        *_paragraphs(data["legal_basis"], base),
        Paragraph(_escape(_("Personal information processed")), h2),
        table(
            [[_("What"), _("Where"), _("Why")]]
            + [[row["what"], row["where"], row["why"]] for row in data["categories"]],
            [0.38, 0.27, 0.35],
        ),
        Paragraph(_escape(_("Processors")), h2),
        table([[row["role"], row["name"]] for row in data["processors"]], [0.35, 0.65]),
        Paragraph(_escape(_("Safeguards")), h2),
        *[Paragraph(_escape(f"• {line}"), base) for line in data["safeguards"]],
        Paragraph(_escape(_("Risks and how they are handled")), h2),
        *_paragraphs(stored.risks, base),
        Paragraph(_escape(_("Conclusion of the assessment")), h2),
        *_paragraphs(stored.conclusion, base),
        Spacer(1, 6 * mm),
        table([
            [_("Assessed on"), day(stored.assessed_on)],
            [_("Signature"), ""],
        ], [0.35, 0.65]),
        Spacer(1, 3 * mm),
        Paragraph(_escape(_(
            "Keep this record at least three years (PIPL art. 56). It holds no respondent's "
            "personal information and is not removed when the wave's personal data is purged."
        )), base),
    ]  # fmt: skip
    doc.build(story)
    return buffer.getvalue()
