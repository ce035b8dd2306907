"""Starting, retrying and recovering background jobs; worker heartbeats."""

import logging
import os
import socket
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from jobs import kinds
from jobs.models import Job, Worker
from jobs.runner import error_texts

logger = logging.getLogger(__name__)

WORKER_LOST = _(
    "The worker running this job stopped %(times)d times; the job was given up. "
    "Try again or tell the administrator."
)


def _enqueue(job: Job) -> None:
    """Hand the job to the task queue. With the database backend the queue row is written in
    the caller's transaction, so a worker never sees a job that was rolled back."""
    result = kinds.get(job.kind).task.enqueue(job.pk)
    job.refresh_from_db()  # an immediate backend has already run it
    if job.status == Job.Status.QUEUED:
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])


@transaction.atomic
def start_job(
    *,
    kind: str,
    params: dict[str, Any] | None = None,
    subject: str = "",
    user: User | None = None,
    dedupe_key: str = "",
) -> Job:
    """Queue a job of a registered kind. With a `dedupe_key`, the queued or running job with
    that key is returned instead of starting the same work twice."""
    kinds.get(kind)  # an unknown kind fails here, not in the worker
    if dedupe_key:
        open_job = Job.objects.filter(
            dedupe_key=dedupe_key, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).first()
        if open_job is not None:
            return open_job
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                params=params or {},
                subject=subject[:200],
                created_by=user,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:  # another request started it a moment ago
        return Job.objects.get(
            dedupe_key=dedupe_key, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        )
    _enqueue(job)
    return job


@transaction.atomic
def retry_job(*, job: Job, user: User) -> Job:
    """Start a job that failed on something other than its input again, with the same
    parameters (a new job, so both stay on record)."""
    if job.status != Job.Status.FAILED or not job.retryable:
        raise ValueError("Only a job that failed on an unexpected error can be retried.")
    return start_job(
        kind=job.kind,
        params=job.params,
        subject=job.subject,
        user=user,
        dedupe_key=job.dedupe_key,
    )


def record_heartbeat(*, worker_id: str, started_at: datetime) -> None:
    """A live worker says so; the health page and the reaper read it."""
    now = timezone.now()
    Worker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": now,
        },
    )


def forget_worker(*, worker_id: str) -> None:
    Worker.objects.filter(worker_id=worker_id).delete()


def stale_after() -> timedelta:
    return timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS)


def reap_stale_jobs(*, now: datetime | None = None) -> list[int]:
    """Recover open jobs no live worker will finish, and return their ids:
    - running jobs whose worker has not been seen for JOBS_STALE_AFTER_SECONDS (killed, or its
      machine went down) are queued again, at most JOBS_MAX_ATTEMPTS runs in all;
    - jobs whose queue row has ended or vanished while the job is still open (a worker died
      between taking the row and claiming the job, or could not record the outcome) likewise.
    Each job is re-checked under its row lock, so a job claimed again meanwhile is left alone."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    alive = set(Worker.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    silent = Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=cutoff).exclude(
        worker_id__in=alive
    )
    found = [*silent.values_list("pk", "status", "worker_id"), *_orphans(cutoff, alive)]
    reaped = []
    for job_id, status, worker_id in found:
        with transaction.atomic():
            job = (
                Job.objects.select_for_update()
                .filter(pk=job_id, status=status, worker_id=worker_id)
                .first()
            )
            if job is None or not kinds.known(job.kind):
                continue  # finished or claimed again meanwhile; or a kind this code lacks
            _abandon_task(job.task_id, now)
            _requeue_or_give_up(job, now)
        reaped.append(job_id)
        logger.warning("job %s: no live worker, %s", job_id, job.status)
    Worker.objects.filter(seen_at__lt=now - 10 * stale_after()).delete()
    return reaped


def _requeue_or_give_up(job: Job, now: datetime) -> None:
    attempts = max(job.attempts, 1) if job.status == Job.Status.RUNNING else job.attempts + 1
    if attempts >= settings.JOBS_MAX_ATTEMPTS:
        job.status, job.finished_at, job.retryable = Job.Status.FAILED, now, True
        job.attempts = attempts
        job.error = error_texts(WORKER_LOST, {"times": attempts})
        job.save(update_fields=["status", "finished_at", "retryable", "attempts", "error"])
        return
    job.status, job.worker_id, job.attempts = Job.Status.QUEUED, "", attempts
    job.save(update_fields=["status", "worker_id", "attempts"])
    _enqueue(job)


def _orphans(cutoff: datetime, alive: set[str]) -> list[tuple[int, str, str]]:
    """(id, status, worker id) of open jobs older than `cutoff` whose queue row has ended, is
    gone, or is held by a silent worker (the database queue only; others cannot be read)."""
    if not _database_queue():
        return []
    from django_tasks_db.models import DBTaskResult

    open_jobs = list(
        Job.objects.filter(
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING], created_at__lt=cutoff
        )
        .exclude(task_id="")
        .values_list("pk", "status", "worker_id", "task_id")
    )
    rows = {
        str(row_id): (row_status, workers)
        for row_id, row_status, workers in DBTaskResult.objects.filter(
            id__in=[task_id for *_rest, task_id in open_jobs]
        ).values_list("id", "status", "worker_ids")
    }
    orphans = []
    for job_id, status, worker_id, task_id in open_jobs:
        row_status, workers = rows.get(task_id, (None, []))
        ended = row_status in (None, "SUCCESSFUL", "FAILED")
        silent = (
            row_status == "RUNNING"
            and status == Job.Status.QUEUED
            and workers[-1:]
            and (workers[-1] not in alive)
        )
        if ended or silent:
            orphans.append((job_id, status, worker_id))
    return orphans


def _database_queue() -> bool:
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return False
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def _abandon_task(task_id: str, now: datetime) -> None:
    """Close the dead worker's queue row, which would otherwise stay "running" for ever."""
    if not task_id or "django_tasks_db" not in settings.INSTALLED_APPS:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=now,
        exception_class_path="jobs.WorkerLost",
        traceback="The worker stopped sending heartbeats; the job was queued again.",
    )
