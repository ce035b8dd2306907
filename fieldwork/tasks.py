"""Fieldwork's background jobs (see jobs.runner): loading another system's interviews."""

from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from fieldwork.external import jobs as external
from jobs import kinds
from jobs.runner import run_job


@task(takes_context=True)
def import_external_interviews(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, external.run_external_import)


kinds.register(external.EXTERNAL_IMPORT, _("Interviews from another system"),
               import_external_interviews)  # fmt: skip
