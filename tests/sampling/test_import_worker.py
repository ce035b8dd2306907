"""A frame import on real worker processes: the worker is killed (SIGKILL) mid-import, another
worker takes the job over once the dead one stops sending heartbeats, and the frame is imported
exactly once."""

import io
import signal

import numpy as np
import pandas as pd
import pytest
from django.core.files.storage import default_storage

from jobs.models import Job
from sampling.models import Frame, FrameStratumCount
from sampling.services.import_jobs import start_frame_import
from sampling.services.localities import import_localities
from tests.jobs.worker import running_worker, start_worker, wait_until
from tests.sampling.conftest import LOCALITIES, MAPPING

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROWS = 600_000


def large_frame() -> bytes:
    """ROWS households over the three communities, as CSV (about 30 MB)."""
    k = np.arange(ROWS)
    communities = np.array(["320102001001", "320102001002", "320104001001"])
    table = pd.DataFrame(
        {
            "hh": np.char.add("H", k.astype(str)),
            "tel": np.char.add("139", np.char.zfill(k.astype(str), 8)),
            "loc": communities[k % 3],
            "addr": np.char.add("楼", k.astype(str)),
        }
    )
    return table.to_csv(index=False).encode()


def test_a_worker_killed_mid_import_leaves_the_import_to_another_done_once(analyst, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    import_localities(rows=LOCALITIES)

    job = start_frame_import(
        file=io.BytesIO(large_frame()), source_name="big.csv", name="big", mapping=MAPPING,
        user=analyst,
    )  # fmt: skip
    first = start_worker()
    try:
        wait_until(
            lambda: Job.objects.filter(pk=job.pk, progress_done__gt=0).exists(),
            timeout=120,
            what="the import to start",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    killed = Job.objects.get(pk=job.pk)
    assert killed.status == Job.Status.RUNNING and Frame.objects.count() == 0

    with running_worker():
        wait_until(
            lambda: Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED,
            timeout=240,
            what="another worker to finish the import",
        )

    job.refresh_from_db()
    frame = Frame.objects.get()
    assert job.attempts == 2 and job.worker_id != killed.worker_id
    assert job.result == {"frame_id": frame.pk, "n_rows": ROWS} and frame.import_job == job
    assert sum(FrameStratumCount.objects.values_list("n_units", flat=True)) == ROWS
    assert not default_storage.exists(job.params["upload_path"])
