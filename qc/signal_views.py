"""Interviewer risk pages: the ranked list of a wave's interviewers and one's drill-down."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import STAFF, require_role
from accounts.models import User
from fieldwork.models import Wave
from qc import services, signal_presenters


@require_role(*STAFF)
def interviewer_risk(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    rows = signal_presenters.risk_list(wave, services.rule_config(wave))
    return render(request, "qc/interviewer_risk.html", {"wave": wave, "rows": rows})


@require_role(*STAFF)
def interviewer_detail(request: HttpRequest, wave_id: int, interviewer_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    interviewer = get_object_or_404(User, pk=interviewer_id)
    data = signal_presenters.interviewer_detail(wave, interviewer, services.rule_config(wave))
    if data is None:
        raise Http404("No completed interview of this interviewer in the wave.")
    return render(
        request,
        "qc/interviewer_detail.html",
        {"wave": wave, "interviewer": interviewer, "data": data},
    )
