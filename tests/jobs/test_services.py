"""Jobs in one process: outcomes, messages, de-duplication, recovery of lost workers."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from jobs import kinds
from jobs.models import Job, Worker
from jobs.runner import JobFailed, run_job
from jobs.services import reap_stale_jobs, retry_job, start_job

CALLS: list[int] = []


def _succeeds(job, progress):
    CALLS.append(job.pk)
    progress(5, 10, force=True)
    return {"rows": job.params["n"]}


def _refuses(job, progress):
    raise JobFailed(_("Log out"), detail="row 3")


def _crashes(job, progress):
    raise ValueError("respondent 13812345678 not found")


@task(takes_context=True)
def succeeds(context, job_id):
    return run_job(context, job_id, _succeeds)


@task(takes_context=True)
def refuses(context, job_id):
    return run_job(context, job_id, _refuses)


@task(takes_context=True)
def crashes(context, job_id):
    return run_job(context, job_id, _crashes)


kinds.register("test_succeeds", "succeeds", succeeds)
kinds.register("test_refuses", "refuses", refuses)
kinds.register("test_crashes", "crashes", crashes)


@pytest.fixture(autouse=True)
def no_calls():
    CALLS.clear()


def test_a_job_runs_and_keeps_its_result_and_progress(db, analyst):
    job = start_job(kind="test_succeeds", params={"n": 3}, subject="a.csv", user=analyst)

    assert job.status == Job.Status.SUCCEEDED and job.result == {"rows": 3}
    assert (job.progress_done, job.progress_total, job.percent) == (5, 10, 50)
    assert job.attempts == 1 and job.started_at <= job.finished_at
    assert job.created_by == analyst and CALLS == [job.pk]


def test_a_refusal_is_kept_in_every_language(db):
    job = start_job(kind="test_refuses")

    assert job.status == Job.Status.FAILED
    with translation.override("zh-hans"):
        chinese = str(_("Log out"))
    assert job.error == {"zh-hans": chinese, "en": "Log out"}
    assert chinese != "Log out"  # the catalogue has it
    assert job.error_detail == "row 3"


def test_an_unexpected_error_keeps_the_traceback_on_the_job_not_in_the_log(db, caplog):
    caplog.set_level(logging.INFO)

    job = start_job(kind="test_crashes")

    assert job.status == Job.Status.FAILED
    assert "ValueError" in job.error_detail and "respondent [phone] not found" in job.error_detail
    assert "13812345678" not in job.error_detail
    assert "unexpected error" in job.error["en"]
    assert "13812345678" not in caplog.text and "ValueError" in caplog.text


def test_an_unknown_kind_is_refused_before_anything_is_queued(db):
    with pytest.raises(KeyError):
        start_job(kind="no_such_kind")
    assert not Job.objects.exists()


def test_the_same_open_work_is_not_started_twice(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    first = start_job(kind="test_succeeds", params={"n": 1}, dedupe_key="wave:1")
    second = start_job(kind="test_succeeds", params={"n": 1}, dedupe_key="wave:1")
    other = start_job(kind="test_succeeds", params={"n": 1}, dedupe_key="wave:2")

    assert first.pk == second.pk != other.pk
    assert first.status == Job.Status.QUEUED and first.task_id


def test_a_job_that_crashed_is_retried_as_a_new_job(db, analyst):
    failed = start_job(kind="test_crashes", params={"x": 1}, subject="s")

    again = retry_job(job=failed, user=analyst)

    assert failed.retryable and again.pk != failed.pk
    assert again.params == {"x": 1} and again.subject == "s"
    assert again.created_by == analyst and again.status == Job.Status.FAILED


def test_a_job_that_failed_on_its_input_or_succeeded_is_not_retried(db, analyst):
    refused = start_job(kind="test_refuses")
    done = start_job(kind="test_succeeds", params={"n": 1})

    for job in (refused, done):
        with pytest.raises(ValueError):
            retry_job(job=job, user=analyst)
    assert Job.objects.count() == 2


def _running(job_id, *, worker_id, minutes_ago, attempts=1):
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING,
        worker_id=worker_id,
        attempts=attempts,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_a_job_whose_worker_went_silent_runs_again(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = start_job(kind="test_succeeds", params={"n": 2})
    first_task = job.task_id
    _running(job.pk, worker_id="dead", minutes_ago=5)
    Worker.objects.create(
        worker_id="dead",
        hostname="h",
        pid=1,
        started_at=timezone.now() - timedelta(hours=1),
        seen_at=timezone.now() - timedelta(minutes=2),
    )

    assert reap_stale_jobs() == [job.pk]

    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.worker_id == ""
    assert job.task_id and job.task_id != first_task


def test_a_job_of_a_live_worker_is_left_alone(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = start_job(kind="test_succeeds", params={"n": 2})
    _running(job.pk, worker_id="alive", minutes_ago=30)
    Worker.objects.create(
        worker_id="alive", hostname="h", pid=1, started_at=timezone.now(), seen_at=timezone.now()
    )

    assert reap_stale_jobs() == []
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_a_job_that_lost_its_worker_too_often_is_given_up(db, settings):
    settings.JOBS_MAX_ATTEMPTS = 3
    job = start_job(kind="test_refuses")
    Job.objects.filter(pk=job.pk).update(error={})
    _running(job.pk, worker_id="gone", minutes_ago=5, attempts=3)

    reap_stale_jobs()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "3" in job.error["en"]
    assert "stopped" in job.error["en"] and job.retryable


def test_the_immediate_backend_runs_a_requeued_job_once(db):
    job = start_job(kind="test_succeeds", params={"n": 1})
    _running(job.pk, worker_id="gone", minutes_ago=5)

    reap_stale_jobs()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert CALLS == [job.pk, job.pk]


def test_a_formatted_message_is_kept_in_every_language(db):
    from jobs.runner import error_texts
    from jobs.services import WORKER_LOST

    texts = error_texts(WORKER_LOST, {"times": 3})

    assert texts["en"].startswith("The worker running this job stopped 3 times")
    assert "3" in texts["zh-hans"] and texts["zh-hans"] != texts["en"]


def test_a_run_taken_over_by_another_worker_does_not_record_its_outcome(db):
    from jobs.runner import _finish

    job = start_job(kind="test_succeeds", params={"n": 1})
    _running(job.pk, worker_id="second", minutes_ago=1)
    first_run = Job.objects.get(pk=job.pk)
    first_run.worker_id = "first"  # the run the reaper gave away

    _finish(first_run, status=Job.Status.FAILED, error={"en": "late"})

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.worker_id == "second" and job.error == {}


def test_a_queued_job_whose_queue_row_ended_is_queued_again(db, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = start_job(kind="test_succeeds", params={"n": 1})
    old_task = job.task_id
    DBTaskResult.objects.filter(id=old_task).update(status="FAILED")  # the worker died taking it
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    assert reap_stale_jobs() == [job.pk]

    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.task_id != old_task and job.attempts == 1
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"


def test_a_queued_job_waiting_its_turn_is_left_alone(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = start_job(kind="test_succeeds", params={"n": 1})
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    assert reap_stale_jobs() == []
    assert Job.objects.get(pk=job.pk).task_id == job.task_id
