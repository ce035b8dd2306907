"""The jobs app's own job: clearing old records, daily."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from jobs import kinds, schedules
from jobs.models import Job
from jobs.runner import Progress, run_job
from jobs.services import start_job

CLEANUP = "jobs_cleanup"


def _clean_up(job: Job, progress: Progress) -> dict:
    """Delete finished jobs and queue rows older than JOBS_KEEP_DAYS."""
    cutoff = timezone.now() - timedelta(days=settings.JOBS_KEEP_DAYS)
    finished = Job.objects.filter(
        status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED], finished_at__lt=cutoff
    )
    jobs_deleted, _by_model = finished.delete()
    queue_deleted = 0
    if "django_tasks_db" in settings.INSTALLED_APPS:
        from django_tasks_db.models import DBTaskResult

        queue_deleted, _by_model = (
            DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
        )
    progress(1, 1, force=True)
    return {"jobs": jobs_deleted, "queue_rows": queue_deleted}


@task(takes_context=True)
def clean_up(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, _clean_up)


def _enqueue_cleanup(now: datetime) -> int:
    start_job(kind=CLEANUP, dedupe_key=CLEANUP)
    return 1


kinds.register(CLEANUP, _("Clear old job records"), clean_up)
schedules.register(schedules.Schedule(CLEANUP, timedelta(days=1), _enqueue_cleanup))
