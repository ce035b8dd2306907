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
    """Re-queue running jobs whose worker has not been seen for JOBS_STALE_AFTER_SECONDS (it
    was killed, or its machine went down); give up after JOBS_MAX_ATTEMPTS runs. Returns the
    ids of the jobs re-queued or given up."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    alive = Worker.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    reaped = []
    candidates = Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=cutoff).exclude(
        worker_id__in=list(alive)
    )
    for job_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=job_id)
            if job.status != Job.Status.RUNNING:
                continue
            _abandon_task(job.task_id, now)
            if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
                job.status = Job.Status.FAILED
                job.finished_at = now
                job.error = error_texts(WORKER_LOST, {"times": job.attempts})
                job.retryable = True
                job.save(update_fields=["status", "finished_at", "error", "retryable"])
            else:
                job.status = Job.Status.QUEUED
                job.worker_id = ""
                job.save(update_fields=["status", "worker_id"])
                _enqueue(job)
            reaped.append(job.pk)
            logger.warning("job %s: worker lost, %s", job.pk, job.status)
    Worker.objects.filter(seen_at__lt=now - 10 * stale_after()).delete()
    return reaped


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
