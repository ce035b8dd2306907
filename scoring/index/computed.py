"""The composite index of a wave, computed by a job into the cache like the results
(scoring.results, jobs.computed), so no page request computes it.

The cached value is what an edition keeps of the index (scoring.editions.index_parts, both
levels, in the reader's language): the staff page shows it as it is, a client the signed
edition's copy. It is cached under the state of everything the index is computed from: the
results' state (scoring.states.state_key: approvals, localities, weighting, targets), the
wave's index scheme (weights, AHP matrices, shares) and its objective indicators and values.
While the job brings it up to date the page shows the newest index computed, marked as
being updated.
"""

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import translation

from accounts.models import User
from common.i18n import ui_language_code
from fieldwork.models import Wave
from jobs.computed import Computed, cached_or_job, remember
from jobs.models import Job
from jobs.runner import Progress
from scoring import editions, results, states
from scoring.models import IndexScheme, ObjectiveIndicator, ObjectiveValue

INDEX_JOB = "wave_index"


def index_state_key(wave: Wave) -> str:
    """scoring.states.state_key plus the wave's index scheme and objective figures (three queries
    more): a key that changes with anything the index is computed from."""
    scheme = IndexScheme.objects.filter(wave=wave).values_list("updated_at", flat=True).first()
    indicators = ObjectiveIndicator.objects.filter(wave=wave).aggregate(
        n=Count("id"), last=Max("imported_at")
    )
    values = ObjectiveValue.objects.filter(indicator__wave=wave).aggregate(
        n=Count("id"), last=Max("id")
    )
    parts = (
        states.state_key(wave),
        "index",
        scheme.isoformat() if scheme else "",
        indicators["n"],
        indicators["last"].isoformat() if indicators["last"] else "",
        values["n"],
        values["last"],
    )
    return ":".join(str(part) for part in parts)


def index_cache_key(wave: Wave) -> str:
    return f"{index_state_key(wave)}:{ui_language_code()}"


def latest_index_key(wave: Wave, language: str) -> str:
    return f"scoring:index:latest:{states.CACHE_VERSION}:{wave.pk}:{language}"


def index_or_job(*, wave: Wave, user: User | None) -> Computed:
    """The page's index (scoring.editions.index_parts' dict): cached, or being computed by
    a job (jobs.computed)."""
    language = ui_language_code()
    return cached_or_job(
        key=index_cache_key(wave),
        latest_key=latest_index_key(wave, language),
        kind=INDEX_JOB,
        params={"wave_id": wave.pk, "language": language},
        subject=str(wave),
        user=user,
    )


def compute_index(job: Job, progress: Progress) -> dict:
    """The index job: the wave's index at both levels for the state its inputs are in now,
    in the reader's language, into the cache (a no-op when another run has put it there).
    An index that cannot be computed is cached with its error, as an edition keeps it."""
    wave = Wave.objects.select_related("client", "questionnaire_version").get(
        pk=job.params["wave_id"]
    )
    language = job.params["language"]
    with translation.override(language):
        key = index_cache_key(wave)
        if cache.get(key) is None:
            remember(
                key=key,
                latest_key=latest_index_key(wave, language),
                value=editions.index_parts(wave),
                seconds=results.RESULTS_CACHE_SECONDS,
            )
    return {"cache_key": key}
