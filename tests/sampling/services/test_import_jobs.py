"""Frame and locality imports started from the web run as jobs: progress, outcome, problems,
and a job run twice (its worker died after committing) imports once."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from jobs.models import Job
from jobs.runner import Progress
from sampling.models import Frame, Locality
from sampling.services.import_jobs import (
    FRAME_IMPORT,
    run_frame_import,
    start_frame_import,
    start_locality_import,
)
from sampling.services.localities import import_localities
from tests.sampling.conftest import FRAME_SIZES, LOCALITIES, MAPPING, frame_rows


def good_file() -> io.BytesIO:
    return io.BytesIO(frame_rows(FRAME_SIZES).to_csv(index=False).encode())


def test_a_frame_import_job_records_its_frame_and_progress(analyst, localities):
    job = start_frame_import(
        file=good_file(), source_name="f.csv", name="南京", mapping=MAPPING, user=analyst
    )

    assert job.status == Job.Status.SUCCEEDED and job.kind == FRAME_IMPORT
    frame = Frame.objects.get()
    assert job.result == {"frame_id": frame.pk, "n_rows": 100}
    assert frame.import_job == job and frame.created_by == analyst
    assert job.progress_done == job.progress_total == 1000 and job.subject == "f.csv"
    assert not default_storage.exists(job.params["upload_path"])  # the upload is removed


def test_a_job_run_again_after_its_worker_died_imports_once(analyst, localities):
    job = start_frame_import(
        file=good_file(), source_name="f.csv", name="南京", mapping=MAPPING, user=analyst
    )

    again = run_frame_import(Job.objects.get(pk=job.pk), Progress(job))

    assert again == job.result and Frame.objects.count() == 1


def test_a_frame_import_job_fails_with_every_problem(analyst, localities):
    data = frame_rows(FRAME_SIZES)
    data.loc[0, "tel"] = "123"

    job = start_frame_import(
        file=io.BytesIO(data.to_csv(index=False).encode()),
        source_name="f.csv",
        name="x",
        mapping=MAPPING,
        user=analyst,
    )

    assert job.status == Job.Status.FAILED and job.result["n_errors"] == 1
    assert job.result["errors"][0]["row"] == 2 and job.result["errors"][0]["kind"] == "bad_phone"
    assert job.error["en"] == "The file has 1 problem." and not job.retryable
    assert job.error["zh-hans"] == "文件有 1 个问题。"
    assert Frame.objects.count() == 0
    assert not default_storage.exists(job.params["upload_path"])


def test_a_queued_import_shows_a_polling_progress_element(client, analyst, localities):
    client.force_login(analyst)
    job = start_frame_import(
        file=good_file(), source_name="f.csv", name="x", mapping=MAPPING, user=analyst
    )
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, progress_done=450, progress_total=1000, progress_message="核对行"
    )

    page = client.get(reverse("sampling:import_status", args=[job.pk])).content.decode()
    fragment = client.get(reverse("sampling:import_progress", args=[job.pk])).content.decode()

    for html in (page, fragment):
        assert '<progress max="100" value="45"' in html
        assert 'hx-trigger="every 1s"' in html
        assert reverse("sampling:import_progress", args=[job.pk]) in html
        assert "核对行" in html


def test_finished_job_stops_polling_and_links_the_frame(client, analyst, localities):
    client.force_login(analyst)
    job = start_frame_import(
        file=good_file(), source_name="f.csv", name="x", mapping=MAPPING, user=analyst
    )

    fragment = client.get(reverse("sampling:import_progress", args=[job.pk])).content.decode()

    assert "hx-trigger" not in fragment
    assert reverse("sampling:frame_detail", args=[job.result["frame_id"]]) in fragment


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
    )

    fragment = client.get(reverse("sampling:import_progress", args=[job.pk])).content.decode()

    assert "f.csv: 1 problem" in fragment and "138****4567" in fragment
    assert "1381234567" not in fragment and "hx-trigger" not in fragment
    assert client.get(reverse("sampling:frame_errors")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_upload_queues_a_job_that_a_worker_runs(client, analyst, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    import_localities(rows=LOCALITIES)
    client.force_login(analyst)
    data = {
        "file": SimpleUploadedFile("f.csv", b"hh,tel,loc\n", content_type="text/csv"),
        "name": "x",
        "unit_id_column": "hh",
        "phone_column": "tel",
        "locality_column": "loc",
    }

    response = client.post(reverse("sampling:frame_upload"), data)
    job = Job.objects.get()
    queued = job.status
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert response["Location"] == reverse("sampling:import_status", args=[job.pk])
    assert queued == Job.Status.QUEUED
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result["errors"][0]["kind"] == "no_rows"


def test_a_locality_import_job_writes_the_tree(analyst, db):
    rows = "code,name,parent_code,level\nC,平安市,,city\nD1,城东区,C,district\n"

    job = start_locality_import(file=io.BytesIO(rows.encode()), source_name="t.csv", user=analyst)

    assert job.status == Job.Status.SUCCEEDED and job.result == {"count": 2}
    assert set(Locality.objects.values_list("code", flat=True)) == {"C", "D1"}


def test_the_locality_page_shows_the_jobs_problems_in_the_uploaders_language(client, analyst, db):
    client.force_login(analyst)
    upload = SimpleUploadedFile("t.csv", b"code,name\nC,x\n", content_type="text/csv")

    response = client.post(
        reverse("sampling:locality_upload"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()

    job = Job.objects.get()
    assert response["Location"].endswith(f"?job={job.pk}")
    assert job.status == Job.Status.FAILED and "missing columns" in job.result["problems"][0]
    assert "t.csv: 1 problem" in page and "missing columns parent_code, level" in page
    assert not Locality.objects.exists()


def test_another_users_job_is_not_shown_on_the_locality_page(client, analyst, db):
    from tests.factories import make_user

    other = make_user("analyst2", "analyst")
    job = start_locality_import(file=io.BytesIO(b"code\n"), source_name="secret.csv", user=other)
    client.force_login(analyst)

    page = client.get(reverse("sampling:locality_upload"), {"job": job.pk}).content.decode()

    assert "secret.csv" not in page
