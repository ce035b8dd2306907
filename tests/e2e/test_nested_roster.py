"""Rosters nested in roster rows, in a real browser: the hand-written two-language household
form (members → children → vaccines) tried by a designer, rows added at the inner level,
questions brought on by the row's own answers; then its preview's tree."""

import os
from pathlib import Path

import pytest

from questionnaires.services import import_questionnaire_version
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD

FORM = Path(__file__).resolve().parents[1] / "questionnaires" / "forms" / "nested_household.xlsx"
SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/screenshots"))


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (820, 1180)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_nested_roster_is_answered_in_the_browser(live_server, new_page, analyst):
    version = import_questionnaire_version(data=FORM.read_bytes(), source_name=FORM.name)
    base = live_server.url
    page = new_page()
    log_in(page, base, analyst.username, PASSWORD)
    page.goto(f"{base}/fieldwork/trials/{version.pk}/")
    page.check("input[name='intro-consent'][value='yes']")
    page.fill("input[name='intro-n_members']", "2")
    page.click("#next")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "家庭成员"

    field = "input[name='members-{}'], textarea[name='members-{}']"
    page.fill(field.format("name__0", "name__0"), "李华")
    page.fill(field.format("age__0", "age__0"), "40")
    page.check("input[name='members-sex__0'][value='1']")
    page.fill(field.format("occupation__0", "occupation__0"), "教师")
    page.fill(field.format("name__1", "name__1"), "王芳")
    page.fill(field.format("age__1", "age__1"), "12")
    page.check("input[name='members-sex__1'][value='2']")
    assert page.locator("[name='members-occupation__1']").count() == 0  # position(..) = 1
    page.click("#next")  # the first member's age brings "any children?" onto the page
    page.wait_for_load_state()
    page.check("input[name='members-has_children__0'][value='yes']")
    page.click("#next")  # ... and "yes" brings the children roster, one row
    page.wait_for_load_state()
    assert "家庭成员 1 › 子女" in page.inner_text("table.nested-roster caption")
    page.fill(field.format("children.child_name__0_0", "children.child_name__0_0"), "小明")
    page.fill(field.format("children.child_age__0_0", "children.child_age__0_0"), "4")
    page.get_by_role("button", name="在 家庭成员 1 › 子女 中添加一行").click()
    page.wait_for_load_state()
    assert page.input_value("[name='members-children.child_name__0_0']") == "小明"
    page.fill(field.format("children.child_name__0_1", "children.child_name__0_1"), "小红")
    page.fill(field.format("children.child_age__0_1", "children.child_age__0_1"), "8")
    page.click("#next")  # the young child's vaccines roster and the older one's school
    page.wait_for_load_state()
    page.fill(field.format("children.vaccines.vaccine__0_0_0", "children.vaccines.vaccine__0_0_0"),
              "卡介苗")  # fmt: skip
    page.check("input[name='members-children.in_school__0_1'][value='yes']")
    shoot(page, "nested-roster")
    page.click("#next")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "评价"

    page.goto(f"{base}/questionnaires/versions/{version.pk}/")
    page.wait_for_load_state()
    outline = page.inner_text("#structure")
    assert "疫苗名称" in outline and "/members/children/vaccines" in outline
    shoot(page, "preview-tree")
