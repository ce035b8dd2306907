"""Scoring's background job (see jobs.runner): a wave's results, computed into the cache."""

from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from jobs import kinds
from jobs.runner import run_job
from scoring import results


@task(takes_context=True)
def compute_wave_results(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, results.compute_results)


kinds.register(results.RESULTS_JOB, _("Results of a wave"), compute_wave_results)
