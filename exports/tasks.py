"""The exports' background job (see jobs.runner): a wave's data package."""

from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from exports import services
from jobs import kinds
from jobs.runner import run_job


@task(takes_context=True)
def build_data_package(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, services.run_package)


kinds.register(services.PACKAGE, _("Data package"), build_data_package)
