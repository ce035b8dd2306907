"""Fieldwork's background jobs (see jobs.runner): loading another system's interviews, and the
periodic recount of quota cells (the guard against a drifting kept count)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from fieldwork.external import jobs as external
from fieldwork.services import quota_counts
from jobs import kinds, schedules
from jobs.models import Job
from jobs.runner import Progress, run_job
from jobs.services import start_job

QUOTA_RECOUNT = "quota_recount"


@task(takes_context=True)
def import_external_interviews(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, external.run_external_import)


def _recount(job: Job, progress: Progress) -> dict:
    counted = quota_counts.recount_waves_in_fieldwork()
    progress(1, 1, force=True)
    return counted


@task(takes_context=True)
def recount_quotas(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, _recount)


def _enqueue_recount(now: datetime) -> int:
    start_job(kind=QUOTA_RECOUNT, dedupe_key=QUOTA_RECOUNT)
    return 1


kinds.register(external.EXTERNAL_IMPORT, _("Interviews from another system"),
               import_external_interviews)  # fmt: skip
kinds.register(QUOTA_RECOUNT, _("Recount quota cells"), recount_quotas)
schedules.register(
    schedules.Schedule(
        QUOTA_RECOUNT, timedelta(minutes=settings.QUOTA_RECOUNT_MINUTES), _enqueue_recount
    )
)
