"""What a person reads on a page, and the tokens in it that are codes rather than words.

A page's visible text is its text outside scripts and styles and its title, placeholder,
aria-label and alt attributes (and the caption of input buttons). Three kinds of markup say
that what they hold is shown as it is, on purpose, and are left out:
- `<code>` and `<kbd>`: what a person types or reads back exactly (a question's name in the
  designer, a column a file must have, a backup code);
- `translate="no"` (HTML's own marker): an identifier of the data (a household's id in the
  frame, an edition's fingerprint);
- an element whose `lang` is not the page's: text in another language on purpose (the
  questionnaire's English labels beside its Chinese ones).
"""

import re
from html.parser import HTMLParser

# Names and abbreviations read as they are in a Chinese page.
ALLOWED_WORDS = {
    # file formats, standards and products
    "AAPOR",
    "API",
    "CAPI",
    "CATI",
    "CSV",
    "ID",
    "ODK",
    "PDF",
    "QR",
    "SHA",
    "SMS",
    "Twilio",
    "XLS",
    "XLSForm",
    "XLSX",
    "Parquet",
    "Google",
    "Microsoft",
    "Authenticator",
    "FreeOTP",
    "XML",
    "UTC",
    "Excel",
    "SPSS",
    "Stata",
    "ZIP",
    "Kobo",  # the collecting systems whose exports are imported, and text encodings
    "SurveyCTO",
    "GBK",
    "UTF-8",
    "UTF-16",
    "csv",  # file extensions
    "xls",
    "xlsx",
    # statistics, named for their authors or written as in the literature
    "AHP",
    "Benjamini",
    "Hochberg",
    "Kish",
    "Saaty",
    "CR",
    "RI",
    "SE",
    "CI",
    "R",
    # AAPOR's rates and disposition groups (Standard Definitions), as every Chinese survey
    # report writes them
    *(f"RR{n}" for n in range(1, 7)),
    *(f"COOP{n}" for n in range(1, 5)),
    *(f"REF{n}" for n in range(1, 4)),
    *(f"CON{n}" for n in range(1, 4)),
    "NC",
    "NE",
    "UH",
    "UO",
}
# Symbols of formulas: single letters (p, z, n, N, e, I, P, O …) are not words.
SYMBOL = re.compile(r"[A-Za-z]")
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
SILENT_TAGS = {"script", "style", "template", "noscript"}
AS_IS_TAGS = {"code", "kbd"}
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
SNAKE_CASE = re.compile(r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b")
DOTTED = re.compile(r"\b[A-Za-z_]\w*(?:\.\w+)+\b")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


class VisibleText(HTMLParser):
    """The text a page shows, in pieces, and the addresses it links to or fetches."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.pieces: list[str] = []
        self.links: list[str] = []
        self.page_language: str | None = None  # <html lang>; None for a fragment
        self._open: list[tuple[str, bool]] = []  # (tag, hidden: silent or shown as it is)

    def _hidden(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def _hides(self, tag: str, attributes: dict) -> bool:
        lang = (attributes.get("lang") or "").lower()
        if tag == "html":
            self.page_language = lang
            return False
        return (
            tag in SILENT_TAGS
            or tag in AS_IS_TAGS
            or attributes.get("translate") == "no"
            or (bool(lang) and not self.language.startswith(lang.split("-")[0]))
        )

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        for name in ("href", "hx-get"):
            if attributes.get(name) and "download" not in attributes:  # pages, not files
                self.links.append(attributes[name])
        hidden = self._hidden() or self._hides(tag, attributes)
        if not hidden:
            self.pieces += [attributes[n] for n in VISIBLE_ATTRIBUTES if attributes.get(n)]
            if tag == "input" and attributes.get("type") in {"submit", "button"}:
                self.pieces.append(attributes.get("value", ""))
        if tag not in VOID_TAGS:
            self._open.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_endtag(self, tag):
        # browsers close what was left open inside the element being closed
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                return

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.pieces.append(" ".join(data.split()))


def read_page(html: str, *, language: str) -> VisibleText:
    parser = VisibleText(language)
    parser.feed(html)
    parser.close()
    return parser


def wrong_language(page: VisibleText) -> list[str]:
    """A whole page (not an htmx fragment) that says it is in another language than the one
    asked for (Django's bare error pages say English)."""
    asked = page.language.split("-")[0]
    if page.page_language is None or page.page_language.split("-")[0] == asked:
        return []
    return [f"page language {page.page_language or 'not given'}"]


def raw_tokens(
    pieces: list[str], *, choice_values: set[str], shown_on_purpose: set[str]
) -> list[str]:
    """The identifier-like tokens in a Chinese page's pieces of text. A piece that is, whole,
    a text of the data (a questionnaire's label, a file's name) is the data's own."""
    found = []
    for piece in pieces:
        if piece in shown_on_purpose:
            continue
        found += [f"snake_case {t}" for t in SNAKE_CASE.findall(piece)]
        piece = SNAKE_CASE.sub(" ", piece)
        found += [f"code {t}" for t in DOTTED.findall(piece)]
        piece = DOTTED.sub(" ", piece)
        for word in WORD.findall(piece):
            if word in shown_on_purpose or word in ALLOWED_WORDS or SYMBOL.fullmatch(word):
                continue
            kind = "choice value" if word in choice_values else "English"
            found.append(f"{kind} {word}")
    return found


def untranslated(pieces: list[str], *, data: str) -> list[str]:
    """The Chinese in an English page's pieces of text that is not the data's own: a run of
    Chinese characters that is part of a text the database holds (`data`: those texts joined
    by NUL) is the data's."""
    return [run for piece in pieces for run in CHINESE.findall(piece) if run not in data]
