"""External-wave imports started from the page, run as background jobs: the upload is kept
in the shared file storage, a worker loads it (fieldwork.external.services) and the page
polls the job. A job run again after its worker died finds the wave an earlier run made."""

import uuid
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from common.i18n import ui_language_code
from fieldwork.external.services import (
    ExternalImportError,
    ExternalOptions,
    import_external_wave,
)
from fieldwork.models import Wave
from jobs.models import Job
from jobs.runner import JobFailed, Progress
from jobs.services import start_job
from questionnaires.models import QuestionnaireVersion
from sampling.models import Locality

EXTERNAL_IMPORT = "external_interviews"
STEPS = 1000


def start_external_import(
    *,
    file: IO[bytes],
    source_name: str,
    name: str,
    client: Organisation,
    version: QuestionnaireVersion,
    options: ExternalOptions,
    user: User,
) -> Job:
    """Keep the upload and queue its import as an external wave."""
    path = default_storage.save(f"uploads/{uuid.uuid4().hex}", File(file))
    return start_job(
        kind=EXTERNAL_IMPORT,
        params={
            "upload_path": path,
            "source_name": source_name,
            "name": name,
            "client_id": client.pk,
            "version_id": version.pk,
            "options": {
                "id_column": options.id_column,
                "interviewer_column": options.interviewer_column,
                "locality_column": options.locality_column,
                "street_id": options.street.pk if options.street else None,
                "mode": options.mode,
                "time_zone": options.time_zone,
                "day_first": options.day_first,
            },
            "language": ui_language_code(),
        },
        subject=source_name,
        user=user,
    )


def run_external_import(job: Job, progress: Progress) -> dict:
    """The job: {"wave_id", "n"} when it succeeds; on problems it fails with {"problems":
    every problem, in the language of the person who uploaded}."""
    params = job.params
    done = Wave.objects.filter(draw__frame__import_job=job).first()
    if done is None:
        with translation.override(params["language"] or None):
            done = _load(job, progress)
    _forget(params["upload_path"])
    return {"wave_id": done.pk, "n": done.cases.count()}


def _load(job: Job, progress: Progress) -> Wave:
    params, chosen = job.params, dict(job.params["options"])
    street_id = chosen.pop("street_id")
    options = ExternalOptions(
        **chosen, street=Locality.objects.get(pk=street_id) if street_id else None
    )

    def report(fraction: float, message: str) -> None:
        progress(round(fraction * STEPS), STEPS, str(message))

    try:
        with default_storage.open(params["upload_path"], "rb") as upload:
            data = upload.read()
        return import_external_wave(
            name=params["name"],
            client=Organisation.objects.get(pk=params["client_id"]),
            version=QuestionnaireVersion.objects.get(pk=params["version_id"]),
            data=data,
            source_name=params["source_name"],
            user=job.created_by,
            options=options,
            progress=report,
            job=job,
        )
    except ExternalImportError as error:
        _forget(params["upload_path"])
        raise JobFailed(_("Nothing was imported."), result={"problems": error.errors}) from error


def _forget(path: str) -> None:
    if path and default_storage.exists(path):
        default_storage.delete(path)
