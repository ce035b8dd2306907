"""A wave's retention date (set from its overview) and its processing record (page, PDF):
analysts only. Thin: access check → form → fieldwork.privacy services → redirect or render."""

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import require_role
from accounts.models import Role
from audit.kinds import Kind
from audit.services import record
from fieldwork.models import Wave
from fieldwork.privacy import retention
from fieldwork.privacy.forms import ProcessingRecordForm, RetentionForm
from fieldwork.privacy.record import processing_record, record_of
from fieldwork.privacy.services import save_processing_record

REPORT_FONT = "fonts/wqy-microhei.ttc"


def _wave(wave_id: int) -> Wave:
    return get_object_or_404(Wave.objects.select_related("client", "questionnaire_version"),
                             pk=wave_id)  # fmt: skip


@require_role(Role.ANALYST)
@require_POST
def wave_retention(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    form = RetentionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date as year-month-day."))
        return redirect("fieldwork:wave_detail", wave_id=wave.pk)
    try:
        retention.set_retention(
            wave=wave, user=request.user, retain_until=form.cleaned_data["retain_until"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The retention date is saved."))
    return redirect("fieldwork:wave_detail", wave_id=wave.pk)


@require_role(Role.ANALYST)
def processing_record_page(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    form = ProcessingRecordForm(request.POST or None, instance=record_of(wave))
    if request.method == "POST" and form.is_valid():
        save_processing_record(wave=wave, user=request.user, fields=form.cleaned_data)
        messages.success(request, _("The processing record is saved."))
        return redirect("fieldwork:processing_record", wave_id=wave.pk)
    context = {"record": processing_record(wave), "form": form, "wave": wave}
    return render(
        request, "fieldwork/processing_record.html", context, status=400 if form.errors else 200
    )


@never_cache
@require_role(Role.ANALYST)
def processing_record_pdf(request: HttpRequest, wave_id: int) -> HttpResponse:
    from fieldwork.privacy import pdf  # reportlab only where a PDF is drawn

    wave = _wave(wave_id)
    content = pdf.render(processing_record(wave), font_path=finders.find(REPORT_FONT))
    name = f"processing-record-wave-{wave.pk}.pdf"
    record(Kind.DOWNLOAD, request=request, wave=wave, subject=name)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
