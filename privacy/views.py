"""A wave's personal data: what is held (the dry run of a purge), the purge (analysts only,
after typing the wave's name) and the certificates of past purges."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import require_role
from accounts.models import Role
from audit import services as audit
from audit.kinds import Kind
from fieldwork.models import Wave
from privacy import presenters, selectors, services
from privacy.forms import PurgeForm
from privacy.models import Purge


@require_role(Role.ANALYST)
def wave_personal_data(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    data = request.POST if request.method == "POST" else None
    form = PurgeForm(data, wave_name=wave.name, in_fieldwork=wave.status == Wave.Status.FIELDWORK)
    if request.method == "POST" and form.is_valid():
        services.start_purge(wave=wave, user=request.user)
        messages.success(request, _("The purge of the wave's personal data has started."))
        return redirect("privacy:wave_personal_data", wave_id=wave.pk)
    jobs = presenters.job_rows(list(selectors.purge_jobs(wave)[:10]))
    rows = services.dry_run(wave=wave)
    if request.method == "GET":
        audit.record(Kind.PURGE_DRY_RUN, request=request, wave=wave, subject=wave.name)
    return render(
        request,
        "privacy/wave_personal_data.html",
        {
            "wave": wave,
            "form": form,
            "rows": rows,
            "total": sum(row["count"] for row in rows),
            "jobs": jobs,
            "running": any(job["is_open"] for job in jobs),
            "purges": [presenters.purge_row(p) for p in selectors.purges(wave)],
        },
    )


def _purge(wave_id: int, purge_id: int) -> Purge:
    return get_object_or_404(Purge, pk=purge_id, wave_id=wave_id)


@require_role(Role.ANALYST)
def certificate_pdf(request: HttpRequest, wave_id: int, purge_id: int) -> FileResponse:
    purge = _purge(wave_id, purge_id)
    if not purge.pdf_path or not default_storage.exists(purge.pdf_path):
        raise Http404(_("This certificate is not available."))
    response = FileResponse(
        default_storage.open(purge.pdf_path, "rb"),
        as_attachment=True,
        filename=f"purge-certificate-{purge.pk}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_role(Role.ANALYST)
def certificate_json(request: HttpRequest, wave_id: int, purge_id: int) -> HttpResponse:
    purge = _purge(wave_id, purge_id)
    response = HttpResponse(
        services.certificate_text(purge), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="purge-certificate-{purge.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response
