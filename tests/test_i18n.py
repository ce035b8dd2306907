"""The UI speaks Simplified Chinese by default, English on request, and every string is
translatable."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# Words that stay as they are in every language.
UNTRANSLATED_WORDS = {
    "PDF",
    "CSV",
    "XLSX",
    "XLSForm",
    "CATI",
    "CAPI",
    "AAPOR",
    "ID",
    "n",
    "N_h",
    "n_h",
}


def _template_text(source: str) -> str:
    """What a template shows as literal text: no tags, variables, comments or markup, and
    nothing shown as it is (<code>, <kbd>)."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{%\s*blocktrans.*?{%\s*endblocktrans\w*\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    # what a person types or reads back exactly (a question's name, a file's column)
    source = re.sub(r"<(code|kbd)\b[^>]*>.*?</\1>", " ", source, flags=re.S)
    source = re.sub(r"<[^>]*>", " ", source, flags=re.S)
    return re.sub(r"&[a-z]+;", " ", source)


@pytest.mark.parametrize(
    "template", sorted(ROOT.glob("templates/**/*.html")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_templates_show_no_untranslated_english(template):
    words = re.findall(r"[A-Za-z][A-Za-z_']+", _template_text(template.read_text()))
    assert not [w for w in words if w not in UNTRANSLATED_WORDS], template


def _entries(po: str) -> list[tuple[str, str, bool]]:
    entries = []
    for block in po.split("\n\n"):
        msgid = "".join(
            re.findall(r'^(?:msgid|msgid_plural)? ?"(.*)"$', block.split("msgstr")[0], re.M)
        )
        msgstr = (
            "".join(
                re.findall(
                    r'^(?:msgstr(?:\[0\])?)? ?"(.*)"$',
                    "msgstr" + block.split("msgstr", 1)[-1],
                    re.M,
                )
            )
            if "msgstr" in block
            else ""
        )
        entries.append((msgid, msgstr, "#, fuzzy" in block))
    return [e for e in entries if e[0]]


def test_the_chinese_catalogue_translates_every_message():
    entries = _entries(CATALOGUE.read_text())
    assert len(entries) > 300
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []
    assert CATALOGUE.with_suffix(".mo").stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


def test_pages_are_in_chinese_by_default_and_in_english_on_request(client, interviewer):
    client.login(username=interviewer.username, password=PASSWORD)
    chinese = client.get(reverse("fieldwork:my_cases")).content.decode()
    with translation.override("zh-hans"):
        assert "我的样本" in chinese or translation.gettext("My cases") in chinese
    assert "My cases" not in chinese

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("fieldwork:my_cases")).content.decode()
    assert "My cases" in english
