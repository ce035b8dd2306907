import pytest
from django.test import Client
from django.urls import reverse

from fieldwork.models import Case, Interview
from fieldwork.services import interviews, waves
from qc.models import Review
from tests.factories import PASSWORD
from tests.fieldwork.wizard_driver import page_data, page_of, run_to_end, submit_page


@pytest.fixture
def phone_interview(my_case, interviewer):
    return interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")


def test_completing_the_standard_questionnaire_saves_every_answer_and_runs_qc(
    browser, phone_interview, tree, django_capture_on_commit_callbacks
):
    # When the interviewer answers every page
    with django_capture_on_commit_callbacks() as after_commit:
        response = run_to_end(
            browser, phone_interview, {"sat_judicial": "2", "victim_past_year": "yes"}
        )

    # Then the interview is complete with its answers, localities and paradata
    assert response.url == reverse("fieldwork:my_cases")
    phone_interview.refresh_from_db()
    assert phone_interview.status == Interview.Status.COMPLETED
    assert phone_interview.answers["/satisfaction/sat_judicial"] == "2"
    assert phone_interview.answers["/screening/age"] == 45
    assert phone_interview.answers[
        "/victimisation_detail/victim_type"
    ]  # the skip-in page was asked
    assert (
        phone_interview.street == tree["street"] and phone_interview.community == tree["community"]
    )
    submitted = [e["step"] for e in phone_interview.paradata if e["event"] == "page_submitted"]
    assert submitted[:3] == ["opening", "screening", "locality"]
    assert "victimisation_detail" in submitted
    assert phone_interview.case.status == Case.Status.COMPLETED
    assert phone_interview.case.disposition == "1.1"
    # and quality control looks at it once the completion is committed, not inside it
    assert not Review.objects.filter(interview=phone_interview).exists()
    for callback in after_commit:
        callback()
    phone_interview.refresh_from_db()
    # a test client is far faster than any interviewer
    assert phone_interview.review.state == "flagged"
    assert phone_interview.flags.filter(rule="rushed").exists()


def test_skipped_page_is_not_asked_when_its_condition_fails(browser, phone_interview):
    run_to_end(browser, phone_interview, {"victim_past_year": "no"})
    phone_interview.refresh_from_db()
    submitted = {e["step"] for e in phone_interview.paradata if e["event"] == "page_submitted"}
    assert "victimisation_detail" not in submitted
    assert "/victimisation_detail/victim_type" not in phone_interview.answers


def test_each_submitted_page_is_in_the_database_at_once(browser, phone_interview):
    url = reverse("fieldwork:interview", args=[phone_interview.pk])
    response = browser.get(url)
    response = submit_page(browser, phone_interview, response)  # opening
    response = submit_page(browser, phone_interview, response, {"age": "61"})  # screening
    phone_interview.refresh_from_db()
    assert phone_interview.answers == {
        "/opening/consent": "yes",
        "/screening/age": 61,
        "/screening/resident_6m": "yes",
    }  # by path
    assert phone_interview.current_step == "screening"
    assert page_of(response)[0] == "locality"


def test_a_new_browser_resumes_where_the_last_one_stopped_and_loses_no_page(
    client, django_user_model, phone_interview, interviewer
):
    # Given three pages submitted in one browser session
    first = client
    first.login(username=interviewer.username, password=PASSWORD)
    url = reverse("fieldwork:interview", args=[phone_interview.pk])
    response = first.get(url)
    for answers in ({}, {"age": "33"}, {}):
        response = submit_page(first, phone_interview, response, answers)
    assert page_of(response)[0] == "safety"

    # When that browser dies (its session is gone) and the interviewer logs in anew
    first.logout()
    second = Client()
    second.login(username=interviewer.username, password=PASSWORD)
    response = second.get(url)

    # Then the wizard opens at the first page not yet submitted, with nothing lost
    assert page_of(response)[0] == "safety"
    phone_interview.refresh_from_db()
    assert phone_interview.answers["/screening/age"] == 33
    assert phone_interview.answers["/locality/street"] == "S1"
    assert phone_interview.answers["/locality/community"] == "S1C1"  # offered from the sample

    # and the interview can be finished from there; the earlier pages count
    run_to_end(second, phone_interview)
    phone_interview.refresh_from_db()
    assert phone_interview.status == Interview.Status.COMPLETED
    assert phone_interview.answers["/screening/age"] == 33


def test_going_back_and_changing_an_answer_is_recorded_in_paradata(browser, phone_interview):
    url = reverse("fieldwork:interview", args=[phone_interview.pk])
    response = browser.get(url)
    response = submit_page(browser, phone_interview, response)
    response = submit_page(browser, phone_interview, response, {"age": "50"})
    prefix = response.context["wizard"]["management_form"].prefix
    response = browser.post(
        url, {"wizard_goto_step": "screening", f"{prefix}-current_step": "locality"}
    )
    assert page_of(response)[0] == "screening"
    submit_page(browser, phone_interview, response, {"age": "52"})
    phone_interview.refresh_from_db()
    assert phone_interview.answers["/screening/age"] == 52
    changes = [e for e in phone_interview.paradata if e["event"] == "answer_changed"]
    assert [c["question"] for c in changes] == ["/screening/age"]  # the question by its path


def test_constraint_violation_is_shown_and_nothing_is_saved(browser, phone_interview):
    url = reverse("fieldwork:interview", args=[phone_interview.pk])
    response = browser.get(url)
    response = submit_page(browser, phone_interview, response)
    response = submit_page(browser, phone_interview, response, {"age": "130"})
    step, form = page_of(response)
    assert step == "screening"
    assert "age" in form.errors
    phone_interview.refresh_from_db()
    assert "/screening/age" not in phone_interview.answers


