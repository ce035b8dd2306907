"""A wave's data packages: start one, watch it being built, download it (analysts only: the
microdata of every respondent)."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import require_role
from accounts.models import Role
from audit.kinds import Kind
from audit.services import record
from common.i18n import ui_language_code
from exports import presenters, selectors, services
from exports.forms import PackageForm
from fieldwork.models import Wave


@require_role(Role.ANALYST)
def wave_exports(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    form = PackageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.start_package(
            wave=wave,
            user=request.user,
            states=form.cleaned_data["states"],
            language=ui_language_code(),
        )
        states = [str(state) for state in form.cleaned_data["states"]]
        record(Kind.EXPORT_STARTED, request=request, wave=wave, subject=wave.name,
               detail={"states": states})  # fmt: skip
        messages.success(request, _("The data package is being built."))
        return redirect("exports:wave_exports", wave_id=wave.pk)
    rows = [presenters.package_row(job) for job in selectors.packages(wave)[:20]]
    return render(
        request,
        "exports/wave_exports.html",
        {"wave": wave, "form": form, "rows": rows, "building": any(r["is_open"] for r in rows)},
    )


@require_role(Role.ANALYST)
def package_download(request: HttpRequest, wave_id: int, job_id: int) -> FileResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    job = selectors.package_job(wave, job_id)
    if job is None or not default_storage.exists(job.result["path"]):
        raise Http404(_("This data package is not available."))
    record(Kind.DOWNLOAD, request=request, wave=wave, subject=job.result["name"],
           detail={"package": job.pk})  # fmt: skip
    response = FileResponse(
        default_storage.open(job.result["path"], "rb"),
        as_attachment=True,
        filename=job.result["name"],
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response
