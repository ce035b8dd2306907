"""Sampling's background jobs (see jobs.runner): frame and locality imports."""

from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from jobs import kinds
from jobs.runner import run_job
from sampling.services import import_jobs


@task(takes_context=True)
def import_frame_file(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, import_jobs.run_frame_import)


@task(takes_context=True)
def import_locality_tree(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, import_jobs.run_locality_import)


kinds.register(import_jobs.FRAME_IMPORT, _("Frame import"), import_frame_file)
kinds.register(import_jobs.LOCALITY_IMPORT, _("Locality tree import"), import_locality_tree)
