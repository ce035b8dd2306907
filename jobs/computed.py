"""Results a job computes into the shared cache, for pages that show them.

A value is cached under a key naming the state of the data it was computed from, and also
under a `latest_key` naming only what it is (a wave's results in a language), so a page can
show the newest value while a job brings it up to date. `cached_or_job` gives the page what
there is; one job at a time computes per latest key, and it computes the state current when
it runs (data that keeps changing during fieldwork does not pile up jobs). The page shows a
waiting card or an "updating" note (`jobs/_waiting.html`) that polls with the job's id;
`poll_reply` answers, and once the job has ended the page reloads itself (htmx's HX-Refresh).
"""

from datetime import timedelta
from typing import Any, NamedTuple

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import Role, User
from common.ids import parse_id
from jobs.models import Job
from jobs.services import start_job

# After a failure, pages show it rather than start the same computation on every visit.
FAILURE_PAUSE = timedelta(minutes=10)


class Computed(NamedTuple):
    value: Any  # for the current state; else the newest computed (stale); else None
    job: Job | None  # the job computing the current state, or the one that just failed
    stale: bool  # the value is from an earlier state of the data


def cached_or_job(
    *, key: str, latest_key: str, kind: str, params: dict, subject: str, user: User | None
) -> Computed:
    value = cache.get(key)
    if value is not None:
        return Computed(value, None, False)
    last = Job.objects.filter(dedupe_key=latest_key).order_by("-pk").first()
    failed_recently = (
        last is not None
        and last.status == Job.Status.FAILED
        and last.finished_at >= timezone.now() - FAILURE_PAUSE
    )
    job = last if failed_recently else None
    if job is None:
        job = start_job(kind=kind, params=params, subject=subject, user=user, dedupe_key=latest_key)
    value = cache.get(key)  # an immediate task backend has computed it already
    if value is not None:
        return Computed(value, job, False)
    return Computed(cache.get(latest_key), job, True)


def remember(*, key: str, latest_key: str, value: Any, seconds: int) -> None:
    """Cache a computed value for its state and as the latest one (kept four times longer)."""
    cache.set(key, value, seconds)
    cache.set(latest_key, value, 4 * seconds)


def poll_reply(request: HttpRequest) -> HttpResponse | None:
    """None for an ordinary request. For the waiting card's own poll (an htmx request naming
    the job it waits for): 204 while that job runs, leaving the page as it is; HX-Refresh once
    it has ended. A poll never starts a job. A client's pages wait on no job: to a client
    every job is as one that has ended (which jobs the firm runs, and when, is its own)."""
    if request.headers.get("HX-Request") != "true":
        return None
    job_id = parse_id(request.GET.get("job"))
    jobs = Job.objects.none() if request.user.role == Role.CLIENT else Job.objects.all()
    job = jobs.filter(pk=job_id).first() if job_id is not None else None
    response = HttpResponse(status=204)
    if job is None or not job.is_open:
        response["HX-Refresh"] = "true"
    return response
