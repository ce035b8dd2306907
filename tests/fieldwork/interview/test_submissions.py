"""Pages sent again after a connection drop are applied exactly once (submission keys)."""

import uuid
from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from fieldwork.interview import submissions
from fieldwork.models import Interview, SubmissionKey
from fieldwork.services import interviews, waves
from tests.fieldwork.wizard_driver import page_data, page_of


@pytest.fixture
def door_interview(my_case, interviewer):
    return interviews.start_interview(case=my_case, interviewer=interviewer, mode="door")


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


def test_the_page_carries_its_version_and_a_key_field(browser, door_interview):
    response = browser.get(_url(door_interview))
    page = response.content.decode()
    assert 'name="submission_key"' in page
    assert 'name="page_version" value="0"' in page


def test_the_same_page_sent_twice_is_applied_once(browser, door_interview):
    opening = browser.get(_url(door_interview))
    data = _keyed(opening)

    first = browser.post(_url(door_interview), data)
    second = browser.post(_url(door_interview), data)

    assert first.status_code == 200 and page_of(first)[0] == "screening"
    assert "X-Duplicate-Submission" not in first
    assert second.status_code == 302 and second["X-Duplicate-Submission"] == "1"
    assert second.url == _url(door_interview)
    assert _submitted(door_interview) == ["opening"]
    assert SubmissionKey.objects.get(key=data["submission_key"]).applied
    # the browser is told which page arrived, so it can forget it
    assert second.cookies["submission_received"].value == data["submission_key"]


def test_a_duplicate_changes_nothing_even_with_other_answers(browser, door_interview):
    opening = browser.post(_url(door_interview), _keyed(browser.get(_url(door_interview))))
    key = uuid.uuid4()
    browser.post(_url(door_interview), _keyed(opening, {"age": "61"}, key))

    browser.post(_url(door_interview), _keyed(opening, {"age": "33"}, key))

    door_interview.refresh_from_db()
    assert door_interview.answers["/screening/age"] == 61
    assert _submitted(door_interview) == ["opening", "screening"]


def test_a_page_kept_offline_after_the_interview_went_on_is_not_applied(browser, door_interview):
    # Given the screening page kept on the tablet while offline ...
    screening = browser.post(_url(door_interview), _keyed(browser.get(_url(door_interview))))
    kept = _keyed(screening, {"age": "70"})
    # ... and the same page answered again (say, after reopening the interview), moving on
    browser.post(_url(door_interview), _keyed(screening, {"age": "52"}))

    # When the kept page arrives at last
    response = browser.post(_url(door_interview), kept)

    # Then it is refused as stale: the newer answers stand and the key is spent
    assert response.status_code == 302 and response["X-Stale-Submission"] == "1"
    door_interview.refresh_from_db()
    assert door_interview.answers["/screening/age"] == 52
    assert _submitted(door_interview) == ["opening", "screening"]
    assert SubmissionKey.objects.get(key=kept["submission_key"]).applied is False
    assert browser.post(_url(door_interview), kept)["X-Duplicate-Submission"] == "1"


def test_going_back_and_resubmitting_an_earlier_page_is_not_stale(browser, door_interview):
    screening = browser.post(_url(door_interview), _keyed(browser.get(_url(door_interview))))
    data = _keyed(screening)
    data["wizard_goto_step"] = "opening"
    opening_again = browser.post(_url(door_interview), data)
    assert page_of(opening_again)[0] == "opening"

    response = browser.post(_url(door_interview), _keyed(opening_again))

    assert response.status_code == 200 and page_of(response)[0] == "screening"
    assert _submitted(door_interview) == ["opening", "opening"]


def test_a_page_without_key_is_saved_as_before(browser, door_interview):
    opening = browser.get(_url(door_interview))
    browser.post(_url(door_interview), page_data(opening))
    browser.post(_url(door_interview), page_data(opening))
    assert _submitted(door_interview) == ["opening", "opening"]
    assert not SubmissionKey.objects.exists()


def test_a_malformed_key_is_ignored(browser, door_interview):
    opening = browser.get(_url(door_interview))
    data = {**_keyed(opening), "submission_key": "not-a-uuid"}
    assert browser.post(_url(door_interview), data).status_code == 200
    assert _submitted(door_interview) == ["opening"]
    assert not SubmissionKey.objects.exists()


def _save(interview, key, answers, version=None, step="opening"):
    return submissions.save_interview_page_once(
        interview=interview,
        key=key,
        page_version=version,
        step=step,
        asked_names=list(answers),
        page_answers=answers,
        today=date(2026, 11, 22),
    )


