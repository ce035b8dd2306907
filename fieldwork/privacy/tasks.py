"""The daily reminders of retention dates, and the daily pruning of expired audit events, as
jobs started by the schedules (jobs.schedules)."""

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from audit.pruning import prune_expired
from fieldwork.privacy.retention import remind_due
from jobs import kinds, schedules
from jobs.models import Job
from jobs.runner import Progress, run_job
from jobs.services import start_job

REMINDERS = "retention_reminders"
AUDIT_PRUNING = "audit_pruning"


def _remind(job: Job, progress: Progress) -> dict:
    reminded = remind_due()
    progress(1, 1, force=True)
    return {"reminded": reminded}


def _prune(job: Job, progress: Progress) -> dict:
    removed = prune_expired()
    progress(1, 1, force=True)
    return {"removed": removed}


@task(takes_context=True)
def send_reminders(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, _remind)


@task(takes_context=True)
def prune_audit_log(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, _prune)


def _enqueue(kind: str):
    def enqueue(now: datetime) -> int:
        start_job(kind=kind, dedupe_key=kind)
        return 1

    return enqueue


kinds.register(REMINDERS, _("Remind analysts of retention dates"), send_reminders)
kinds.register(AUDIT_PRUNING, _("Remove audit events past their retention"), prune_audit_log)
schedules.register(schedules.Schedule(REMINDERS, timedelta(days=1), _enqueue(REMINDERS)))
schedules.register(schedules.Schedule(AUDIT_PRUNING, timedelta(days=1), _enqueue(AUDIT_PRUNING)))
