"""Results a job computes into the shared cache, for pages that show them.

A page asks `cached_or_job`: the value when it is cached, else the job computing it (started
unless one with the same cache key is queued or running). The page shows a waiting card
(`jobs/_waiting.html`) that polls the page itself; `poll_reply` answers those polls, and a
finished job reloads the page (htmx's HX-Refresh), which then finds the value in the cache.
"""

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from accounts.models import User
from jobs.models import Job
from jobs.services import start_job


def cached_or_job(
    *, key: str, kind: str, params: dict, subject: str, user: User | None
) -> tuple[Any, Job | None]:
    """(value, None) when `key` is cached; else (value or None, the job computing it). A job
    that failed on its input for this key is returned, not run again: the same state of the
    data fails the same way."""
    value = cache.get(key)
    if value is not None:
        return value, None
    failed = Job.objects.filter(dedupe_key=key, status=Job.Status.FAILED, retryable=False)
    if (known := failed.order_by("-pk").first()) is not None:
        return None, known
    job = start_job(kind=kind, params=params, subject=subject, user=user, dedupe_key=key)
    return cache.get(key), job


def poll_reply(request: HttpRequest, *, ready: bool, job: Job | None) -> HttpResponse | None:
    """None for an ordinary request. For the waiting card's own poll (an htmx request): 204,
    leaving the page as it is while the job runs, with HX-Refresh once there is something to
    show (the value, or the job's failure)."""
    if request.headers.get("HX-Request") != "true":
        return None
    response = HttpResponse(status=204)
    if ready or job is None or not job.is_open:
        response["HX-Refresh"] = "true"
    return response