def test_too_young_respondent_is_screened_out(browser, phone_interview):
    response = run_to_end(browser, phone_interview, {"age": "12"})
    assert response.status_code == 302
    phone_interview.refresh_from_db()
    assert phone_interview.status == Interview.Status.SCREENED_OUT
    assert phone_interview.case.disposition == "4.70"
    assert phone_interview.case.status == Case.Status.CLOSED
    assert not hasattr(phone_interview, "review")  # only completed interviews go to QC


def test_refused_consent_ends_as_respondent_refusal(browser, phone_interview):
    run_to_end(browser, phone_interview, {"consent": "no"})
    phone_interview.refresh_from_db()
    assert phone_interview.case.disposition == "2.112"
    assert phone_interview.status == Interview.Status.BROKEN_OFF


def test_two_interviews_open_in_one_browser_keep_their_own_answers(
    browser, wave, interviewer, phone_interview
):
    waves.assign_cases(wave=wave, interviewer=interviewer, count=1)
    other_case = (
        wave.cases.filter(interviewer=interviewer).exclude(pk=phone_interview.case_id).get()
    )
    other = interviews.start_interview(case=other_case, interviewer=interviewer, mode="door")
    url_a = reverse("fieldwork:interview", args=[phone_interview.pk])
    url_b = reverse("fieldwork:interview", args=[other.pk])
    response_a = submit_page(browser, phone_interview, browser.get(url_a))
    response_b = submit_page(browser, other, browser.get(url_b))
    submit_page(browser, phone_interview, response_a, {"age": "20"})
    submit_page(browser, other, response_b, {"age": "70"})
    phone_interview.refresh_from_db()
    other.refresh_from_db()
    assert (phone_interview.answers["/screening/age"], other.answers["/screening/age"]) == (20, 70)


def test_another_interviewer_cannot_open_the_interview(client, other_interviewer, phone_interview):
    client.login(username=other_interviewer.username, password=PASSWORD)
    response = client.get(reverse("fieldwork:interview", args=[phone_interview.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role_fixture", ["supervisor", "analyst", "client_user"])
def test_non_interviewers_cannot_take_interviews(client, request, role_fixture, phone_interview):
    user = request.getfixturevalue(role_fixture)
    client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("fieldwork:interview", args=[phone_interview.pk]))
    assert response.status_code == 403


def test_the_last_page_finishes_only_when_every_page_on_the_path_was_submitted(
    browser, phone_interview
):
    # Given an interview at its last page with one page on the path never submitted (as when
    # a later answer brings an earlier page onto the path): the interview holds no
    # `page_submitted` event of it
    url = reverse("fieldwork:interview", args=[phone_interview.pk])
    response = browser.get(url)
    while not response.context["is_final_page"]:
        response = submit_page(browser, phone_interview, response)
    phone_interview.refresh_from_db()
    kept = [
        e
        for e in phone_interview.paradata
        if not (e["event"] == "page_submitted" and e["step"] == "screening")
    ]
    assert len(kept) == len(phone_interview.paradata) - 1
    Interview.objects.filter(pk=phone_interview.pk).update(paradata=kept)

    # When the last page is submitted
    response = submit_page(browser, phone_interview, response)

    # Then the interviewer is taken to that page instead of finishing
    assert response.status_code == 200 and page_of(response)[0] == "screening"
    phone_interview.refresh_from_db()
    assert phone_interview.status == Interview.Status.IN_PROGRESS
    # and once it is submitted the interview can be finished
    run_to_end(browser, phone_interview)
    phone_interview.refresh_from_db()
    assert phone_interview.status == Interview.Status.COMPLETED


def test_the_stop_form_below_a_page_is_in_the_reader_s_language(browser, phone_interview):
    # The empty "stop and make an appointment" form is drawn once per language and reused:
    # a page in one language never shows it in the other.
    url = reverse("fieldwork:interview", args=[phone_interview.pk])
    chinese = browser.get(url, headers={"accept-language": "zh-hans"}).content.decode()
    english = browser.get(url, headers={"accept-language": "en"}).content.decode()
    again = browser.get(url, headers={"accept-language": "zh-hans"}).content.decode()

    for page, label, other in (
        (chinese, "回访时间", "Call back at"),
        (english, "Call back at", "回访时间"),
    ):
        stop = page[page.index('id="stop-interview"') :]
        assert label in stop and other not in stop
        assert 'name="at"' in stop and 'name="kind"' in stop and 'name="window_end"' in stop
    assert "回访时间" in again[again.index('id="stop-interview"') :]


def test_a_page_with_an_error_shows_the_error_next_to_its_question(browser, phone_interview):
    url = reverse("fieldwork:interview", args=[phone_interview.pk])
    response = submit_page(browser, phone_interview, browser.get(url))  # opening: consent
    step, _form = page_of(response)
    assert step == "screening"

    # When the age is left empty
    data = {k: v for k, v in page_data(response).items() if not k.endswith("-age")}
    response = browser.post(url, data)

    # Then the same page comes back with the error inside the age question's block only
    assert response.status_code == 200 and page_of(response)[0] == "screening"
    page = response.content.decode()
    block = page[page.index('data-question="age"') :]
    block = block[: block.index('class="question"') if 'class="question"' in block else None]
    assert 'class="errorlist' in block
    assert page.count('class="errorlist') == 1