def test_of_two_deliveries_racing_past_the_check_the_constraint_refuses_the_second(door_interview):
    # Both requests passed the "already received?" check before either was saved; the unique
    # key decides, and the loser's page is rolled back whole.
    key = uuid.uuid4()
    _save(door_interview, key, {"consent": "yes"})
    late = Interview.objects.get(pk=door_interview.pk)

    with pytest.raises(submissions.DuplicateSubmission):
        _save(late, key, {"consent": "no"})

    assert _submitted(door_interview) == ["opening"]
    assert door_interview.answers == {"/opening/consent": "yes"}
    assert SubmissionKey.objects.filter(key=key).count() == 1


def test_of_two_pages_of_one_version_racing_the_later_is_refused_as_stale(door_interview):
    # Two deliveries rendered at version 0, both read before either was saved: the version is
    # checked again under the row lock, so the later one does not overwrite the first.
    late = Interview.objects.get(pk=door_interview.pk)
    _save(door_interview, uuid.uuid4(), {"consent": "yes"}, version=0)

    with pytest.raises(submissions.StalePage):
        _save(late, uuid.uuid4(), {"consent": "no"}, version=0)

    door_interview.refresh_from_db()
    assert door_interview.answers == {"/opening/consent": "yes"}
    assert _submitted(door_interview) == ["opening"]
    assert SubmissionKey.objects.count() == 1


def test_a_page_at_the_current_version_is_saved_and_settled_against_the_locked_answers(
    door_interview,
):
    # The caller's copy was read before the opening page was saved (its answers are empty):
    # the answers kept are the locked row's, not the copy's.
    late = Interview.objects.get(pk=door_interview.pk)
    _save(door_interview, uuid.uuid4(), {"consent": "yes"}, version=0)

    _save(late, uuid.uuid4(), {"age": 61}, version=1, step="screening")

    door_interview.refresh_from_db()
    assert (
        door_interview.answers["/opening/consent"] == "yes"
        and door_interview.answers["/screening/age"] == 61
    )
    assert _submitted(door_interview) == ["opening", "screening"]


def test_a_key_spent_on_another_interview_does_not_refuse_this_page(
    browser, door_interview, wave, other_interviewer
):
    # User B posts A's key (read off a shared tablet) to B's own interview first ...
    waves.assign_cases(wave=wave, interviewer=other_interviewer, count=1)
    theirs = interviews.start_interview(
        case=wave.cases.get(interviewer=other_interviewer),
        interviewer=other_interviewer,
        mode="door",
    )
    data = _keyed(browser.get(_url(door_interview)))
    key = uuid.UUID(data["submission_key"])
    SubmissionKey.objects.create(key=key, interview=theirs, step="opening")
    assert not submissions.is_received(interview=door_interview, key=key)

    # ... A's page with that key is still applied to A's interview
    response = browser.post(_url(door_interview), data)

    assert response["X-Submission-Applied"] == "1"
    assert "X-Duplicate-Submission" not in response
    assert _submitted(door_interview) == ["opening"]
    assert SubmissionKey.objects.filter(key=key).count() == 2


def test_an_applied_page_is_marked_applied_with_its_key_in_the_cookie(browser, door_interview):
    data = _keyed(browser.get(_url(door_interview)))
    response = browser.post(_url(door_interview), data)
    assert response["X-Submission-Applied"] == "1"
    assert response.cookies["submission_received"].value == data["submission_key"]


def test_a_page_shown_again_with_errors_is_not_marked_received(browser, door_interview):
    screening = browser.post(_url(door_interview), _keyed(browser.get(_url(door_interview))))
    browser.cookies.pop("submission_received", None)
    data = _keyed(screening, {"age": "not a number"})

    response = browser.post(_url(door_interview), data)

    assert response.status_code == 200 and page_of(response)[0] == "screening"
    assert response.context["form"].errors
    for header in ("X-Submission-Applied", "X-Duplicate-Submission", "X-Stale-Submission"):
        assert header not in response
    assert "submission_received" not in response.cookies
    assert not SubmissionKey.objects.filter(key=data["submission_key"]).exists()
    # the page shown again keeps its key, so the corrected page settles the kept one
    assert f'value="{data["submission_key"]}"' in response.content.decode()


def test_a_key_without_page_version_is_refused_and_nothing_saved(browser, door_interview):
    data = _keyed(browser.get(_url(door_interview)))
    del data["page_version"]

    response = browser.post(_url(door_interview), data)

    assert response.status_code == 400
    assert _submitted(door_interview) == []
    assert not SubmissionKey.objects.exists()


