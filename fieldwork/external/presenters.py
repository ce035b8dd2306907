from django.urls import reverse

from jobs.models import Job
from jobs.presenters import job_row


def external_import(job: Job) -> dict:
    """An external import's state for its page: the job's progress and outcome, the file's
    name, the wave once made, and every problem when the file was refused."""
    result = job.result or {}
    wave_id = result.get("wave_id")
    return {
        "row": job_row(job),
        "source_name": job.params.get("source_name", ""),
        "n": result.get("n"),
        "wave_url": reverse("fieldwork:wave_detail", args=[wave_id]) if wave_id else "",
        "problems": result.get("problems", []),
    }
