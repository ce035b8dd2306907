"""The form's languages exactly as pyxform reads them. Pure: no Django.

pyxform keys every translatable text by a language name: the part after `::` in a column such
as `label::中文 (zh)`, or, for untagged columns, the settings sheet's `default_language`
(else "default"). The code we keep is the one in parentheses ("zh"); a name without a code is
kept as the form gives it ("French"); untagged text is the form's default language, whose code
is that of `default_language` or "default". No text is ever dropped.
"""

import re
from typing import Any

__all__ = ["DEFAULT", "Languages", "language_code"]

DEFAULT = "default"
_CODE = re.compile(r"\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\s*\)\s*$")


def language_code(name: str) -> str:
    """'中文 (zh)' → 'zh'; 'French' → 'French'; 'default' → 'default'."""
    match = _CODE.search(name)
    return match.group(1) if match else name.strip()


class Languages:
    """Collects the languages a form uses and turns pyxform texts into {code: text}."""

    def __init__(self, default_name: str | None) -> None:
        self.default_name = (default_name or DEFAULT).strip() or DEFAULT
        self.default_code = language_code(self.default_name)
        self.names: dict[str, str] = {}  # code → the name the form gives it
        self.missing: dict[str, list[str]] = {}  # code → paths without a text in it
        self._texts: list[tuple[str, dict]] = []

    def code(self, name: str) -> str:
        code = language_code(name)
        self.names.setdefault(code, name)
        return code

    def text(self, value: Any, *, where: str = "") -> dict | None:
        """A translatable cell as {code: text}, or None when empty."""
        if value is None or value == "":
            return None
        if isinstance(value, dict):
            texts = {self.code(str(name)): str(text) for name, text in value.items() if text}
        else:
            texts = {self.code(self.default_name): str(value)}
        if texts and where:
            self._texts.append((where, texts))
        return texts or None

    def ordered(self) -> list[str]:
        """Every language used, the default first."""
        codes = list(self.names) or [self.default_code]
        if self.default_code in codes:
            codes.remove(self.default_code)
            codes.insert(0, self.default_code)
        return codes

    def gaps(self) -> dict[str, list[str]]:
        """{code: [where, ...]} for texts that lack a translation into a language in use."""
        codes = self.ordered()
        if len(codes) < 2:
            return {}
        gaps: dict[str, list[str]] = {}
        for where, texts in self._texts:
            for code in codes:
                if code not in texts:
                    gaps.setdefault(code, []).append(where)
        return gaps
