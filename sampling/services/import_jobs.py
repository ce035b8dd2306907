"""Frame and locality imports started from the web, run as background jobs.

The upload is kept in the file storage (shared by every app server and worker), a job is
queued (jobs.services.start_job), and a worker runs `run_frame_import` / `run_locality_import`
(sampling.tasks). The page polls the job's progress. A job whose worker dies is run again:
the frame import finds the frame an earlier run committed (Frame.import_job) and the locality
import writes the same rows again, so neither doubles anything.
"""

import uuid
from dataclasses import asdict
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import User
from common.i18n import ui_language_code
from jobs.models import Job
from jobs.runner import JobFailed, Progress
from jobs.services import start_job
from sampling.errors import FrameImportError, SamplingInputError
from sampling.presenters import errors_csv
from sampling.services.frames import import_frame, keep_error_report
from sampling.services.localities import import_locality_file

FRAME_IMPORT = "frame_import"
LOCALITY_IMPORT = "locality_import"
IMPORT_ERRORS_KEPT = 50  # on the job; the downloadable report has them all
PROGRESS_STEPS = 1000


def _keep_upload(file: IO[bytes]) -> str:
    """Copy the upload into the shared storage in chunks (a frame file can be 200 MB)."""
    return default_storage.save(f"uploads/{uuid.uuid4().hex}", File(file))


def start_frame_import(
    *,
    file: IO[bytes],
    source_name: str,
    name: str,
    mapping: dict[str, str],
    user: User | None,
    sheet: str | None = None,
) -> Job:
    """Keep the upload and queue its import as :func:`import_frame` does (see run_frame_import
    for what the job records)."""
    return start_job(
        kind=FRAME_IMPORT,
        params={
            "upload_path": _keep_upload(file),
            "source_name": source_name,
            "name": name,
            "mapping": mapping,
            "sheet": sheet,
            "language": ui_language_code(),
        },
        subject=source_name,
        user=user,
    )


def run_frame_import(job: Job, progress: Progress) -> dict:
    """The frame import job: {"frame_id", "n_rows"} when it succeeds; on problems the job fails
    with {"errors": the first IMPORT_ERRORS_KEPT as FrameError fields, "n_errors"} and the full
    report kept for the user's download."""
    params = job.params
    existing = getattr(job, "frame", None)
    if existing is None:
        with translation.override(params["language"] or None):
            existing = _import_upload(job, progress)
    _forget_upload(params["upload_path"])
    return {"frame_id": existing.pk, "n_rows": existing.n_rows}


def _import_upload(job: Job, progress: Progress):
    params = job.params

    def report(fraction: float, message: str) -> None:
        progress(round(fraction * PROGRESS_STEPS), PROGRESS_STEPS, str(message))

    try:
        with default_storage.open(params["upload_path"], "rb") as upload:
            return import_frame(
                file=upload,
                source_name=params["source_name"],
                name=params["name"],
                mapping=params["mapping"],
                user=job.created_by,
                progress=report,
                job=job,
                sheet=params.get("sheet"),
            )
    except FrameImportError as error:
        if job.created_by is not None:
            keep_error_report(user=job.created_by, report=errors_csv(error.errors))
        _forget_upload(params["upload_path"])
        n = error.total
        raise JobFailed(
            ngettext_lazy("The file has %(n)d problem.", "The file has %(n)d problems.", n),
            params={"n": n},
            result={
                "errors": [asdict(e) for e in error.errors[:IMPORT_ERRORS_KEPT]],
                "n_errors": n,
            },
        ) from error


def start_locality_import(
    *, file: IO[bytes], source_name: str, user: User | None, sheet: str | None = None
) -> Job:
    """Keep the upload and queue the import of the locality tree it holds."""
    return start_job(
        kind=LOCALITY_IMPORT,
        params={
            "upload_path": _keep_upload(file),
            "source_name": source_name,
            "sheet": sheet,
            "language": ui_language_code(),
        },
        subject=source_name,
        user=user,
    )


def run_locality_import(job: Job, progress: Progress) -> dict:
    """The locality import job: {"count"} rows written; on problems the job fails with
    {"problems": every problem, in the language of the person who uploaded}."""
    params = job.params
    progress(0, 1, _("Reading file"), force=True)
    try:
        with translation.override(params["language"] or None):
            with default_storage.open(params["upload_path"], "rb") as upload:
                count = import_locality_file(
                    file=upload, source_name=params["source_name"], sheet=params.get("sheet")
                )
    except SamplingInputError as error:
        _forget_upload(params["upload_path"])
        raise JobFailed(
            _("Nothing was imported."), result={"problems": [str(p) for p in error.errors]}
        ) from error
    # After an unexpected error the upload stays, so that the job can be retried.
    _forget_upload(params["upload_path"])
    return {"count": count}


def _forget_upload(path: str) -> None:
    if path and default_storage.exists(path):
        default_storage.delete(path)
