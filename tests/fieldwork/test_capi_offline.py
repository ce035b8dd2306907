"""Pages sent again after a connection drop are applied exactly once (submission keys)."""

import uuid

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from fieldwork import capi_services, services
from fieldwork.models import Interview, SubmissionKey
from tests.conftest import PASSWORD
from tests.fieldwork.wizard_driver import page_data, page_of


@pytest.fixture
def interview(my_case, interviewer):
    return services.start_interview(case=my_case, interviewer=interviewer, mode="door")


@pytest.fixture
def browser(client, interviewer):
    client.login(username=interviewer.username, password=PASSWORD)
    return client


def _url(interview):
    return reverse("fieldwork:interview", args=[interview.pk])


def _keyed(response, answers=None, key=None):
    """The page's POST data as the browser sends it: with its key and page version."""
    data = page_data(response, answers)
    data["submission_key"] = str(key or uuid.uuid4())
    data["page_version"] = str(response.context["page_version"])
    return data


def _submitted(interview):
    interview.refresh_from_db()
    return [e["step"] for e in interview.paradata if e["event"] == "page_submitted"]


def test_the_page_carries_its_version_and_a_key_field(browser, interview):
    response = browser.get(_url(interview))
    page = response.content.decode()
    assert 'name="submission_key"' in page
    assert 'name="page_version" value="0"' in page


def test_the_same_page_sent_twice_is_applied_once(browser, interview):
    opening = browser.get(_url(interview))
    data = _keyed(opening)

    first = browser.post(_url(interview), data)
    second = browser.post(_url(interview), data)

    assert first.status_code == 200 and page_of(first)[0] == "screening"
    assert "X-Duplicate-Submission" not in first
    assert second.status_code == 302 and second["X-Duplicate-Submission"] == "1"
    assert second.url == _url(interview)
    assert _submitted(interview) == ["opening"]
    assert SubmissionKey.objects.get(key=data["submission_key"]).applied
    # the browser is told which page arrived, so it can forget it
    assert second.cookies["submission_received"].value == data["submission_key"]


def test_a_duplicate_changes_nothing_even_with_other_answers(browser, interview):
    opening = browser.post(_url(interview), _keyed(browser.get(_url(interview))))
    key = uuid.uuid4()
    browser.post(_url(interview), _keyed(opening, {"age": "61"}, key))

    browser.post(_url(interview), _keyed(opening, {"age": "33"}, key))

    interview.refresh_from_db()
    assert interview.answers["age"] == 61
    assert _submitted(interview) == ["opening", "screening"]


def test_a_page_kept_offline_after_the_interview_went_on_is_not_applied(browser, interview):
    # Given the screening page kept on the tablet while offline ...
    screening = browser.post(_url(interview), _keyed(browser.get(_url(interview))))
    kept = _keyed(screening, {"age": "70"})
    # ... and the same page answered again (say, after reopening the interview), moving on
    browser.post(_url(interview), _keyed(screening, {"age": "52"}))

    # When the kept page arrives at last
    response = browser.post(_url(interview), kept)

    # Then it is refused as stale: the newer answers stand and the key is spent
    assert response.status_code == 302 and response["X-Stale-Submission"] == "1"
    interview.refresh_from_db()
    assert interview.answers["age"] == 52
    assert _submitted(interview) == ["opening", "screening"]
    assert SubmissionKey.objects.get(key=kept["submission_key"]).applied is False
    assert browser.post(_url(interview), kept)["X-Duplicate-Submission"] == "1"


def test_going_back_and_resubmitting_an_earlier_page_is_not_stale(browser, interview):
    screening = browser.post(_url(interview), _keyed(browser.get(_url(interview))))
    data = _keyed(screening)
    data["wizard_goto_step"] = "opening"
    opening_again = browser.post(_url(interview), data)
    assert page_of(opening_again)[0] == "opening"

    response = browser.post(_url(interview), _keyed(opening_again))

    assert response.status_code == 200 and page_of(response)[0] == "screening"
    assert _submitted(interview) == ["opening", "opening"]


def test_a_page_without_key_is_saved_as_before(browser, interview):
    opening = browser.get(_url(interview))
    browser.post(_url(interview), page_data(opening))
    browser.post(_url(interview), page_data(opening))
    assert _submitted(interview) == ["opening", "opening"]
    assert not SubmissionKey.objects.exists()


def test_a_malformed_key_is_ignored(browser, interview):
    opening = browser.get(_url(interview))
    data = {**_keyed(opening), "submission_key": "not-a-uuid"}
    assert browser.post(_url(interview), data).status_code == 200
    assert _submitted(interview) == ["opening"]
    assert not SubmissionKey.objects.exists()


def test_of_two_deliveries_racing_past_the_check_the_constraint_refuses_the_second(interview):
    # Both requests passed the "already received?" check before either was saved; the unique
    # key decides, and the loser's page is rolled back whole.
    key = uuid.uuid4()
    page = {"step": "opening", "question_names": ["consent"], "answers": {"consent": "yes"}}
    capi_services.save_interview_page_once(interview=interview, key=key, **page)
    late = Interview.objects.get(pk=interview.pk)

    with pytest.raises(capi_services.DuplicateSubmission):
        capi_services.save_interview_page_once(
            interview=late, key=key, **{**page, "answers": {"consent": "no"}}
        )

    assert _submitted(interview) == ["opening"]
    assert interview.answers == {"consent": "yes"}
    assert SubmissionKey.objects.filter(key=key).count() == 1


def test_the_database_itself_refuses_a_second_row_for_a_key(interview):
    key = uuid.uuid4()
    SubmissionKey.objects.create(key=key, interview=interview, step="opening")
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionKey.objects.create(key=key, interview=interview, step="screening")
