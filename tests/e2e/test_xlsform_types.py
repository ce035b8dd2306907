"""A form with nested groups and the new XForm types, uploaded with its data file and tried in
a real browser: breadcrumbs, range, time, datetime, acknowledge, a select from the attached
CSV and or_other's text box."""

import os
from pathlib import Path

import pytest

from questionnaires.models import QuestionnaireAttachment, QuestionnaireVersion
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
from tests.questionnaires.workbooks import make_xlsx

HEADER = ["type", "name", "label", "parameters", "required"]
SURVEY = [
    {"type": "begin group", "name": "household", "label": "住户情况"},
    {"type": "begin group", "name": "visit", "label": "本次走访", "required": None},
    {"type": "range", "name": "score", "label": "给社区治安打分",
     "parameters": "start=0 end=10 step=2", "required": "yes"},
    {"type": "time", "name": "t", "label": "入户时间"},
    {"type": "datetime", "name": "dt", "label": "预约回访时间"},
    {"type": "acknowledge", "name": "ack", "label": "已告知受访者录音", "required": "yes"},
    {"type": "select_one_from_file towns.csv", "name": "town", "label": "所在乡镇"},
    {"type": "select_one yn or_other", "name": "pick", "label": "是否参加过平安宣传"},
    {"type": "end group"},
    {"type": "end group"},
]  # fmt: skip
CHOICES = [
    {"list_name": "yn", "name": "yes", "label": "是"},
    {"list_name": "yn", "name": "no", "label": "否"},
]
SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/screenshots"))


@pytest.mark.django_db(transaction=True)
def test_a_nested_form_with_new_types_and_its_data_file_runs_in_the_browser(
    live_server, new_page, analyst, tmp_path
):
    base = live_server.url
    page = new_page()
    log_in(page, base, analyst.username, PASSWORD)
    form = tmp_path / "types.xlsx"
    form.write_bytes(make_xlsx(survey=SURVEY, choices=CHOICES, survey_header=HEADER,
                               choices_header=["list_name", "name", "label"],
                               settings={"form_title": "新题型", "form_id": "types"}))  # fmt: skip
    towns = tmp_path / "towns.csv"
    towns.write_text("name,label\nt1,东镇\nt2,西镇\n", encoding="utf-8")

    page.goto(f"{base}/questionnaires/upload/")
    page.set_input_files("input[name=file]", str(form))
    page.set_input_files("input[name=attachments]", [str(towns)])
    page.fill("input[name=code]", "types")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    version = QuestionnaireVersion.objects.get()
    assert QuestionnaireAttachment.objects.get(version=version).name == "towns.csv"

    page.goto(f"{base}/fieldwork/trials/{version.pk}/")
    page.wait_for_load_state()
    assert page.inner_text("nav.breadcrumbs") == "住户情况"
    assert page.inner_text("h1") == "本次走访"
    assert "西镇" in page.inner_text("main")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (820, 1180)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"xlsform-types-{width}.png"), full_page=True)

    prefix = "visit"
    page.fill(f"input[name='{prefix}-score']", "4")
    page.fill(f"input[name='{prefix}-t']", "09:30")
    page.fill(f"input[name='{prefix}-dt']", "2026-05-01T10:15")
    page.check(f"input[name='{prefix}-ack']")
    page.check(f"input[name='{prefix}-town'][value='t2']")
    page.check(f"input[name='{prefix}-pick'][value='other']")
    # "other" brings its text box onto the page as soon as it is chosen, without a round trip
    page.fill(f"textarea[name='{prefix}-pick_other']", "社区讲座")
    page.click("#next")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "/household/visit/pick_other" in text and "社区讲座" in text
