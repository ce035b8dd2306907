"""The questionnaire designer in a real browser: upload, preview, errors, versions, download."""

import pytest

from questionnaires.models import QuestionnaireVersion
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
from tests.questionnaires.workbooks import make_xlsx, survey_row, valid_survey


def two_page_survey(label: str = "满意吗") -> list[dict]:
    return [
        survey_row("begin group", "screen", "筛选"),
        survey_row("select_one sat5", "q1", label, dimension="public_order", indicator="order"),
        survey_row("end group"),
        survey_row("begin group", "page2", "第二页", relevant="${q1} = '5'"),
        survey_row("integer", "age", "年龄", constraint=". >= 0 and . <= 120"),
        survey_row("end group"),
    ]


@pytest.mark.django_db(transaction=True)
def test_analyst_uploads_previews_and_versions_a_questionnaire(
    live_server, new_page, analyst, tmp_path
):
    base = live_server.url
    page = new_page()
    log_in(page, base, analyst.username, PASSWORD)

    # A workbook with a mistake: the table names the sheet, row and column; nothing is saved
    bad_survey = valid_survey()
    bad_survey[1]["dimension"] = "nope"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(make_xlsx(survey=bad_survey))
    page.goto(f"{base}/questionnaires/upload/")
    page.set_input_files("input[name=file]", str(bad))
    page.fill("input[name=code]", "district-2026")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    cells = page.locator("#import-errors tbody tr").first.locator("td").all_inner_texts()
    assert cells[:3] == ["survey", "3", "dimension"]
    assert not QuestionnaireVersion.objects.exists()

    # A good workbook is published and previewed with its logic in words
    good = tmp_path / "district.xlsx"
    good.write_bytes(make_xlsx(survey=two_page_survey()))
    page.set_input_files("input[name=file]", str(good))
    page.fill("input[name=code]", "district-2026")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    first = QuestionnaireVersion.objects.get()
    assert page.url.endswith(f"/questionnaires/versions/{first.pk}/")
    condition = page.inner_text("#page-page2 code.expr")
    assert condition == "满意吗 (q1) = 满意"
    assert "年龄" in page.inner_text("#page-page2")

    # The original workbook downloads unchanged
    with page.expect_download() as download:
        page.click(f"a[href$='/versions/{first.pk}/download/']")
    saved = tmp_path / "downloaded.xlsx"
    download.value.save_as(saved)
    assert saved.read_bytes() == good.read_bytes()

    # A second version: the list and the changes page say what changed
    second_file = tmp_path / "district-v2.xlsx"
    second_file.write_bytes(make_xlsx(survey=two_page_survey(label="您满意吗")))
    page.goto(f"{base}/questionnaires/upload/")
    page.set_input_files("input[name=file]", str(second_file))
    page.fill("input[name=code]", "district-2026")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    second = QuestionnaireVersion.objects.get(number=2)
    page.goto(f"{base}/questionnaires/")
    page.click(f"a[href$='/versions/{second.pk}/changes/']")
    page.wait_for_load_state()
    assert page.inner_text("#count-label") == "1"
    assert page.inner_text("#count-added") == "0"
    assert "您满意吗" in page.inner_text("main")
