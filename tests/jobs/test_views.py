import json

import pytest
from django.urls import reverse

from jobs.models import Job, Worker
from jobs.services import start_job
from tests.jobs.test_services import _running  # noqa: F401 - registers the test kinds


def login(client, user):
    client.force_login(user)
    return client


def test_analysts_see_every_job_with_its_outcome_in_their_language(client, analyst):
    start_job(kind="test_succeeds", params={"n": 1}, subject="frame.csv", user=analyst)
    start_job(kind="test_refuses", subject="tree.xlsx")
    login(client, analyst)

    page = client.get(reverse("jobs:job_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("jobs:job_list"), {"status": "failed"}).content.decode()

    assert "frame.csv" in page and "tree.xlsx" in page and "Finished" in page
    assert "Log out" in page  # the failed job's message, in English
    assert "tree.xlsx" in chinese and "frame.csv" not in chinese  # filtered by status


@pytest.mark.parametrize("role", ["supervisor", "interviewer", "client_user"])
def test_only_analysts_see_the_jobs_page(client, request, role):
    login(client, request.getfixturevalue(role))
    assert client.get(reverse("jobs:job_list")).status_code == 403


def test_a_crashed_job_can_be_retried_from_the_page(client, analyst):
    crashed = start_job(kind="test_crashes", subject="tree.xlsx")
    refused = start_job(kind="test_refuses", subject="bad.xlsx")
    login(client, analyst)

    page = client.get(reverse("jobs:job_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(reverse("jobs:job_retry", args=[crashed.pk]))
    client.post(reverse("jobs:job_retry", args=[refused.pk]))

    assert page.count(">Retry</button>") == 1
    assert response.status_code == 302
    assert Job.objects.filter(kind="test_crashes").count() == 2
    assert Job.objects.filter(kind="test_refuses").count() == 1
    assert (
        Job.objects.filter(kind="test_crashes").exclude(pk=crashed.pk).get().created_by == analyst
    )


def test_a_running_job_keeps_its_progress_polling_and_a_finished_one_stops(client, analyst):
    job = start_job(kind="test_succeeds", params={"n": 1})
    login(client, analyst)
    url = reverse("jobs:job_progress", args=[job.pk])

    done = client.get(url).content.decode()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, progress_done=3, progress_total=4
    )
    running = client.get(url).content.decode()

    assert "hx-trigger" not in done
    assert 'hx-trigger="every 1s"' in running and 'value="75"' in running


def test_health_is_public_and_reports_the_queue(db, client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    response = client.get(reverse("healthz"))

    report = json.loads(response.content)
    assert response.status_code == 200 and report["status"] == "ok"
    assert report["database"] and report["storage"]
    assert report["queue"]["queued"] == 0 and report["queue"]["workers_alive"] == 0
    assert list(tmp_path.rglob("*.txt")) == []  # the probe file is removed


def test_health_fails_when_files_cannot_be_written(db, client, settings, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocked},
        },
    }

    response = client.get(reverse("healthz"))

    assert response.status_code == 503 and json.loads(response.content)["storage"] is False


def test_health_is_degraded_when_work_waits_and_no_worker_runs(db, client, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    start_job(kind="test_succeeds", params={"n": 1})

    report = json.loads(client.get(reverse("healthz")).content)

    assert report["status"] == "degraded" and report["queue"]["queued"] == 1
    assert not Worker.objects.exists()


def test_a_job_started_by_someone_else_cannot_be_polled_by_a_non_analyst(
    client, analyst, supervisor
):
    theirs = start_job(kind="test_succeeds", params={"n": 1}, user=analyst)
    mine = start_job(kind="test_succeeds", params={"n": 1}, user=supervisor)
    login(client, supervisor)

    assert client.get(reverse("jobs:job_progress", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("jobs:job_progress", args=[mine.pk])).status_code == 200
