"""A wave's results recomputed by a job whenever what they are computed from changes, so no
page request computes them; and the automatic draft edition that a later change makes.

- A review decision that approves an interview or takes an approval back (qc, through
  fieldwork.reactions), the analyst's weighting choice and targets (scoring.services) call
  `refresh_results` after their commit. Other inputs (a frame, a reserve release, a new
  locality file) are caught by the every-minute schedule `refresh_stale`, which starts the
  job for every wave whose results someone reads and whose current state is not computed.
- The job (`results_job`) is one per wave and language at a time (its dedupe key is the
  wave's latest-results key): changes while it is queued join it, and changes while it runs
  are picked up by running again until the state it computed is still the current one
  (at most REFRESH_ROUNDS runs): decisions in a burst cost one or two computations, not one
  each.
- The composite index (scoring.index.computed) is started alongside in every language it
  has been read in.
- Meanwhile pages show the latest results computed, marked as being updated
  (jobs.computed); the downloads never compute either (scoring.views).
- When the wave already has an edition and the recomputed inputs no longer hash to the
  newest edition's, the job starts an automatic draft (scoring.edition_jobs): a later
  decision never changes a signed edition.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from fieldwork.models import Wave
from jobs.models import Job
from jobs.runner import Progress
from jobs.services import start_job
from scoring import edition_jobs, results
from scoring.index import computed as index_computed
from scoring.models import Edition
from scoring.states import state_key

REFRESH_ROUNDS = 3


def languages_read(wave: Wave) -> list[str]:
    """The site's languages in which the wave's results have been computed before (someone
    reads them), from the latest-results entries in the cache."""
    return [
        code
        for code, _name in settings.LANGUAGES
        if cache.get(results.latest_results_key(wave, code)) is not None
    ]


def refresh_results(wave_id: int) -> list[Job]:
    """Start (or join) the results job of the wave in every language its results are read
    in; in the site's language too when it has an edition (so the automatic draft is
    made). Nothing when nobody has read its results yet: the results page starts the job
    on its first visit."""
    wave = Wave.objects.filter(pk=wave_id).select_related("questionnaire_version").first()
    if wave is None:
        return []
    languages = languages_read(wave)
    last = wave.editions.order_by("-number").first()
    if last is not None and last.language not in languages:
        languages.append(last.language)
    _refresh_index(wave)
    return [
        start_job(
            kind=results.RESULTS_JOB,
            params={"wave_id": wave.pk, "language": language},
            subject=str(wave),
            dedupe_key=results.latest_results_key(wave, language),
        )
        for language in languages
    ]


def _refresh_index(wave: Wave) -> None:
    """Start (or join) the index job in every language the wave's index has been read in
    (scoring.index.computed), so its page is up to date by the next visit too."""
    for code, _name in settings.LANGUAGES:
        if cache.get(index_computed.latest_index_key(wave, code)) is not None:
            start_job(
                kind=index_computed.INDEX_JOB,
                params={"wave_id": wave.pk, "language": code},
                subject=str(wave),
                dedupe_key=index_computed.latest_index_key(wave, code),
            )


def refresh_stale(now=None) -> int:
    """The schedule: start the results job of every wave read before whose current state
    has no results computed; returns how many jobs it started or joined."""
    started = 0
    for wave in Wave.objects.select_related("questionnaire_version"):
        languages = languages_read(wave)
        has_edition = Edition.objects.filter(wave=wave).exists()
        if not languages and not has_edition:
            continue
        state = state_key(wave)
        if any(cache.get(f"{state}:{code}") is None for code in languages) or (
            has_edition and not languages
        ):
            started += len(refresh_results(wave.pk))
    return started


def results_job(job: Job, progress: Progress) -> dict:
    """The results job: the wave's results for its current state, computed again while the
    state moved on during the computation (at most REFRESH_ROUNDS times); then, when the
    wave has an edition that no longer holds these inputs, an automatic draft."""
    wave = Wave.objects.select_related("questionnaire_version").get(pk=job.params["wave_id"])
    outcome = results.compute_results(job, progress)
    with translation.override(job.params["language"]):
        for _round in range(REFRESH_ROUNDS - 1):
            if results.results_cache_key(wave) == outcome["cache_key"]:
                break
            outcome = results.compute_results(job, progress)
        report = cache.get(outcome["cache_key"])
    last = wave.editions.order_by("-number").first()
    if report is not None and last is not None:
        with translation.override(last.language):
            draft = edition_jobs.draft_if_changed(wave=wave, digest=report["input_hash"])
        if draft is not None:
            outcome["draft_job"] = draft.pk
    return outcome
