"""Reads for the exports page: a wave's data packages (their jobs)."""

from django.db.models import QuerySet

from exports.services import PACKAGE
from fieldwork.models import Wave
from jobs.models import Job


def packages(wave: Wave) -> QuerySet[Job]:
    """The wave's package jobs, newest first."""
    return Job.objects.filter(kind=PACKAGE, params__wave_id=wave.pk).select_related("created_by")


def package_job(wave: Wave, job_id: int) -> Job | None:
    """A finished package of the wave, or None."""
    return packages(wave).filter(pk=job_id, status=Job.Status.SUCCEEDED).first()
