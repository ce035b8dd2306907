"""The exports page's rows, in the reader's language."""

from jobs.models import Job
from jobs.presenters import job_row
from qc.models import Review


def package_row(job: Job) -> dict:
    result = job.result or {}
    names = dict(Review.State.choices)
    states = job.params.get("states") or []
    return {
        **job_row(job),
        "states": ", ".join(str(names.get(state, state)) for state in states),
        "interviews": result.get("interviews"),
        "bytes": result.get("bytes"),
        "sha256": result.get("sha256", ""),
        "ready": job.status == Job.Status.SUCCEEDED and bool(result.get("path")),
    }
