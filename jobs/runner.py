"""Running one job inside a worker: claim it, report progress, record how it ended.

A task function in an app's `tasks.py` is a thin shell around `run_job`:

    @task(takes_context=True)
    def import_frame(context: TaskContext, job_id: int) -> dict | None:
        return run_job(context, job_id, frame_import_body)

`body(job, progress)` does the work and returns a JSON-able result. It raises `JobFailed` with
a translatable message for failures the user should read (bad input); anything else is an
unexpected error whose traceback (phone numbers masked) is kept on the job for administrators
(Django's admin), never in the logs.
A job that already finished is not run again, and bodies that write rows must be idempotent
by job: a worker can die after committing the work and before recording the outcome, and the
job then runs again; the body looks for what the earlier run committed.

Progress is written with its own UPDATE, visible at once only outside a transaction: bodies
read and validate (reporting progress) outside transactions and write in one short atomic
block at the end.
"""

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.logs import redact
from jobs.models import Job

logger = logging.getLogger(__name__)

__all__ = ["JobFailed", "Progress", "error_texts", "run_job"]

UNEXPECTED = _("The job stopped on an unexpected error. Try again or tell the administrator.")


class JobFailed(Exception):
    """A failure to show the person who started the job, e.g. a file that cannot be read.
    `message` is a lazy translation, formatted with `params` in each language; `result` is
    kept on the job for the page that shows the failure (e.g. every problem)."""

    def __init__(
        self,
        message: Promise | str,
        *,
        params: dict | None = None,
        detail: str = "",
        result: Any = None,
    ):
        super().__init__(str(message))
        self.message = message
        self.params = params
        self.detail = detail
        self.result = result


def error_texts(message: Promise | str, params: dict | None = None) -> dict[str, str]:
    """The message in every language of the site: {"zh-hans": ..., "en": ...}. Formatting
    happens after translation (a lazy string formatted at once is in one language only)."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            text = str(message)
            texts[code] = text % params if params else text
    return texts


class Progress:
    """Writes a job's progress, at most once a second unless forced (the page polls it)."""

    def __init__(self, job: Job, min_interval: float = 1.0):
        self.job = job
        self.min_interval = min_interval
        self._last = 0.0

    def __call__(
        self, done: int, total: int | None = None, message: str = "", *, force: bool = False
    ) -> None:
        now = time.monotonic()
        if (
            not force
            and message == self.job.progress_message
            and now - self._last < self.min_interval
        ):
            return
        self._last = now
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        self.job.progress_message = str(message)[:200]
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=done,
            progress_total=self.job.progress_total,
            progress_message=self.job.progress_message,
        )


def _claim(job_id: int, worker_id: str, task_id: str) -> Job | None:
    """Mark the job running under this worker; None when there is nothing to run."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return None  # finished, or running under another worker
        if job.task_id and task_id and job.task_id != task_id:
            return None  # a superseded run: the reaper queued a newer one
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.worker_id = worker_id
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "worker_id", "started_at"])
        return job


def _finish(job: Job, **fields: Any) -> None:
    """Record the outcome, unless the job is no longer this run's: the reaper gave it to
    another worker (this one was silent too long), whose outcome then counts."""
    fields.update(
        finished_at=timezone.now(),
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        progress_message=fields.get("progress_message", job.progress_message),
    )
    mine = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker_id=job.worker_id)
    if not mine.update(**fields):
        logger.warning("job %s: taken over by another worker; this run's outcome dropped", job.pk)
        return
    for name, value in fields.items():
        setattr(job, name, value)


def run_job(context: Any, job_id: int, body: Callable[[Job, Progress], Any]) -> Any:
    """Run `body` for job `job_id` and record the outcome on the job (see the module doc)."""
    task_result = context.task_result
    worker_id = task_result.worker_ids[-1] if task_result.worker_ids else ""
    job = _claim(job_id, worker_id, str(task_result.id))
    if job is None:
        return None
    progress = Progress(job)
    try:
        result = body(job, progress)
    except JobFailed as failure:
        _finish(
            job,
            status=Job.Status.FAILED,
            error=error_texts(failure.message, failure.params),
            error_detail=failure.detail,
            result=failure.result,
        )
        logger.info("job %s (%s) failed: %s", job.pk, job.kind, type(failure).__name__)
        return None
    except Exception as exc:
        _finish(
            job,
            status=Job.Status.FAILED,
            error=error_texts(UNEXPECTED),
            error_detail=redact("".join(traceback.format_exception(exc))),
            retryable=True,
        )
        # The type only: messages may quote data (numbers, names) that logs must not hold.
        # Not re-raised for the same reason (the queue would log the traceback); the Job is
        # the record of how the work ended, its queue row only of the runner finishing.
        logger.error("job %s (%s) stopped on %s", job.pk, job.kind, type(exc).__name__)
        return None
    _finish(
        job,
        status=Job.Status.SUCCEEDED,
        result=result,
        error={},
        error_detail="",
        progress_message="",
    )
    return result
