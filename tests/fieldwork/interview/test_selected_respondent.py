"""The door-to-door selection carried into the interview: the selected member's name in the
header, their sex and age offered on the form, a warning when the answers describe someone
else, and quality control's flag when the interview is completed that way."""

import pytest
from django.urls import reverse

from fieldwork.services import interviews, respondents
from qc.models import Flag
from qc.rules import RESPONDENT_MISMATCH
from tests.fieldwork.wizard_driver import page_data, page_of, run_to_end, submit_page

# One eligible member, so every method and every Kish table selects her.
ROSTER = [
    {"name": "李娜", "sex": "F", "age": "49", "birthday": ""},
    {"name": "小明", "sex": "M", "age": "9", "birthday": ""},
]


@pytest.fixture
def door_interview(my_case, interviewer):
    respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", members=ROSTER
    )
    return interviews.start_interview(case=my_case, interviewer=interviewer, mode="door")


def pages_until(browser, interview, step: str, answers: dict):
    url = reverse("fieldwork:interview", args=[interview.pk])
    response = browser.get(url)
    while page_of(response)[0] != step:
        response = submit_page(browser, interview, response, answers)
        if response.status_code == 302:
            response = browser.get(response.url)
    return response


def finish_confirming(browser, interview, answers: dict) -> list[str]:
    """Answer every page to the end, ticking the confirmation whenever a page is held for
    describing someone else; returns the steps that were held."""
    url = reverse("fieldwork:interview", args=[interview.pk])
    response, held = browser.get(url), []
    for _ in range(30):
        if response.status_code == 302:
            return held
        data = page_data(response, answers)
        if response.context["confirm_respondent"]:
            held.append(page_of(response)[0])
            data["respondent_confirmed"] = "on"
        response = browser.post(url, data)
    raise AssertionError("the wizard did not finish")


def test_the_interview_names_the_selected_member_and_offers_her_age_and_sex(
    browser, door_interview, english
):
    response = pages_until(browser, door_interview, "screening", {})
    page = response.content.decode()
    assert 'id="respondent"' in page and "李娜 (female, 49)" in page
    _step, form = page_of(response)
    assert form.initial["age"] == 49
    response = pages_until(browser, door_interview, "demographics", {"age": "49"})
    _step, form = page_of(response)
    assert form.initial["sex"] == "female"
    assert 'id="respondent-warning"' not in response.content.decode()


def test_a_phone_interview_carries_no_household_member(browser, my_case, interviewer):
    respondents.select_respondent(
        case=my_case, interviewer=interviewer, method="kish", members=ROSTER
    )
    interview = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    response = pages_until(browser, interview, "screening", {})
    assert 'id="respondent"' not in response.content.decode()
    assert "age" not in page_of(response)[1].initial


def test_an_age_beyond_the_tolerance_holds_the_page_until_confirmed(
    browser, door_interview, english
):
    # Within two years: the same person, the page goes through
    response = pages_until(browser, door_interview, "locality", {"age": "47"})
    assert 'id="respondent-warning"' not in response.content.decode()
    door_interview.refresh_from_db()
    assert door_interview.answers["/screening/age"] == 47
    # Three years off: the page is shown again with the warning, nothing saved
    url = reverse("fieldwork:interview", args=[door_interview.pk])
    prefix = f"interview_{door_interview.pk}"
    back = browser.post(
        url, {"wizard_goto_step": "screening", f"{prefix}-current_step": "locality"}
    )
    response = submit_page(browser, door_interview, back, {"age": "46"})
    page = response.content.decode()
    assert page_of(response)[0] == "screening"
    assert "does not match the selected person, 李娜 (female, 49)" in page
    assert "age recorded: 46" in page and 'name="respondent_confirmed"' in page
    door_interview.refresh_from_db()
    assert door_interview.answers["/screening/age"] == 47
    # Confirmed, the answer is kept and the interview moves on
    data = page_data(response, {"age": "46"}) | {"respondent_confirmed": "on"}
    response = browser.post(url, data)
    door_interview.refresh_from_db()
    assert door_interview.answers["/screening/age"] == 46
    assert page_of(browser.get(url))[0] == "locality"


def test_a_different_sex_is_flagged_for_quality_control(
    browser, door_interview, english, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        held = finish_confirming(browser, door_interview, {"age": "49", "sex": "male"})
    assert held == ["demographics"]  # the interviewer was told before finishing
    flag = Flag.objects.get(interview=door_interview, rule=RESPONDENT_MISMATCH)
    assert flag.severity == "high"
    assert "not the household member selected (female, 49)" in flag.reason_en
    assert "sex recorded as male" in flag.reason_en
    assert "受访者与入户抽选的成员（女，49 岁）不符：性别记录为男" in flag.reason
    assert flag.details["said_sex"] == "M" and flag.details["selected_sex"] == "F"
    door_interview.review.refresh_from_db()
    assert door_interview.review.state == "flagged"


def test_the_selected_member_answering_raises_no_flag(
    browser, door_interview, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_to_end(browser, door_interview, {"age": "51", "sex": "female"})
    assert not Flag.objects.filter(interview=door_interview, rule=RESPONDENT_MISMATCH).exists()


def test_the_review_page_shows_the_flag_and_the_household(
    browser, door_interview, supervisor, client, english, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        finish_confirming(browser, door_interview, {"age": "45", "sex": "male"})
    client.force_login(supervisor)
    response = client.get(reverse("qc:review_detail", args=[door_interview.pk]))
    page = response.content.decode()
    flag = page[page.index('data-rule="respondent_mismatch"') :]
    flag = flag[: flag.index("</li>")]
    assert "Not the selected household member" in flag and "sex recorded as male" in flag
    household = page[page.index('id="household-selection"') :]
    assert "Interview no. 1: 李娜 (female, 49)" in household
    assert "Recorded in the interview: male, 45 years" in household
