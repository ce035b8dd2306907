"""The printable questionnaire: one PDF per form language, with every question, its choices
and codes, its logic in the preview's words, a page per wizard page and rosters marked."""

import subprocess

import pytest
from django.urls import reverse

from questionnaires.presenters import ExpressionNames, expression_text
from questionnaires.services import import_questionnaire_version
from tests.questionnaires.workbooks import make_xlsx


def pdf_text(content: bytes, tmp_path) -> list[str]:
    """The text of each page, through poppler's pdftotext (independent of reportlab)."""
    path = tmp_path / "q.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return out.split("\f")[:-1]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("language", "heading", "shown_when"),
    [("zh", "访问开场", "显示条件"), ("en", "Introduction", "Shown when")],
)
def test_each_language_has_every_question_choice_code_and_condition(
    client, analyst, standard_version, tmp_path, language, heading, shown_when
):
    client.force_login(analyst)
    url = reverse("questionnaires:printable", args=[standard_version.pk, language])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_text(response.content, tmp_path)
    definition = standard_version.definition
    assert len(pages) >= 1 + len(definition["groups"])  # a cover, then a page per group
    assert heading in pages[1]
    text = flat(" ".join(pages))
    names = ExpressionNames(definition, language)
    for group in definition["groups"]:
        for question in group["questions"]:
            if question["type"] == "note":
                continue
            assert question["name"] in text, question["name"]
            assert flat(question["label"][language])[:12] in text, question["name"]
            for choice in definition["choice_lists"].get(question.get("list") or "", []):
                assert flat(choice["label"][language])[:10] in text
                assert choice["value"] in text
            if question.get("relevant"):
                worded = flat(expression_text(names.parts(question["relevant"])))
                assert f"{shown_when} {worded}"[:40] in text, question["name"]


def test_a_roster_and_its_nested_roster_are_marked(client, analyst, db, tmp_path):
    survey = [
        {"type": "integer", "name": "n", "label": "几口人"},
        {"type": "begin repeat", "name": "hh", "label": "家庭成员", "repeat_count": "${n}"},
        {"type": "text", "name": "who", "label": "姓名"},
        {"type": "begin repeat", "name": "jobs", "label": "工作经历"},
        {"type": "text", "name": "job", "label": "职业"},
        {"type": "end repeat"},
        {"type": "end repeat"},
    ]
    version = import_questionnaire_version(
        data=make_xlsx(survey=survey, choices=[], survey_header=["type", "name", "label",
                                                                 "repeat_count"],
                       choices_header=["list_name", "name", "label"],
                       settings={"form_title": "花名册", "form_id": "roster"}),
        source_name="roster.xlsx")  # fmt: skip
    client.force_login(analyst)
    [language] = version.definition["languages"]  # the one language a plain label is in
    response = client.get(reverse("questionnaires:printable", args=[version.pk, language]))
    text = flat(" ".join(pdf_text(response.content, tmp_path)))
    # a plain label is in the form's one language, "default": headings in English
    assert "家庭成员 Roster · One row per member; rows: 几口人 (n) (at most 20) Q2 姓名" in text
    assert "工作经历 One row per member; rows: as many as entered (at most 20) Q3 职业" in text
    assert "page_n" not in text  # a question outside any group has no page heading


def test_a_language_the_form_does_not_have_is_not_found(client, analyst, standard_version):
    client.force_login(analyst)
    url = reverse("questionnaires:printable", args=[standard_version.pk, "fr"])
    assert client.get(url).status_code == 404


def test_the_questionnaire_page_links_a_pdf_per_language(client, analyst, standard_version):
    client.force_login(analyst)
    content = client.get(
        reverse("questionnaires:version_detail", args=[standard_version.pk])
    ).content.decode()
    for language in ("zh", "en"):
        assert reverse("questionnaires:printable", args=[standard_version.pk, language]) in content
    assert (
        content.count("打印版问卷（PDF）") == 2 and '<span lang="en">English (en)</span>' in content
    )
