"""Frame imports started from the web: a background thread, a progress row, an htmx poll."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import timezone

from sampling.models import Frame, ImportJob
from sampling.services.import_jobs import start_frame_import, wait_for_import
from sampling.services.localities import import_localities
from tests.sampling.conftest import FRAME_SIZES, LOCALITIES, MAPPING, frame_rows


def good_file() -> io.BytesIO:
    return io.BytesIO(frame_rows(FRAME_SIZES).to_csv(index=False).encode())


@pytest.mark.django_db(transaction=True)
def test_background_import_runs_in_a_thread_and_records_progress(analyst):
    import_localities(rows=LOCALITIES)

    job = start_frame_import(
        file=good_file(), source_name="f.csv", name="南京", mapping=MAPPING, user=analyst
    )
    done = wait_for_import(job_id=job.pk, timeout=60)

    assert done.status == ImportJob.Status.DONE
    assert done.fraction == 1.0 and done.frame.n_rows == 100
    assert done.frame.created_by == analyst
    assert done.upload_path == ""  # the upload is removed once imported


@pytest.mark.django_db(transaction=True)
def test_background_import_failure_keeps_the_problems(analyst):
    import_localities(rows=LOCALITIES)
    data = frame_rows(FRAME_SIZES)
    data.loc[0, "tel"] = "123"

    job = start_frame_import(
        file=io.BytesIO(data.to_csv(index=False).encode()),
        source_name="f.csv",
        name="x",
        mapping=MAPPING,
        user=analyst,
    )
    done = wait_for_import(job_id=job.pk, timeout=60)

    assert done.status == ImportJob.Status.FAILED and done.n_errors == 1
    assert done.errors[0]["row"] == 2 and done.errors[0]["kind"] == "bad_phone"
    assert Frame.objects.count() == 0


def test_upload_page_redirects_to_the_progress_page_when_in_background(
    client, analyst, localities, settings
):
    client.force_login(analyst)
    job = ImportJob.objects.create(name="x", source_name="f.csv", created_by=analyst)
    # A running job (as a thread would leave it) renders a polling progress element.
    ImportJob.objects.filter(pk=job.pk).update(fraction=0.45, message="Checking rows")

    page = client.get(reverse("sampling:import_status", args=[job.pk])).content.decode()
    fragment = client.get(reverse("sampling:import_progress", args=[job.pk])).content.decode()

    for html in (page, fragment):
        assert '<progress max="100" value="45"' in html
        assert 'hx-trigger="every 1s"' in html
        assert reverse("sampling:import_progress", args=[job.pk]) in html
        assert "Checking rows" in html


def test_finished_job_stops_polling_and_links_the_frame(client, analyst, localities):
    client.force_login(analyst)
    with open_frame() as file:
        job = start_frame_import(
            file=file,
            source_name="f.csv",
            name="x",
            mapping=MAPPING,
            user=analyst,
            background=False,
        )

    fragment = client.get(reverse("sampling:import_progress", args=[job.pk])).content.decode()

    assert "hx-trigger" not in fragment
    assert reverse("sampling:frame_detail", args=[job.frame_id]) in fragment


def test_failed_job_shows_masked_errors_and_the_report(client, analyst, localities):
    client.force_login(analyst)
    data = frame_rows(FRAME_SIZES)
    data.loc[0, "tel"] = "1381234567"
    job = start_frame_import(
        file=io.BytesIO(data.to_csv(index=False).encode()),
        source_name="f.csv",
        name="x",
        mapping=MAPPING,
        user=analyst,
        background=False,
    )

    fragment = client.get(reverse("sampling:import_progress", args=[job.pk])).content.decode()

    assert "f.csv: 1 problem" in fragment and "138****4567" in fragment
    assert "1381234567" not in fragment and "hx-trigger" not in fragment
    assert client.get(reverse("sampling:frame_errors")).status_code == 200


def test_silent_running_job_is_reported_as_interrupted(client, analyst, db):
    client.force_login(analyst)
    job = ImportJob.objects.create(name="x", source_name="f.csv", created_by=analyst)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))

    fragment = client.get(reverse("sampling:import_progress", args=[job.pk])).content.decode()

    assert "stopped without finishing" in fragment and "hx-trigger" not in fragment


@pytest.mark.django_db(transaction=True)
def test_upload_in_background_redirects_to_the_job(client, analyst, localities, settings):
    settings.SAMPLING_BACKGROUND_IMPORTS = True
    client.force_login(analyst)
    data = {
        "file": SimpleUploadedFile("f.csv", b"hh,tel,loc\n", content_type="text/csv"),
        "name": "x",
        "unit_id_column": "hh",
        "phone_column": "tel",
        "locality_column": "loc",
    }

    response = client.post(reverse("sampling:frame_upload"), data)

    # Wait for the import thread before touching the job table: the in-memory SQLite test
    # database locks whole tables and does not wait, unlike the file database in production.
    job_id = resolve(response["Location"]).kwargs["job_id"]
    done = wait_for_import(job_id=job_id, timeout=60)
    assert response["Location"] == reverse(
        "sampling:import_status", args=[ImportJob.objects.get().pk]
    )
    assert done.status == ImportJob.Status.FAILED and done.errors[0]["kind"] == "no_rows"


def open_frame():
    return good_file()
