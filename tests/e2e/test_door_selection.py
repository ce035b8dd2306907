"""A door-to-door interview on a tablet: the household roster entered row by row, Kish
selects a member, the interview names her and offers her sex and age, the interviewer
records another sex, and the interview reaches the review page flagged for it.

Chromium at a tablet's size (820×1180) against the live server, in Chinese (the default).
"""

import os
from pathlib import Path

import pytest

from fieldwork.models import Interview, RespondentSelection
from qc.models import Flag, Review
from sampling import household
from tests.e2e.conftest import answer_current_page, log_in
from tests.factories import PASSWORD

TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1366, "height": 900}
# Screenshots to look at, when E2E_SCREENSHOTS names a directory.
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def _fill_row(page, index: int, name: str, sex: str, age: str) -> None:
    row = page.locator("#roster-form [data-roster-row]").nth(index)
    row.locator("input[name=member_name]").fill(name)
    row.locator("select[name=member_sex]").select_option(sex)
    row.locator("input[name=member_age]").fill(age)


def _shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(SHOTS) / f"door-{name}.png", full_page=True)


def _interview_recording_another_sex(page, chosen: household.Adult) -> tuple[int, str, str]:
    """Take the interview to its end recording the other sex, confirming when a page is held.
    Returns (pages held, the age offered, the sex offered)."""
    page.click("#start-door-interview")
    page.wait_for_url("**/interviews/**")
    other_sex = "male" if chosen.sex == "F" else "female"
    seen_age = seen_sex = None
    held = 0
    for _ in range(20):
        page.wait_for_load_state()
        if "/interviews/" not in page.url:
            break
        assert chosen.name in page.inner_text("#respondent")
        if page.locator("#confirm-respondent").count():
            # Told before finishing: the page is held until the interviewer confirms
            held += 1
            assert chosen.name in page.inner_text("#respondent-warning")
            assert "不符" in page.inner_text("#respondent-warning")
            _shoot(page, "held-tablet")
            page.check("#confirm-respondent input[type=checkbox]")
            with page.expect_navigation():
                page.click("#next")
            continue
        age = page.locator("[data-question=age] input[type=number]")
        if age.count() and seen_age is None:
            seen_age = age.input_value()  # as the page offers it
        sex = page.locator("[data-question=sex] input[type=radio]:checked")
        if sex.count() and seen_sex is None:
            seen_sex = sex.get_attribute("value")
            _shoot(page, "interview-sex-tablet")
        answer_current_page(page, {"age": str(chosen.age), "sex": other_sex})
        with page.expect_navigation():
            page.click("#next")
    return held, seen_age, seen_sex


@pytest.mark.django_db(transaction=True)
def test_a_door_interview_with_the_wrong_sex_is_flagged_on_the_review_page(
    live_server, chromium, my_case, interviewer, supervisor
):
    base = live_server.url
    context = chromium.new_context(locale="zh-CN", viewport=TABLET, has_touch=True)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, base, interviewer.username, PASSWORD)
        page.goto(f"{base}/fieldwork/cases/{my_case.pk}/?mode=door")

        # The roster starts with four rows; the household has five members, one added
        rows = page.locator("#roster-form [data-roster-row]")
        assert rows.count() == 4
        page.click("[data-roster-add]")
        page.click("[data-roster-add]")
        assert rows.count() == 6
        rows.nth(5).locator("[data-roster-remove]").click()  # one too many: removed
        assert rows.count() == 5
        assert rows.nth(4).locator("[data-roster-number]").inner_text() == "5"
        members = [
            ("王强", "M", "52"),
            ("李娜", "F", "49"),
            ("王小明", "M", "23"),
            ("王芳", "F", "20"),
            ("王乐", "M", "9"),  # a child: listed, not eligible
        ]
        for index, member in enumerate(members):
            _fill_row(page, index, *member)
        _shoot(page, "roster-tablet")
        page.click("#select-respondent")
        page.wait_for_load_state()

        # Kish chooses by the case's table among the four adults
        adults = [household.Adult(n, s, int(a)) for n, s, a in members if int(a) >= 16]
        chosen = household.kish_select(adults, table=household.kish_table(serial=my_case.pk))
        selection = RespondentSelection.objects.get(case=my_case)
        assert selection.selected_label == chosen.name and len(selection.roster) == 5
        card = page.inner_text("#respondent-selection")
        assert "应访问的成员" in card and chosen.name in card
        assert page.locator("#respondent-selection tr.selected").inner_text().count(chosen.name)
        _shoot(page, "selected-tablet")

        # The interview shows the selected member and offers her sex and age
        held, seen_age, seen_sex = _interview_recording_another_sex(page, chosen)
        assert held == 1
        assert seen_age == str(chosen.age)
        assert seen_sex == ("female" if chosen.sex == "F" else "male")
        interview = Interview.objects.get(case=my_case)
        assert interview.status == Interview.Status.COMPLETED

        # Quality control flags it, and the supervisor sees why on the review page
        flag = Flag.objects.get(interview=interview, rule="respondent_mismatch")
        assert flag.severity == "high"
        assert Review.objects.get(interview=interview).state == Review.State.FLAGGED
        review = context.new_page()
        context.clear_cookies()
        log_in(review, base, supervisor.username, PASSWORD)
        review.goto(f"{base}/qc/interviews/{interview.pk}/")
        flagged = review.inner_text("[data-rule=respondent_mismatch]")
        assert "非入户抽选的受访者" in flagged and "受访者与入户抽选的成员" in flagged
        household_card = review.inner_text("#household-selection")
        assert chosen.name in household_card and "访问中记录" in household_card
        _shoot(review, "review-tablet")
        review.set_viewport_size(DESKTOP)
        _shoot(review, "review-desktop")
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_a_roster_entered_offline_waits_on_the_tablet_and_selects_once(
    live_server, chromium, my_case, interviewer
):
    context = chromium.new_context(locale="zh-CN", viewport=TABLET, has_touch=True)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, live_server.url, interviewer.username, PASSWORD)
        page.goto(f"{live_server.url}/fieldwork/cases/{my_case.pk}/?mode=door")
        _fill_row(page, 0, "王强", "M", "52")
        _fill_row(page, 1, "李娜", "F", "49")

        # No connection at the door: the roster is kept on the device, nothing is selected yet
        context.set_offline(True)
        page.click("#select-respondent")
        page.locator("#offline-queue").wait_for(state="visible")
        assert page.locator("#offline-queue li").count() == 1
        assert not RespondentSelection.objects.filter(case=my_case).exists()

        # The connection returns: the roster is sent by itself, and selects exactly once
        context.set_offline(False)
        # (the page opens the case again once it is sent)
        page.locator("#respondent-selection").wait_for()
        assert page.locator("#offline-queue li").count() == 0
        selection = RespondentSelection.objects.get(case=my_case)
        assert [m["name"] for m in selection.roster] == ["王强", "李娜"]
        assert selection.selected_label in page.inner_text("#respondent-selection")
        page.goto(f"{live_server.url}/fieldwork/cases/{my_case.pk}/?mode=door")
        assert RespondentSelection.objects.filter(case=my_case).count() == 1
    finally:
        context.close()
