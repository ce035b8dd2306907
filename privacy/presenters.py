"""The personal-data page's rows, in the reader's language."""

from django.utils import timezone

from jobs.models import Job
from jobs.presenters import job_row
from privacy.certificate import not_removed, not_removed_text
from privacy.models import Purge


def purge_row(purge: Purge) -> dict:
    user = purge.purged_by
    return {
        "pk": purge.pk,
        "purged_at": timezone.localtime(purge.purged_at),
        "purged_by": (user.get_full_name() or user.get_username()) if user else "",
        "removed": sum(purge.counts.values()),
        "has_pdf": bool(purge.pdf_path),
        "not_removed": [not_removed_text(item) for item in not_removed(purge.certificate)],
    }


def job_rows(jobs: list[Job]) -> list[dict]:
    return [job_row(job) for job in jobs]
