"""Reads for the personal-data page: a wave's purges and purge jobs."""

from django.db.models import QuerySet

from fieldwork.models import Wave
from jobs.models import Job
from privacy.models import Purge
from privacy.services import PURGE


def purges(wave: Wave) -> QuerySet[Purge]:
    return Purge.objects.filter(wave=wave).select_related("purged_by")


def purge_jobs(wave: Wave) -> QuerySet[Job]:
    """The wave's purge jobs, newest first."""
    return Job.objects.filter(kind=PURGE, params__wave_id=wave.pk).select_related("created_by")
