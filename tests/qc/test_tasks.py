"""QC's background jobs: the hourly batch of checks on waves in fieldwork, and the ranking of
interviewers computed by a worker while the risk page waits."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fieldwork.models import Case, Interview, Wave
from fieldwork.services.interviews import finish_interview, reopen_case
from jobs.models import Job
from jobs.schedules import run_due_schedules
from qc.models import Flag, Review
from qc.tasks import QC_BATCH, check_interview, completes_since_batch, start_qc_batch
from tests.jobs.worker import running_worker, wait_until
from tests.qc.conftest import World, straight_answers


def test_the_schedule_checks_the_waves_in_fieldwork_with_new_completes(world, interviewer):
    world.interview(interviewer, answers=straight_answers("4"), duration=45)
    world.wave.status = Wave.Status.FIELDWORK
    world.wave.save(update_fields=["status"])
    planned = world.make_wave("2025 Q2")

    call_command("run_schedules", verbosity=0)
    call_command("run_schedules", verbosity=0)

    [batch] = Job.objects.filter(kind=QC_BATCH)
    assert batch.params == {"wave_id": world.wave.pk} and batch.status == Job.Status.SUCCEEDED
    assert batch.result == {"checked": 1} and planned.status == Wave.Status.PLANNED
    assert Review.objects.get().state == Review.State.FLAGGED
    # Minutes later, with nothing completed since: no batch; one more complete: a batch.
    later = timezone.now() + timedelta(minutes=settings.QC_POPULATION_MINUTES + 1)
    assert run_due_schedules(now=later)[QC_BATCH] == 0
    interview = world.interview(interviewer)
    Interview.objects.filter(pk=interview.pk).update(completed_at=timezone.now())
    later += timedelta(minutes=settings.QC_POPULATION_MINUTES + 1)
    assert run_due_schedules(now=later)[QC_BATCH] == 1


def test_enough_completes_start_the_batch_without_waiting_for_the_schedule(
    world, interviewer, settings
):
    settings.QC_POPULATION_COMPLETES = 3
    world.wave.status = Wave.Status.FIELDWORK
    world.wave.save(update_fields=["status"])
    check_interview.call(world.interview(interviewer).pk)
    check_interview.call(world.interview(interviewer).pk)
    assert not Job.objects.filter(kind=QC_BATCH).exists()
    check_interview.call(world.interview(interviewer).pk)  # the third since the last batch

    [batch] = Job.objects.filter(kind=QC_BATCH)
    assert batch.params == {"wave_id": world.wave.pk}
    assert completes_since_batch(world.wave) == 0


def test_a_batch_started_twice_while_queued_is_one_job(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    first = start_qc_batch(wave=world.wave)
    second = start_qc_batch(wave=world.wave)

    assert first.pk == second.pk and Job.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_risk_page_waits_for_the_worker_then_shows_the_ranking(
    client, supervisor, interviewer, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    world = World()
    world.interview(interviewer)
    client.force_login(supervisor)
    url = reverse("qc:interviewer_risk", args=[world.wave.pk])

    waiting = client.get(url)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    poll = client.get(url, {"job": waiting.context["job"].pk}, HTTP_HX_REQUEST="true")
    ranked = client.get(url)

    assert waiting.context["computing"] and 'hx-trigger="every 2s"' in waiting.text
    assert poll["HX-Refresh"] == "true"
    assert [row["interviewer_id"] for row in ranked.context["rows"]] == [interviewer.pk]


def _finishing(world: World, interviewer) -> Interview:
    """An interview on its last page: every answer in, a straight-lined 45-second call."""
    interview = world.interview(
        interviewer,
        answers=straight_answers("4"),
        status=Interview.Status.IN_PROGRESS,
        duration=None,
        paradata=[{"event": "started", "mode": "phone", "at": "2025-01-01T10:00:00+00:00"}],
    )
    Case.objects.filter(pk=interview.case_id).update(status=Case.Status.IN_PROGRESS)
    return interview


def _queued_checks() -> list:
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(task_path="qc.tasks.check_interview").values_list(
            "status", "args_kwargs"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_completed_interview_is_checked_by_a_worker_not_by_the_last_page(interviewer, settings):
    # Given the database queue and an interview on its last page
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    world = World()
    interview = _finishing(world, interviewer)

    # When the interviewer finishes it
    finish_interview(interview=interview)

    # Then the completion is stored without a check, which waits in the queue
    assert Interview.objects.get(pk=interview.pk).status == Interview.Status.COMPLETED
    assert not Review.objects.exists() and not Flag.objects.exists()
    assert _queued_checks() == [("READY", {"args": [interview.pk], "kwargs": {}})]
    # and a worker process runs it: the review and its flags appear
    with running_worker():
        review = wait_until(lambda: Review.objects.filter(interview=interview).first())
    assert review.state == Review.State.FLAGGED
    assert {"rushed", "straightlining"} <= set(
        Flag.objects.filter(interview=interview).values_list("rule", flat=True)
    )
    assert _queued_checks()[0][0] == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_an_interview_reopened_before_its_check_runs_is_left_for_its_next_completion(
    interviewer, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    world = World()
    interview = finish_interview(interview=_finishing(world, interviewer))
    reopen_case(case=interview.case, interviewer=interviewer, clear_answers=False)

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert not Review.objects.exists()
    assert _queued_checks()[0][0] == "SUCCESSFUL"
    # Completed again, it is checked then
    interview = finish_interview(interview=Interview.objects.get(pk=interview.pk))
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert Review.objects.get(interview=interview).state == Review.State.FLAGGED
