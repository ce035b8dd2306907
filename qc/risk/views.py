"""Interviewer risk pages: the ranked list of a wave's interviewers and one's drill-down."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import STAFF, require_role
from accounts.models import User
from fieldwork.models import Wave
from qc.risk import presenters, services


@require_role(*STAFF)
def interviewer_risk(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    rows = presenters.risk_rows(services.wave_risk(wave=wave))
    return render(request, "qc/interviewer_risk.html", {"wave": wave, "rows": rows})


@require_role(*STAFF)
def interviewer_detail(request: HttpRequest, wave_id: int, interviewer_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    interviewer = get_object_or_404(User, pk=interviewer_id)
    risk = services.interviewer_risk_detail(wave=wave, interviewer=interviewer)
    if risk is None:
        raise Http404("No completed interview of this interviewer in the wave.")
    return render(
        request,
        "qc/interviewer_detail.html",
        {
            "wave": wave,
            "interviewer": interviewer,
            "data": presenters.interviewer_detail(risk, interviewer),
        },
    )
