"""QC's background jobs: the hourly batch of checks on waves in fieldwork, and the ranking of
interviewers computed by a worker while the risk page waits."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from fieldwork.models import Wave
from jobs.models import Job
from qc.models import Review
from qc.tasks import QC_BATCH, start_qc_batch
from tests.qc.conftest import World, straight_answers


def test_the_schedule_checks_the_waves_in_fieldwork_once_an_hour(world, interviewer):
    world.interview(interviewer, answers=straight_answers("4"), duration=45)
    world.wave.status = Wave.Status.FIELDWORK
    world.wave.save(update_fields=["status"])
    planned = world.make_wave("2025 Q2")

    call_command("run_schedules", verbosity=0)
    call_command("run_schedules", verbosity=0)

    [batch] = Job.objects.filter(kind=QC_BATCH)
    assert batch.params == {"wave_id": world.wave.pk} and batch.status == Job.Status.SUCCEEDED
    assert batch.result == {"checked": 1} and planned.status == Wave.Status.PLANNED
    assert Review.objects.get().state == Review.State.FLAGGED


def test_a_batch_started_twice_while_queued_is_one_job(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    first = start_qc_batch(wave=world.wave)
    second = start_qc_batch(wave=world.wave)

    assert first.pk == second.pk and Job.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_risk_page_waits_for_the_worker_then_shows_the_ranking(
    client, supervisor, interviewer, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    world = World()
    world.interview(interviewer)
    client.force_login(supervisor)
    url = reverse("qc:interviewer_risk", args=[world.wave.pk])

    waiting = client.get(url)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    poll = client.get(url, {"job": waiting.context["job"].pk}, HTTP_HX_REQUEST="true")
    ranked = client.get(url)

    assert waiting.context["computing"] and 'hx-trigger="every 2s"' in waiting.text
    assert poll["HX-Refresh"] == "true"
    assert [row["interviewer_id"] for row in ranked.context["rows"]] == [interviewer.pk]
