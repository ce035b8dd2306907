"""The report's page, palette and font, shared by its tables (pdf) and drawings (charts).
Pure: reportlab only."""

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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


def star(unreliable: bool) -> str:
    return " *" if unreliable else ""


def escape(text: object) -> str:
    """Text for a reportlab Paragraph (its markup characters escaped)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
