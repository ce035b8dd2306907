"""Definition → XLSForm: parse(export(definition)) == definition."""

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from questionnaires.standard import build_standard_xlsx
from questionnaires.xlsform import parse_xlsform
from questionnaires.xlsform_export import export_workbook, language_column
from tests.questionnaires.workbooks import kobo_xlsx, make_xlsx, rich_xlsx

STANDARD = Path(build_standard_xlsx.__file__).with_name("standard_questionnaire.xlsx")


def parsed(data: bytes, name: str = "form.xlsx") -> dict:
    return parse_xlsform(data, name).definition


def sheet_rows(data: bytes, sheet: str) -> list[dict]:
    rows = list(load_workbook(BytesIO(data))[sheet].values)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize(
    "build",
    [lambda: STANDARD.read_bytes(), rich_xlsx, kobo_xlsx, make_xlsx],
    ids=["standard", "rich", "kobo", "small"],
)
def test_round_trip_gives_the_same_definition(build):
    definition = parsed(build())
    assert parsed(export_workbook(definition), "exported.xlsx") == definition


def test_round_trip_is_stable():
    once = export_workbook(parsed(rich_xlsx()))
    assert parsed(export_workbook(parsed(once))) == parsed(once)


def test_exported_standard_keeps_languages_and_settings():
    data = export_workbook(parsed(STANDARD.read_bytes()))
    [settings] = sheet_rows(data, "settings")
    assert settings == {
        "form_title": "群众安全感满意度调查（标准版）",
        "form_id": "safety_standard",
        "default_language": "中文 (zh)",
    }
    survey = {row["name"]: row for row in sheet_rows(data, "survey") if row["name"]}
    assert survey["consent"]["label::English (en)"] == "Are you willing to take part?"
    assert survey["street"]["type"] == "select_one_from_file localities.csv"
    # the locality cascade is written out for ODK tools
    assert survey["street"]["choice_filter"] == "parent = ${district}"
    assert survey["community"]["choice_filter"] == "parent = ${street}"
    assert survey["district"]["choice_filter"] is None


def test_exported_choices_carry_scores_positive_and_extra_columns():
    data = export_workbook(parsed(rich_xlsx()))
    choices = sheet_rows(data, "choices")
    five = next(c for c in choices if c["list_name"] == "sat5" and c["name"] == "5")
    assert (five["score"], five["positive"]) == (100, 1)
    dont_know = next(c for c in choices if c["list_name"] == "sat5" and c["name"] == "9")
    assert (dont_know["score"], dont_know["positive"]) == (None, None)
    changsha = next(c for c in choices if c["name"] == "cs")
    assert changsha["province"] == "hn"
    assert any(c["list_name"] == "dimensions" and c["name"] == "public_order" for c in choices)


def test_exported_question_columns():
    data = export_workbook(parsed(rich_xlsx()))
    survey = sheet_rows(data, "survey")
    rows = {row["name"]: row for row in survey if row["name"]}
    assert rows["sat_police"]["score_map"] == "5=100 4=75 3=50 2=25 1=0 9="
    assert rows["sat_police"]["satisfied"] == "5 4 3"
    assert rows["sat_police"]["backcheck"] == "yes"
    assert rows["household"]["type"] == "begin repeat"
    assert rows["household"]["repeat_count"] == "${household_size}"
    assert rows["household"]["repeat_max"] == 10
    # a question outside any group stays outside: the tree is written as it is
    assert "page_welcome" not in rows and rows["welcome"]["type"] == "note"
    assert [row["type"] for row in survey].count("end repeat") == 1


def test_a_fractional_score_and_another_language_survive():
    definition = parsed(rich_xlsx())
    definition["choice_lists"]["sat5"][1]["score"] = 62.5
    definition["languages"] = ["zh", "en", "bo"]
    household = next(node for node in definition["tree"] if node.get("name") == "household_page")
    household["label"]["bo"] = "ཁྱིམ་ཚང་།"
    again = parsed(export_workbook(definition))
    assert again["languages"] == ["zh", "en", "bo"]
    assert again["language_names"]["bo"] == "bo (bo)"
    assert again["choice_lists"]["sat5"][1]["score"] == 62.5
    page = next(page for page in again["groups"] if page["path"] == "/household_page")
    assert page["label"]["bo"] == "ཁྱིམ་ཚང་།"
    assert again["tree"] == definition["tree"]


def test_language_column_names():
    assert language_column("zh") == "中文 (zh)"
    assert language_column("en") == "English (en)"
    assert language_column("bo") == "bo (bo)"
