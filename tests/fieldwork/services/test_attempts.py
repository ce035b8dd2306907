"""Calls and visits that did not become an interview: outcomes, closing, access."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fieldwork.models import Case, ContactAttempt
from fieldwork.services import attempts, interviews


def test_a_final_outcome_closes_the_case(my_case, interviewer):
    attempts.record_attempt(
        case=my_case, interviewer=interviewer, mode="phone", disposition="2.111"
    )
    my_case.refresh_from_db()
    assert (my_case.status, my_case.disposition, my_case.attempts) == ("closed", "2.111", 1)


def test_a_case_closes_after_the_maximum_number_of_attempts(my_case, interviewer):
    for _ in range(my_case.wave.max_attempts - 1):
        attempts.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition="3.13"
        )
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.PENDING
    attempts.record_attempt(case=my_case, interviewer=interviewer, mode="phone", disposition="3.13")
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.CLOSED
    with pytest.raises(ValidationError):
        attempts.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition="3.13"
        )
    assert ContactAttempt.objects.filter(case=my_case).count() == my_case.wave.max_attempts


def test_an_interview_code_is_not_a_call_outcome(my_case, interviewer):
    with pytest.raises(ValidationError):
        attempts.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition="1.1"
        )


def test_only_the_assigned_interviewer_works_a_case(my_case, other_interviewer):
    with pytest.raises(PermissionDenied):
        interviews.start_interview(case=my_case, interviewer=other_interviewer, mode="phone")
    with pytest.raises(PermissionDenied):
        attempts.record_attempt(
            case=my_case, interviewer=other_interviewer, mode="phone", disposition="3.13"
        )
