"""The job queue with real `db_worker` processes on the test database."""

import re
import signal

import pytest
from django.utils import timezone

from jobs.models import Job, Worker
from jobs.services import start_job
from jobs.tasks import CLEANUP
from tests.jobs.worker import running_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _status(job_id: int) -> str:
    return Job.objects.get(pk=job_id).status


def test_a_worker_process_runs_a_queued_job_and_says_it_is_alive():
    job = start_job(kind=CLEANUP)
    assert job.status == Job.Status.QUEUED

    with running_worker() as worker:
        wait_until(lambda: _status(job.pk) == Job.Status.SUCCEEDED, what="the job to finish")
        beat = wait_until(lambda: Worker.objects.first(), what="a heartbeat")
        first_seen = beat.seen_at
        wait_until(
            lambda: Worker.objects.get(pk=beat.pk).seen_at > first_seen,
            what="a second heartbeat",
        )
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)

    job.refresh_from_db()
    assert job.result == {"jobs": 0, "queue_rows": 0} and job.attempts == 1
    assert job.worker_id == beat.worker_id
    assert not Worker.objects.exists()  # a worker that stops cleanly says goodbye


def test_a_job_queued_while_no_worker_runs_waits_for_one():
    job = start_job(kind=CLEANUP)

    assert _status(job.pk) == Job.Status.QUEUED
    with running_worker():
        wait_until(lambda: _status(job.pk) == Job.Status.SUCCEEDED, what="the job to finish")
    assert Job.objects.get(pk=job.pk).finished_at <= timezone.now()


def test_a_worker_process_freezes_its_start_up_heap_before_its_first_job():
    """The collector's full collections in a job then skip Django, pandas and the job modules:
    the worker process reports its own gc.get_freeze_count() once, before taking jobs."""
    job = start_job(kind=CLEANUP)
    with running_worker(LOG_LEVEL="INFO") as worker:
        wait_until(lambda: _status(job.pk) == Job.Status.SUCCEEDED, what="the job to finish")
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=10)

    counts = [int(n) for n in re.findall(r"(\d+) start-up objects frozen", output)]
    assert len(counts) == 1, output
    # Django set up with every app, pandas and numpy imported: well over 50,000 objects.
    assert counts[0] > 50_000
