"""A frame import started as a job (write scope, the firm's tokens) and the progress of the
jobs a token's organisation started through the API."""

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from api import access
from api.auth import READ, WRITE
from api.errors import field_error, invalid, not_found
from api.models import ApiJob
from api.schemas import ErrorOut, Id, JobOut
from jobs.models import Job
from jobs.presenters import error_text
from sampling.forms import FrameUploadForm
from sampling.services.import_jobs import start_frame_import

router = Router(tags=["jobs"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _job_out(job: Job) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "subject": job.subject,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "progress_message": job.progress_message,
        "result": job.result if isinstance(job.result, dict) else None,
        "error": {"message": error_text(job)} if job.error else {},
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


def _form_errors(form: FrameUploadForm) -> list[dict]:
    names = {"locality_column": "locality_column", "unit_id_column": "unit_id_column"}
    return [
        field_error(names.get(name, name), message)
        for name, messages in form.errors.items()
        for message in messages
    ]


@router.post(
    "/frames/imports", response={202: JobOut, **ERRORS}, auth=WRITE, url_name="frame_import"
)
def frame_import(
    request,
    file: File[UploadedFile],
    name: Form[str],
    unit_id_column: Form[str] = "unit_id",
    phone_column: Form[str] = "phone",
    locality_column: Form[str] = "locality_code",
    address_column: Form[str] = "",
):
    """Upload a sampling frame (CSV or XLSX, as the frame upload page takes it) and start its
    import as a job; follow it at /jobs/{id}. The columns name the file's unit id, phone,
    locality code and (optionally) address columns."""
    access.require_firm(request.auth)
    data = {
        "name": name,
        "unit_id_column": unit_id_column,
        "phone_column": phone_column,
        "locality_column": locality_column,
        "address_column": address_column,
    }
    form = FrameUploadForm(data, {"file": file})
    if not form.is_valid():
        raise invalid(_form_errors(form))
    upload = form.cleaned_data["file"]
    with transaction.atomic():
        job = start_frame_import(
            file=upload,
            source_name=upload.name,
            name=form.cleaned_data["name"],
            mapping=form.mapping(),
            user=None,  # the token, not a person, started it (api.models.ApiJob)
        )
        ApiJob.objects.create(job=job, organisation=request.auth.organisation, token=request.auth)
    job.refresh_from_db()
    return Status(202, _job_out(job))


@router.get("/jobs/{int:job_id}", response={200: JobOut, **ERRORS}, auth=READ, url_name="job")
def job(request, job_id: Id):
    """A job started through the API by this token's organisation: status, progress, result
    and error (in the request's language)."""
    found = Job.objects.filter(pk=job_id, api_job__organisation=request.auth.organisation).first()
    if found is None:
        raise not_found(_("No such job."))
    return _job_out(found)
