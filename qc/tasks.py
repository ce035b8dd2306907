"""QC's background work (see jobs.runner) and its schedule: the automatic checks on each
interview as it is completed (queued once the completing transaction has committed:
fieldwork.services.interviews registers the reaction with transaction.on_commit), the batch
of checks on a wave's interviews, which runs the population rules (relative rush, overlaps,
copies within and between interviewers), and the interviewer-risk ranking.

The batch runs by itself for each wave in fieldwork: every settings.QC_POPULATION_MINUTES
when interviews were completed since the wave's last batch, and as soon as
settings.QC_POPULATION_COMPLETES interviews were completed since it (the per-interview
check starts it, in the worker)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from fieldwork.models import Interview, Wave
from jobs import kinds, schedules
from jobs.models import Job
from jobs.runner import Progress, run_job
from jobs.services import start_job
from qc.risk.services import RISK_JOB, compute_risk
from qc.services.checks import check_completed_interview, check_interviews

QC_BATCH = "qc_batch"


@task()
def check_interview(interview_id: int) -> str | None:
    """The automatic checks on one completed interview, in a worker: the interviewer's last
    page does not wait for them. Returns the review's state; None when the interview is no
    longer completed (reopened meanwhile: it is checked again when it is completed again)."""
    interview = (
        Interview.objects.select_related("case__wave")
        .filter(pk=interview_id, status=Interview.Status.COMPLETED)
        .first()
    )
    if interview is None:
        return None
    state = check_completed_interview(interview).state
    wave = interview.case.wave
    if wave.status == Wave.Status.FIELDWORK:
        if completes_since_batch(wave) >= settings.QC_POPULATION_COMPLETES:
            start_qc_batch(wave=wave)
    return state


def enqueue_interview_check(interview: Interview) -> None:
    """Queue the checks of an interview whose completion was just committed (one INSERT with
    the database queue). Should the queue be out of reach, the scheduled batch checks it."""
    check_interview.enqueue(interview.pk)


def run_qc_batch(job: Job, progress: Progress) -> dict:
    """Run the automatic checks on every completed interview of the wave again (new rules or
    thresholds, interviews completed while a check failed)."""
    interviews = Interview.objects.filter(case__wave_id=job.params["wave_id"])
    return {"checked": check_interviews(interviews=interviews)}


def start_qc_batch(*, wave: Wave, user=None) -> Job:
    return start_job(
        kind=QC_BATCH,
        params={"wave_id": wave.pk},
        subject=str(wave),
        user=user,
        dedupe_key=f"qc-batch:{wave.pk}",
    )


def completes_since_batch(wave: Wave) -> int:
    """Interviews of the wave completed since its last batch started (all, before the first)."""
    since = (
        Job.objects.filter(kind=QC_BATCH, params__wave_id=wave.pk)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    completed = Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
    if since is not None:
        completed = completed.filter(completed_at__gt=since)
    return completed.count()


def _enqueue_batches(now: datetime) -> int:
    waves = Wave.objects.filter(status=Wave.Status.FIELDWORK)
    return len([start_qc_batch(wave=wave) for wave in waves if completes_since_batch(wave)])


@task(takes_context=True)
def qc_batch(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, run_qc_batch)


@task(takes_context=True)
def interviewer_risk(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, compute_risk)


kinds.register(QC_BATCH, _("Quality checks of a wave"), qc_batch)
kinds.register(RISK_JOB, _("Interviewer risk ranking"), interviewer_risk)
schedules.register(
    schedules.Schedule(
        QC_BATCH, timedelta(minutes=settings.QC_POPULATION_MINUTES), _enqueue_batches
    )
)
