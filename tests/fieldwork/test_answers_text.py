"""The text the database keeps of an interview's answers (Interview.answers_text) follows
every way the answers are written, holds them in their stored form (a sealed value stays a
token), and is what the results read."""

import json

from common.crypto import Sealed
from fieldwork.models import Interview
from qc.models import Review
from scoring.loaders import approved_interviews
from tests.factories import start_first_interview

WHERE = "28.213457 112.938761 0 0"


def _kept(interview_id: int) -> str:
    return Interview.objects.values_list("answers_text", flat=True).get(pk=interview_id)


def test_the_answers_text_follows_every_write_of_the_answers(wave, interviewer):
    interview = start_first_interview(wave=wave, interviewer=interviewer, mode="phone")
    pk = interview.pk
    assert json.loads(_kept(pk)) == {}

    interview.answers = {"/a/q": "4", "/a/age": 35}
    interview.save(update_fields=["answers"])
    assert json.loads(_kept(pk)) == {"/a/q": "4", "/a/age": 35}

    Interview.objects.filter(pk=pk).update(answers={"/a/q": "2"})
    assert json.loads(_kept(pk)) == {"/a/q": "2"}

    interview.answers = {"/a/q": "5", "/a/note": "派出所"}
    Interview.objects.bulk_update([interview], ["answers"])
    assert json.loads(_kept(pk)) == {"/a/q": "5", "/a/note": "派出所"}

    interview.answers = {"/a/q": "3", "/a/where": Sealed(WHERE)}
    interview.save()
    kept = _kept(pk)
    assert "28.21" not in kept and "112.93" not in kept
    stored = json.loads(kept)
    assert stored["/a/q"] == "3" and list(stored["/a/where"]) == ["$sealed"]
    assert Interview.objects.get(pk=pk).answers == {"/a/q": "3", "/a/where": WHERE}


def test_the_results_read_the_answers_as_last_written(wave, interviewer):
    interview = start_first_interview(wave=wave, interviewer=interviewer, mode="phone")
    Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.COMPLETED)
    Review.objects.create(interview=interview, state=Review.State.APPROVED)
    Interview.objects.filter(pk=interview.pk).update(answers={"/a/q": "4"})
    [record] = approved_interviews(wave)
    assert record["answers"] == {"/a/q": "4"}

    Interview.objects.filter(pk=interview.pk).update(answers={"/a/q": "1", "/a/age": 60})
    [record] = approved_interviews(wave)
    assert record["answers"] == {"/a/q": "1", "/a/age": 60}
