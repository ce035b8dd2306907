"""Jobs as rows and progress for templates, in the reader's language."""

from common.i18n import ui_language_code
from jobs import kinds
from jobs.computed import Computed
from jobs.models import Job


def error_text(job: Job) -> str:
    """The job's error in the reader's language (else any language it was recorded in)."""
    if not job.error:
        return ""
    language = ui_language_code()
    return job.error.get(language) or next(iter(job.error.values()), "")


def job_row(job: Job) -> dict:
    return {
        "job": job,
        "pk": job.pk,
        "kind": kinds.label(job.kind),
        "subject": job.subject,
        "status": job.status,
        "status_label": job.get_status_display(),
        "percent": job.percent,
        "done": job.progress_done,
        "total": job.progress_total,
        "message": job.progress_message,
        "error": error_text(job),
        "created_by": str(job.created_by) if job.created_by else "",
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "attempts": job.attempts,
        "is_open": job.is_open,
        "can_retry": job.status == Job.Status.FAILED and job.retryable,
    }


def computed_state(computed: Computed) -> dict:
    """What a page waiting on a computed value shows (jobs.computed): `computing` (nothing to
    show yet), `updating` (an earlier value is shown while the job brings it up to date),
    `error` (the job failed: its message), and the `job` its waiting card polls for."""
    job = computed.job
    running = job is not None and job.is_open
    return {
        "job": job,
        "computing": computed.value is None and running,
        "updating": computed.value is not None and computed.stale and running,
        "error": error_text(job) if job is not None and job.status == Job.Status.FAILED else "",
    }