def test_a_stale_page_without_key_is_not_applied_either(browser, door_interview):
    screening = browser.post(_url(door_interview), _keyed(browser.get(_url(door_interview))))
    kept = page_data(screening, {"age": "70"})
    kept["page_version"] = str(screening.context["page_version"])
    browser.post(_url(door_interview), _keyed(screening, {"age": "52"}))

    response = browser.post(_url(door_interview), kept)

    assert response.status_code == 302 and response["X-Stale-Submission"] == "1"
    door_interview.refresh_from_db()
    assert door_interview.answers["/screening/age"] == 52


def test_the_database_itself_refuses_a_second_row_for_a_key(door_interview):
    key = uuid.uuid4()
    SubmissionKey.objects.create(key=key, interview=door_interview, step="opening")
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionKey.objects.create(key=key, interview=door_interview, step="screening")


def test_a_copy_read_before_an_event_is_saved_under_the_lock_keeping_the_event(door_interview):
    # The request read the interview; then a page left by Back appended its event. The save
    # does not apply to the row as read (one event more): it is made again under the lock,
    # against the row as it is, and the event stays.
    read = Interview.objects.get(pk=door_interview.pk)
    interviews.record_events(
        interview=Interview.objects.get(pk=door_interview.pk),
        events=[{"event": "went_back", "step": "screening", "to": "opening"}],
    )

    _save(read, uuid.uuid4(), {"consent": "yes"}, version=0)

    door_interview.refresh_from_db()
    events = [e["event"] for e in door_interview.paradata]
    assert events == ["started", "went_back", "page_submitted"]
    assert door_interview.answers == {"/opening/consent": "yes"}
    # the caller's copy follows the row as written
    assert [e["event"] for e in read.paradata] == events and read.answers == door_interview.answers


def test_a_copy_of_an_interview_finished_meanwhile_saves_nothing(door_interview):
    from django.core.exceptions import ValidationError

    read = Interview.objects.get(pk=door_interview.pk)
    Interview.objects.filter(pk=door_interview.pk).update(status=Interview.Status.COMPLETED)

    with pytest.raises(ValidationError):
        _save(read, uuid.uuid4(), {"consent": "yes"}, version=0)

    door_interview.refresh_from_db()
    assert door_interview.answers == {} and not SubmissionKey.objects.exists()
    assert [e["event"] for e in door_interview.paradata] == ["started"]


@pytest.mark.django_db(transaction=True)
def test_two_saves_holding_their_keys_both_get_the_row_lock_in_turn(door_interview):
    # Each save inserts its submission key before it may need the row lock. Once the key's
    # reference is checked (at commit, or at once under SET CONSTRAINTS ALL IMMEDIATE, as
    # here), PostgreSQL holds a share lock on the interview row it refers to. Both saves then
    # ask for the row lock: it must not conflict with those share locks, or the two wait on
    # each other ("deadlock detected"). SQLite writers are serialised by its write lock, so
    # there the two take turns.
    import contextlib
    import threading

    from django.db import connection

    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()
    both_keyed = threading.Barrier(2)
    errors: list[BaseException] = []

    def save(n: int) -> None:
        try:
            with turns, transaction.atomic():
                SubmissionKey.objects.create(
                    key=uuid.uuid4(), interview=door_interview, step=f"page{n}", applied=True
                )
                if connection.vendor != "sqlite":
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    both_keyed.wait(timeout=10)
                interviews.lock_in_progress(door_interview)
        except BaseException as error:  # a thread's failure must fail the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert SubmissionKey.objects.filter(interview=door_interview).count() == 2


def test_a_copy_read_before_a_purge_or_rotation_does_not_write_back_what_it_changed(
    door_interview,
):
    # The purge and key rotation change answers without a paradata event; they move the
    # revision on. A save against a copy read before is made again under the lock, against
    # the answers as they are now (here: the age as that writer left it).
    _save(door_interview, uuid.uuid4(), {"consent": "yes"}, version=0)
    _save(door_interview, uuid.uuid4(), {"age": 61}, step="screening")
    read = Interview.objects.get(pk=door_interview.pk)
    Interview.objects.filter(pk=door_interview.pk).update(
        answers={"/opening/consent": "yes", "/screening/age": 62}, revision=F("revision") + 1
    )
    _save(read, uuid.uuid4(), {"consent": "yes"}, version=submissions.current_page_version(read))

    door_interview.refresh_from_db()
    assert door_interview.answers == {"/opening/consent": "yes", "/screening/age": 62}
    assert [e["event"] for e in door_interview.paradata].count("page_submitted") == 3
