"""Results recomputed by a job when their inputs change: one job per wave and language at a
time, started by the decisions themselves or by the every-minute schedule."""

from django.core.cache import cache
from django.urls import reverse

from jobs.models import Job
from scoring import refresh, results
from scoring.services import set_nonresponse
from tests.scoring.factories import answers
from tests.scoring.test_views import login, scored_wave  # noqa: F401  (fixture)


def test_nothing_is_recomputed_for_a_wave_nobody_reads(scored_wave):  # noqa: F811
    assert refresh.refresh_results(scored_wave.pk) == []
    assert refresh.refresh_stale() == 0
    assert not Job.objects.exists()


def test_the_schedule_recomputes_results_whose_inputs_changed(
    client,
    analyst,
    scored_wave,  # noqa: F811
    places,
    make_interview,
    english,
):
    # given results read in English
    login(client, analyst)
    assert client.get(reverse("scoring:results")).context["report"]["n_interviews"] == 2
    assert refresh.refresh_stale() == 0  # nothing changed
    # when an interview is approved (here without the decision's own trigger)
    make_interview(scored_wave, places["east_a"], answers(safety="1", order="1"))
    # then the schedule's job computes the new state before anyone asks
    assert refresh.refresh_stale() == 1
    with_language = results.results_cache_key(scored_wave)  # English is active
    assert cache.get(with_language)["n_interviews"] == 3
    assert Job.objects.filter(kind="wave_results").count() == 2


def test_a_burst_of_changes_joins_the_queued_job(
    client,
    analyst,
    scored_wave,  # noqa: F811
    settings,
    english,
):
    # given results read once, and a worker that has not picked up anything yet
    login(client, analyst)
    client.get(reverse("scoring:results"))
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    # when the weighting changes and several decisions follow
    set_nonresponse(wave=scored_wave, user=analyst, method="none")
    jobs = [refresh.refresh_results(scored_wave.pk)[0] for _ in range(5)]
    # then one job is queued for them all
    assert len({job.pk for job in jobs}) == 1
    assert Job.objects.filter(kind="wave_results", status=Job.Status.QUEUED).count() == 1
