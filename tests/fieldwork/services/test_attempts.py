import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fieldwork import services
from fieldwork.models import Case, ContactAttempt, Interview


def test_create_wave_turns_the_main_sample_into_cases(wave, draw):
    # The draw has 6 main units and 2 reserve units (replicate 1)
    assert wave.cases.count() == 6
    assert set(wave.cases.values_list("unit__replicate", flat=True)) == {0}


def test_releasing_a_reserve_replicate_adds_its_cases_once(wave):
    assert services.release_replicate(wave=wave, replicate=1) == 2
    assert services.release_replicate(wave=wave, replicate=1) == 0
    assert wave.cases.count() == 8


def test_assign_cases_gives_only_unassigned_pending_cases(wave, interviewer, other_interviewer):
    assert services.assign_cases(wave=wave, interviewer=interviewer, count=4) == 4
    assert services.assign_cases(wave=wave, interviewer=other_interviewer, count=4) == 2
    mine = set(wave.cases.filter(interviewer=interviewer).values_list("id", flat=True))
    theirs = set(wave.cases.filter(interviewer=other_interviewer).values_list("id", flat=True))
    assert len(mine) == 4 and len(theirs) == 2 and not mine & theirs


def test_assign_cases_refuses_a_non_interviewer(wave, supervisor):
    with pytest.raises(ValidationError):
        services.assign_cases(wave=wave, interviewer=supervisor, count=1)


def test_a_final_outcome_closes_the_case(my_case, interviewer):
    services.record_attempt(
        case=my_case, interviewer=interviewer, mode="phone", disposition="2.111"
    )
    my_case.refresh_from_db()
    assert (my_case.status, my_case.disposition, my_case.attempts) == ("closed", "2.111", 1)


def test_a_case_closes_after_the_maximum_number_of_attempts(my_case, interviewer):
    for _ in range(my_case.wave.max_attempts - 1):
        services.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition="3.13"
        )
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.PENDING
    services.record_attempt(case=my_case, interviewer=interviewer, mode="phone", disposition="3.13")
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.CLOSED
    with pytest.raises(ValidationError):
        services.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition="3.13"
        )
    assert ContactAttempt.objects.filter(case=my_case).count() == my_case.wave.max_attempts


def test_an_interview_code_is_not_a_call_outcome(my_case, interviewer):
    with pytest.raises(ValidationError):
        services.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition="1.1"
        )


def test_only_the_assigned_interviewer_works_a_case(my_case, other_interviewer):
    with pytest.raises(PermissionDenied):
        services.start_interview(case=my_case, interviewer=other_interviewer, mode="phone")
    with pytest.raises(PermissionDenied):
        services.record_attempt(
            case=my_case, interviewer=other_interviewer, mode="phone", disposition="3.13"
        )


def test_starting_twice_resumes_the_same_interview(my_case, interviewer):
    first = services.start_interview(case=my_case, interviewer=interviewer, mode="door")
    again = services.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    assert first.pk == again.pk and again.mode == "door"
    assert Interview.objects.filter(case=my_case).count() == 1
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.IN_PROGRESS and my_case.attempts == 1


def test_saving_a_page_of_a_finished_interview_is_refused(my_case, interviewer):
    interview = services.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    services.save_interview_page(
        interview=interview, step="opening", question_names=["consent"], answers={"consent": "no"}
    )
    services.finish_interview(interview=interview)
    with pytest.raises(ValidationError):
        services.save_interview_page(
            interview=interview, step="opening", question_names=["consent"], answers={}
        )
