"""Interviewer risk pages: the ranked list of a wave's interviewers and one's drill-down."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import STAFF, require_role
from accounts.models import User
from accounts.teams import may_supervise, supervised_among
from fieldwork.models import Wave
from jobs.computed import poll_reply
from jobs.presenters import computed_state
from qc.risk import presenters, services

FLAGS_PER_PAGE = 50


@require_role(*STAFF)
def interviewer_risk(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The wave's interviewers ranked by risk; a job ranks them when the wave has changed since
    the last ranking, and the page waits for it."""
    if (reply := poll_reply(request)) is not None:
        return reply
    wave = get_object_or_404(Wave, pk=wave_id)
    risk, computed = services.risk_or_job(wave=wave, user=request.user)
    rows = presenters.risk_rows(risk) if risk is not None else []
    # ranked among all the wave's interviewers; a team's supervisor sees their team's
    shown = supervised_among(request.user, [row["interviewer_id"] for row in rows])
    context = {
        "wave": wave,
        "rows": [row for row in rows if row["interviewer_id"] in shown],
        "ranked": risk is not None,
        **computed_state(computed),
    }
    return render(request, "qc/interviewer_risk.html", context)


@require_role(*STAFF)
def interviewer_detail(request: HttpRequest, wave_id: int, interviewer_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    interviewer = get_object_or_404(User, pk=interviewer_id)
    if not may_supervise(request.user, interviewer):
        raise Http404  # another team's interviewer
    risk = services.interviewer_risk_detail(wave=wave, interviewer=interviewer)
    if risk is None:
        raise Http404("No completed interview of this interviewer in the wave.")
    page = Paginator(risk.flags, FLAGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "qc/interviewer_detail.html",
        {
            "wave": wave,
            "interviewer": interviewer,
            "data": presenters.interviewer_detail(
                risk,
                interviewer,
                flags=page.object_list,
                definition=wave.questionnaire_version.definition,
            ),
            "page": page,
        },
    )
