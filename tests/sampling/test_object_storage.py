"""Files in S3-compatible object storage (django-storages against moto's S3 server, started
here): a frame uploaded on one process is imported by a worker process into the bucket, and
the sample is drawn from the bucket."""

import io
import subprocess
import sys
import uuid

import boto3
import pytest

from jobs.models import Job
from sampling.models import Frame
from sampling.services.draws import draw_sample
from sampling.services.import_jobs import start_frame_import
from sampling.services.localities import import_localities
from tests.deploy.processes import free_port, stop, wait_for_port
from tests.jobs.worker import running_worker, wait_until
from tests.sampling.conftest import FRAME_SIZES, LOCALITIES, MAPPING, frame_rows

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
KEYS = {"access_key": "test-key", "secret_key": "test-secret", "region_name": "us-east-1"}


@pytest.fixture
def s3_bucket(settings):
    """moto's S3 server on a free port, a bucket in it, and the file storage pointed at it."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(port), "-H", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        endpoint, bucket = f"http://127.0.0.1:{port}", f"survey-{uuid.uuid4().hex[:8]}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=KEYS["access_key"],
            aws_secret_access_key=KEYS["secret_key"],
            region_name=KEYS["region_name"],
        )
        client.create_bucket(Bucket=bucket)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": bucket, "endpoint_url": endpoint, **KEYS},
            },
        }
        env = {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": endpoint,
            "S3_ACCESS_KEY_ID": KEYS["access_key"],
            "S3_SECRET_ACCESS_KEY": KEYS["secret_key"],
            "S3_REGION": KEYS["region_name"],
        }
        yield client, bucket, env
    finally:
        stop(server)


def _keys(client, bucket: str) -> list[str]:
    listing = client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_a_worker_imports_a_frame_into_the_bucket_and_the_draw_reads_it(
    s3_bucket, analyst, settings
):
    client, bucket, env = s3_bucket
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    import_localities(rows=LOCALITIES)
    upload = io.BytesIO(frame_rows(FRAME_SIZES).to_csv(index=False).encode())

    job = start_frame_import(
        file=upload, source_name="f.csv", name="南京", mapping=MAPPING, user=analyst
    )
    queued_keys = _keys(client, bucket)
    with running_worker(**env):
        wait_until(lambda: not Job.objects.get(pk=job.pk).is_open, timeout=120, what="the import")
    draw = draw_sample(frame=Frame.objects.get(), n=10, seed=7)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error_detail or job.error
    assert queued_keys == [job.params["upload_path"]]  # the upload waited in the bucket
    frame = Frame.objects.get()
    # the upload is gone; the Parquet is there, its numbers and addresses sealed beside it
    assert _keys(client, bucket) == [frame.path, f"{frame.path}.sealed"]
    assert frame.path.startswith("frames/") and frame.n_rows == sum(FRAME_SIZES.values())
    assert draw.units.count() == 10


def test_health_checks_the_bucket(s3_bucket, client, settings):
    _client, bucket, _env = s3_bucket

    healthy = client.get("/healthz")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "missing"},
        },
    }
    missing = client.get("/healthz")

    assert healthy.status_code == 200 and healthy.json()["storage"] is True
    assert missing.status_code == 503 and missing.json()["storage"] is False
