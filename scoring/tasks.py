"""Scoring's background jobs (see jobs.runner): a wave's results, computed into the cache
whenever their inputs change (scoring.refresh), a wave's composite index (scoring.index.computed)
and the freezing of an edition with every
district's report (scoring.edition_jobs)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from fieldwork import reactions
from jobs import kinds, schedules
from jobs.runner import run_job
from scoring import edition_jobs, refresh, results
from scoring.index import computed as index_computed

REFRESH_SCHEDULE = "results_refresh"


@task(takes_context=True)
def compute_wave_results(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, refresh.results_job)


@task(takes_context=True)
def compute_wave_index(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, index_computed.compute_index)


@task(takes_context=True)
def freeze_edition(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, edition_jobs.freeze_body)


kinds.register(results.RESULTS_JOB, _("Results of a wave"), compute_wave_results)
kinds.register(index_computed.INDEX_JOB, _("Composite index of a wave"), compute_wave_index)
kinds.register(edition_jobs.FREEZE_JOB, _("Edition of a wave's results"), freeze_edition)
schedules.register(
    schedules.Schedule(REFRESH_SCHEDULE, timedelta(minutes=1), refresh.refresh_stale)
)
reactions.on_results_inputs_changed(refresh.refresh_results)
