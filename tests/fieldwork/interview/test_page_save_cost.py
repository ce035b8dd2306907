"""A wizard page costs one row lock and one write: what the database is asked per POST."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fieldwork.interview.replay import APPLIED_HEADER, DUPLICATE_HEADER
from fieldwork.models import Interview, SubmissionKey
from fieldwork.services import interviews
from tests.fieldwork.wizard_driver import page_data, page_of


def _sql(queries, *needles: str) -> list[str]:
    return [q["sql"] for q in queries if all(n in q["sql"] for n in needles)]


def test_a_page_post_takes_one_lock_and_writes_the_interview_once(browser, my_case, interviewer):
    interview = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    url = reverse("fieldwork:interview", args=[interview.pk])
    response = browser.get(url)
    response = browser.post(url, page_data(response))  # opening
    step, _form = page_of(response)
    assert step == "screening"
    version = response.context["page_version"]
    data = {**page_data(response), "submission_key": str(uuid.uuid4()), "page_version": version}

    with CaptureQueriesContext(connection) as captured:
        response = browser.post(url, data)

    assert response.status_code == 200 and response[APPLIED_HEADER] == "1"
    queries = captured.captured_queries
    table = Interview._meta.db_table
    # No row read again under a lock: the UPDATE applies to the row as the request read it
    # (SQLite's IMMEDIATE transaction locks the database besides)
    assert not _sql(queries, "FOR UPDATE")
    assert len(_sql(queries, f'SELECT "{Interview._meta.db_table}"."id"')) == 1
    # one UPDATE of answers and paradata, the next page's "shown" event with them
    assert len(_sql(queries, f'UPDATE "{table}"', '"answers"')) == 1
    assert not _sql(queries, f"UPDATE {table}", "paradata")
    # the key's unique constraint is the duplicate guard: stored, never looked up first
    keys = SubmissionKey._meta.db_table
    assert len(_sql(queries, f'INSERT INTO "{keys}"')) == 1
    assert not _sql(queries, f'FROM "{keys}"')
    # the published definition is not read again, and no locality changed on this page
    assert not _sql(queries, '"definition"')
    assert not _sql(queries, '"sampling_locality"."code" IN')
    sqls = [q["sql"] for q in queries]
    # the wizard's state is the interview's: the session is read, not written
    assert not _sql(queries, 'UPDATE "django_session"')
    # in all: the session, the user with whether they have a second factor, the interview;
    # the key, the UPDATE (with the next page's "shown"); the next (locality) page's sample
    # localities and its three lists (9 statements: the session's write, the row read again
    # under its lock, and "shown" written by itself after the save, gone)
    statements = [sql for sql in sqls if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 9, "\n".join(s[:90] for s in statements)
    interview.refresh_from_db()
    events = [(e["event"], e.get("step")) for e in interview.paradata]
    # the page shown next is the one the response shows, stamped with the save
    assert page_of(response)[0] == "locality"
    assert events[-2:] == [("page_submitted", "screening"), ("page_shown", "locality")]
    assert interview.paradata[-1]["at"] == interview.paradata[-2]["at"]
    assert interview.current_step == "screening"

    # The same delivery again: refused by the key, nothing changes
    before = (interview.answers, interview.paradata)
    again = browser.post(url, data)
    assert again.status_code == 302 and again[DUPLICATE_HEADER] == "1"
    interview.refresh_from_db()
    assert (interview.answers, interview.paradata) == before


def test_a_page_shown_on_a_finished_interview_is_refused(my_case, interviewer):
    interview = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.COMPLETED)
    with pytest.raises(ValidationError):
        interviews.record_page_shown(interview=interview, step="opening")
    interview.refresh_from_db()
    assert [e["event"] for e in interview.paradata] == ["started"]


def test_the_sample_s_localities_are_read_only_by_the_page_that_offers_them(
    browser, my_case, interviewer
):
    interview = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    url = reverse("fieldwork:interview", args=[interview.pk])
    units = '"sampling_sampledunit"'

    with CaptureQueriesContext(connection) as opening:
        response = browser.get(url)
    assert page_of(response)[0] == "opening"
    assert not _sql(opening.captured_queries, units)

    response = browser.post(url, page_data(response))  # opening → screening
    with CaptureQueriesContext(connection) as screening:
        response = browser.post(url, page_data(response))  # screening → locality
    step, form = page_of(response)
    assert step == "locality"
    # one read of the sampled unit's community and the street's district, offered to confirm
    assert len(_sql(screening.captured_queries, units)) == 1
    street = my_case.street
    assert form.initial["street"] == street.code
    assert form.initial["district"] == street.parent.code
    assert form.initial["community"] == my_case.unit.locality.code
