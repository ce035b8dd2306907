"""Starting, resuming and finishing an interview."""

import pytest
from django.core.exceptions import ValidationError

from fieldwork.models import Case, Interview
from fieldwork.services import interviews


def test_starting_twice_resumes_the_same_interview(my_case, interviewer):
    first = interviews.start_interview(case=my_case, interviewer=interviewer, mode="door")
    again = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    assert first.pk == again.pk and again.mode == "door"
    assert Interview.objects.filter(case=my_case).count() == 1
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.IN_PROGRESS and my_case.attempts == 1


def test_saving_a_page_of_a_finished_interview_is_refused(my_case, interviewer):
    interview = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    interviews.save_interview_page(
        interview=interview, step="opening", question_names=["consent"], answers={"consent": "no"}
    )
    interviews.finish_interview(interview=interview)
    with pytest.raises(ValidationError):
        interviews.save_interview_page(
            interview=interview, step="opening", question_names=["consent"], answers={}
        )
