"""The purge's background job (see jobs.runner)."""

from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from jobs import kinds
from jobs.runner import run_job
from privacy import services


@task(takes_context=True)
def purge_personal_data(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, services.run_purge)


kinds.register(services.PURGE, _("Purge of personal data"), purge_personal_data)
