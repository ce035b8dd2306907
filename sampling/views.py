from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.access import require_role
from accounts.models import Role
from audit.kinds import Kind
from audit.services import record
from common.ids import parse_id
from common.spreadsheets import dataframe_csv
from jobs.models import Job
from sampling import presenters
from sampling.errors import SamplingInputError
from sampling.forms import AllocationForm, DrawForm, FrameUploadForm, LocalityUploadForm
from sampling.models import Draw, Frame, Locality
from sampling.selectors import sample_table
from sampling.services.draws import draw_sample
from sampling.services.frames import STRATUM_COLUMN, error_report_path
from sampling.services.import_jobs import (
    FRAME_IMPORT,
    LOCALITY_IMPORT,
    start_frame_import,
    start_locality_import,
)
from sampling.services.plans import allocation_preview, frame_sort_columns, frame_strata_columns


@require_role(Role.ANALYST)
def frame_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sampling/frame_list.html", presenters.frame_list())


@require_role(Role.ANALYST)
def locality_upload(request: HttpRequest) -> HttpResponse:
    """Upload a locality tree; the import runs as a job whose outcome this page shows
    (?job=<id>, polled until it ends)."""
    form = LocalityUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start_locality_import(
            file=upload,
            source_name=upload.name,
            user=request.user,
            sheet=form.cleaned_data["sheet"],
        )
        return redirect(f"{reverse('sampling:locality_upload')}?job={job.pk}")
    context: dict = {"form": form, "n_localities": Locality.objects.count()}
    job = _own_job(request, LOCALITY_IMPORT)
    if job is not None:
        context.update(presenters.locality_import(job))
    return render(request, "sampling/locality_upload.html", context)


def _own_job(request: HttpRequest, kind: str) -> Job | None:
    """The ?job= the user started, of this kind; None without one (a stale or foreign id is
    ignored rather than shown)."""
    job_id = parse_id(request.GET.get("job"))
    if job_id is None:
        return None
    return Job.objects.filter(pk=job_id, kind=kind, created_by=request.user).first()


@require_role(Role.ANALYST)
def frame_upload(request: HttpRequest) -> HttpResponse:
    form = FrameUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start_frame_import(
            file=upload,
            source_name=upload.name,
            name=form.cleaned_data["name"],
            mapping=form.mapping(),
            user=request.user,
            sheet=form.cleaned_data["sheet"],
        )
        if job.status == Job.Status.SUCCEEDED:
            messages.success(
                request, _("Frame imported: %(n)s units.") % {"n": f"{job.result['n_rows']:,}"}
            )
            return redirect("sampling:frame_detail", frame_id=job.result["frame_id"])
        if job.status != Job.Status.FAILED:
            return redirect("sampling:import_status", job_id=job.pk)
        return render(
            request, "sampling/frame_upload.html", {"form": form, **presenters.import_job(job)}
        )
    return render(request, "sampling/frame_upload.html", {"form": form})


@require_role(Role.ANALYST)
def import_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The import's page; its progress element polls import_progress until the job ends."""
    job = get_object_or_404(Job, pk=job_id, kind=FRAME_IMPORT)
    return render(request, "sampling/import_status.html", presenters.import_job(job))


@require_role(Role.ANALYST)
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """htmx partial: the progress element, or the outcome once the job has ended."""
    job = get_object_or_404(Job, pk=job_id, kind=FRAME_IMPORT)
    return render(request, "sampling/_import_progress.html", presenters.import_job(job))


@never_cache
@require_role(Role.ANALYST)
def frame_errors(request: HttpRequest) -> HttpResponse:
    """The full error report of the user's last failed import (phone numbers masked)."""
    path = error_report_path(request.user)
    if not default_storage.exists(path):
        raise Http404(_("No error report."))
    record(Kind.DOWNLOAD, request=request, subject="frame-errors.csv")
    return FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename="frame-errors.csv",
        content_type="text/csv; charset=utf-8",
    )


@require_role(Role.ANALYST)
def frame_detail(request: HttpRequest, frame_id: int) -> HttpResponse:
    frame = get_object_or_404(Frame.objects.select_related("created_by"), pk=frame_id)
    form = DrawForm(
        request.POST or None,
        initial={"minimum_per_stratum": 0, "strata": [STRATUM_COLUMN]},
        columns=frame_strata_columns(frame),
        sort_columns=frame_sort_columns(frame),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draw = draw_sample(
                frame=frame,
                plan=form.plan(),
                seed=data["seed"],
                name=data["name"],
                user=request.user,
            )
        except SamplingInputError as error:
            for message in error.errors:
                form.add_error(None, message)
        else:
            messages.success(request, _("Sample drawn with seed %(seed)s.") % {"seed": draw.seed})
            return redirect("sampling:draw_detail", draw_id=draw.pk)
    context = {
        "frame": frame,
        "form": form,
        "strata": presenters.frame_strata(frame),
        "draws": frame.draws.select_related("created_by"),
    }
    return render(request, "sampling/frame_detail.html", context)


@require_role(Role.ANALYST)
def frame_allocation(request: HttpRequest, frame_id: int) -> HttpResponse:
    """htmx partial: the allocation the draw form would make, before drawing."""
    frame = get_object_or_404(Frame, pk=frame_id)
    form = AllocationForm(
        request.GET,
        columns=frame_strata_columns(frame),
        sort_columns=frame_sort_columns(frame),
    )
    context: dict = {"form": form}
    if form.is_valid():
        try:
            rows = allocation_preview(frame=frame, plan=form.plan())
        except SamplingInputError as error:
            context["problems"] = error.errors
        else:
            context["table"] = presenters.allocation(rows)
    return render(request, "sampling/_allocation.html", context)


@require_role(Role.ANALYST)
def draw_detail(request: HttpRequest, draw_id: int) -> HttpResponse:
    draw = get_object_or_404(Draw.objects.select_related("frame", "created_by"), pk=draw_id)
    context = {"draw": draw, **presenters.draw_detail(draw)}
    return render(request, "sampling/draw_detail.html", context)


@never_cache
@require_role(Role.ANALYST)
def draw_download(request: HttpRequest, draw_id: int) -> HttpResponse:
    draw = get_object_or_404(Draw.objects.select_related("frame"), pk=draw_id)
    # Unmasked on purpose: analysts load this file into the dialling system, which needs real
    # numbers. It is the one place a full number leaves the system, and only analysts reach it;
    # every page shows masked numbers.
    table = sample_table(draw)
    record(Kind.DOWNLOAD, request=request, subject=f"sample-{draw.pk}.csv",
           detail={"draw": draw.pk, "rows": len(table), "phone_numbers": True})  # fmt: skip
    response = HttpResponse(dataframe_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sample-{draw.pk}.csv"'
    return response
