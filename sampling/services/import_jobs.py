"""Frame imports started from the web: the upload is kept, imported by
:func:`sampling.services.frames.import_frame` in the background, and its progress, result and
problems recorded on an ImportJob that the page polls.

All the background machinery (today a daemon thread of the web process) lives here and
nowhere else, so that it can move to a job queue without touching the import itself.
"""

import threading
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from sampling.errors import FrameImportError
from sampling.frame_validation import FrameError
from sampling.models import Frame, ImportJob
from sampling.presenters import errors_csv
from sampling.services.frames import import_frame, keep_error_report

IMPORT_ERRORS_KEPT = 50  # on the job; the downloadable report has them all

# Imports the web starts run in a thread each; the page polls the job's progress row.
_import_threads: dict[int, threading.Thread] = {}


def start_frame_import(
    *,
    file: IO[bytes],
    source_name: str,
    name: str,
    mapping: dict[str, str],
    user: User | None,
    background: bool = True,
) -> ImportJob:
    """Keep the upload and import it as :func:`import_frame` does, recording progress, result
    and problems on an ImportJob. With background=True the import runs in a thread and the job
    is returned at once (status "running"); otherwise it has finished when this returns.

    The thread is in-process: if the server stops mid-import the job stays "running" and the
    page reports it as interrupted once it has not moved for IMPORT_STALE_AFTER.
    """
    upload_path = default_storage.save(f"uploads/{uuid.uuid4().hex}", ContentFile(file.read()))
    job = ImportJob.objects.create(
        name=name,
        source_name=source_name,
        upload_path=upload_path,
        mapping=mapping,
        created_by=user,
        message=_("Waiting"),
        language=translation.get_language() or "",
    )
    if not background:
        run_import_job(job_id=job.pk)
        job.refresh_from_db()
        return job
    thread = threading.Thread(
        target=run_import_job, kwargs={"job_id": job.pk}, name=f"frame-import-{job.pk}"
    )
    thread.daemon = True
    _import_threads[job.pk] = thread
    thread.start()
    return job


def run_import_job(*, job_id: int) -> None:
    """Run one ImportJob to the end; never raises (the job records what went wrong)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    last = {"fraction": -1.0, "message": ""}

    def progress(fraction: float, message: str) -> None:
        # A write per chunk of a million rows is cheap; per row it would not be.
        if fraction - last["fraction"] >= 0.01 or message != last["message"]:
            last.update(fraction=fraction, message=message)
            ImportJob.objects.filter(pk=job_id).update(
                fraction=fraction, message=str(message)[:200], updated_at=timezone.now()
            )

    try:
        with translation.override(job.language or None):
            try:
                with default_storage.open(job.upload_path, "rb") as upload:
                    frame = import_frame(
                        file=upload,
                        source_name=job.source_name,
                        name=job.name,
                        mapping=job.mapping,
                        user=job.created_by,
                        progress=progress,
                    )
            except FrameImportError as error:
                if job.created_by is not None:
                    keep_error_report(user=job.created_by, report=errors_csv(error.errors))
                _finish_job(job_id, status=ImportJob.Status.FAILED, errors=error.errors)
            except Exception as exc:  # noqa: BLE001 - a thread has no one else to tell
                problem = f"the import stopped: {exc.__class__.__name__}: {exc}"
                error = FrameError(None, "", "", problem, "unreadable", {"detail": str(exc)})
                _finish_job(job_id, status=ImportJob.Status.FAILED, errors=[error])
            else:
                _finish_job(job_id, status=ImportJob.Status.DONE, frame=frame)
    finally:
        if job.upload_path and default_storage.exists(job.upload_path):
            default_storage.delete(job.upload_path)
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # a thread's connection is not closed by a request cycle


def _finish_job(
    job_id: int, *, status: str, frame: Frame | None = None, errors: Sequence[FrameError] = ()
) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        fraction=1.0 if status == ImportJob.Status.DONE else F("fraction"),
        message="",
        frame=frame,
        errors=[asdict(error) for error in list(errors)[:IMPORT_ERRORS_KEPT]],
        n_errors=len(errors),
        upload_path="",
        updated_at=timezone.now(),
    )


def wait_for_import(*, job_id: int, timeout: float = 60.0) -> ImportJob:
    """The job once its thread (if started here) has ended or `timeout` seconds passed."""
    thread = _import_threads.pop(job_id, None)
    if thread is not None:
        thread.join(timeout)
    return ImportJob.objects.get(pk=job_id)
