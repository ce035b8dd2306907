"""QC's background work (see jobs.runner) and its schedule: the automatic checks on each
interview as it is completed, the batch of checks on a wave's interviews (hourly for waves in
fieldwork) and the interviewer-risk ranking."""

from datetime import datetime, timedelta

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
    return check_completed_interview(interview).state


def enqueue_interview_check(interview: Interview) -> None:
    """Queue the checks of an interview whose completion was just committed (one INSERT with
    the database queue). Should the queue be out of reach, the hourly batch checks it."""
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


def _enqueue_batches(now: datetime) -> int:
    waves = Wave.objects.filter(status=Wave.Status.FIELDWORK)
    return len([start_qc_batch(wave=wave) for wave in waves])


@task(takes_context=True)
def qc_batch(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, run_qc_batch)


@task(takes_context=True)
def interviewer_risk(context: TaskContext, job_id: int) -> dict | None:
    return run_job(context, job_id, compute_risk)


kinds.register(QC_BATCH, _("Quality checks of a wave"), qc_batch)
kinds.register(RISK_JOB, _("Interviewer risk ranking"), interviewer_risk)
schedules.register(schedules.Schedule(QC_BATCH, timedelta(hours=1), _enqueue_batches))
