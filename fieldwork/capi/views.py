"""Door-to-door (CAPI) pages, and the wizard's guard against pages sent twice."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_role
from accounts.models import Role
from fieldwork import capi_presenters, capi_services, selectors
from fieldwork.capi_forms import PositionForm, VisitForm
from fieldwork.models import Interview

RECEIVED_COOKIE = "submission_received"
APPLIED_HEADER = "X-Submission-Applied"
DUPLICATE_HEADER = "X-Duplicate-Submission"
STALE_HEADER = "X-Stale-Submission"


@require_role(Role.INTERVIEWER)
def households(request: HttpRequest) -> HttpResponse:
    """The interviewer's households to visit: address, map, visits so far, what to do next."""
    cases = capi_presenters.household_cases(request.user)
    rows = [capi_presenters.household_row(case) for case in cases]
    return render(request, "fieldwork/households.html", {"rows": rows})


def _position(form: PositionForm) -> capi_services.Position:
    data = form.cleaned_data
    return capi_services.Position(
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        accuracy_m=data.get("accuracy_m"),
        error=data.get("position_error") or "",
    )


def _visit_received(case, key: uuid.UUID) -> HttpResponse:
    return settled(redirect("fieldwork:case_detail", case_id=case.pk), key, DUPLICATE_HEADER)


@require_role(Role.INTERVIEWER)
@require_POST
def record_visit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    key = capi_services.parse_key(request.POST.get("submission_key"))
    if key is not None and capi_services.is_visit_received(case=case, key=key):
        return _visit_received(case, key)  # sent twice: the visit is recorded once
    form = VisitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Visit not recorded: choose an outcome."))
        return redirect("fieldwork:case_detail", case_id=case.pk)
    try:
        visit = capi_services.record_visit(
            case=case,
            interviewer=request.user,
            disposition=form.cleaned_data["disposition"],
            note=form.cleaned_data["note"],
            appointment_at=form.cleaned_data["appointment_at"],
            position=_position(form),
            key=key,
        )
    except capi_services.DuplicateSubmission:
        return _visit_received(case, key)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("fieldwork:case_detail", case_id=case.pk)
    warnings = capi_presenters.warning_labels(visit)
    if warnings:
        messages.warning(
            request, _("Visit recorded, with a warning: %(w)s") % {"w": "; ".join(warnings)}
        )
    else:
        messages.success(request, _("Visit recorded."))
    response = redirect("fieldwork:case_detail", case_id=case.pk)
    return settled(response, key, APPLIED_HEADER)


@require_role(Role.INTERVIEWER)
@require_POST
def start_door_interview(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    key = capi_services.parse_key(request.POST.get("submission_key"))
    if key is not None and capi_services.is_visit_received(case=case, key=key):
        return _visit_received(case, key)  # sent twice: one contact attempt, not two
    form = PositionForm(request.POST)
    form.is_valid()  # every field is optional; a bad position is kept as none
    try:
        interview = capi_services.start_door_interview(
            case=case, interviewer=request.user, position=_position(form), key=key
        )
    except capi_services.DuplicateSubmission:
        return _visit_received(case, key)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("fieldwork:case_detail", case_id=case.pk)
    response = redirect("fieldwork:interview", interview_id=interview.pk)
    return settled(response, key, APPLIED_HEADER)


def visit_context(case) -> dict:
    """What the case page shows of door-to-door work: map link, visits, the visit forms."""
    visits = case.contact_attempts.filter(mode="door").order_by("started_at", "id")
    return {
        "door_map_url": capi_presenters.household_map_url(case),
        "door_visits": [capi_presenters.visit_row(v) for v in visits],
        "visit_form": VisitForm(),
        "position_form": PositionForm(),
    }


# --- the interview wizard: pages kept offline and sent again --------------------------------


def settled(response: HttpResponse, key: uuid.UUID | None, header: str) -> HttpResponse:
    """Mark a response to a keyed submission the server settled: applied, duplicate or stale.

    The page's script (static/js/offline.js) forgets a kept submission only on one of these
    headers, or on the cookie naming its key (a redirect's headers are hidden from fetch, its
    cookies are not). Any other answer (a page re-shown with errors, 403, 404) keeps it.
    """
    if key is not None:
        response[header] = "1"
        response.set_cookie(RECEIVED_COOKIE, str(key), max_age=24 * 3600, samesite="Lax")
    return response


def _current_page(interview: Interview, key: uuid.UUID | None, header: str) -> HttpResponse:
    response = redirect("fieldwork:interview", interview_id=interview.pk)
    response[header] = "1"
    return settled(response, key, header)


def posted_page_version(request: HttpRequest) -> int | None:
    """The version of the interview a page was rendered at (None when absent or not a number)."""
    version = request.POST.get("page_version", "")
    return int(version) if version.isdigit() else None


def refuse_replayed_page(
    request: HttpRequest, interview: Interview, key: uuid.UUID | None
) -> HttpResponse | None:
    """A response for a page submission that must not be applied, else None.

    A key without the page's version: refused (400), as its staleness cannot be checked.
    Already received by this interview (same key): the interview's current page, marked
    X-Duplicate-Submission. Rendered before pages submitted since (its page_version is behind):
    not applied, as it would overwrite newer answers; the current page, marked
    X-Stale-Submission. The same check is made again under the row lock when the page is saved
    (capi_services.save_interview_page_once), for deliveries arriving together.
    """
    version = posted_page_version(request)
    if key is not None and version is None:
        return HttpResponseBadRequest(
            _("This page was sent without its version: open the interview again.")
        )
    if key is not None and capi_services.is_received(interview=interview, key=key):
        return _current_page(interview, key, DUPLICATE_HEADER)
    if version is not None and version < capi_services.current_page_version(interview):
        step = request.POST.get(f"interview_{interview.pk}-current_step", "")[:100]
        return stale_page_response(request, interview, key, step)
    return None


def stale_page_response(
    request: HttpRequest, interview: Interview, key: uuid.UUID | None, step: str
) -> HttpResponse:
    """Refuse a stale page: its key (if any) is spent as not applied; the current page."""
    if key is not None:
        try:
            capi_services.refuse_stale_page(interview=interview, key=key, step=step)
        except capi_services.DuplicateSubmission:
            return _current_page(interview, key, DUPLICATE_HEADER)
    messages.warning(
        request,
        _("A page kept on this device was not applied: the interview went on without it."),
    )
    return _current_page(interview, key, STALE_HEADER)


def applied_page_response(response: HttpResponse, key: uuid.UUID | None) -> HttpResponse:
    return settled(response, key, APPLIED_HEADER)


def duplicate_page_response(interview: Interview, key: uuid.UUID | None) -> HttpResponse:
    return _current_page(interview, key, DUPLICATE_HEADER)
