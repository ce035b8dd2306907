"""Door-to-door (CAPI) pages: the households to visit, a visit recorded, a doorstep start."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_role
from accounts.models import Role
from fieldwork import selectors
from fieldwork import views as fieldwork_views
from fieldwork.capi import presenters, services
from fieldwork.capi.forms import PositionForm, VisitForm
from fieldwork.capi.selectors import household_cases
from fieldwork.forms import RespondentSelectionForm
from fieldwork.interview import submissions
from fieldwork.interview.device import device_id, remember_device
from fieldwork.interview.replay import APPLIED_HEADER, DUPLICATE_HEADER, settled
from fieldwork.services import respondents

ROSTER_FIELDS = ("name", "sex", "age", "birthday")


@require_role(Role.INTERVIEWER)
def households(request: HttpRequest) -> HttpResponse:
    """The interviewer's households to visit: address, map, visits so far, what to do next."""
    cases = household_cases(request.user)
    rows = [presenters.household_row(case) for case in cases]
    return render(request, "fieldwork/households.html", {"rows": rows})


def _position(form: PositionForm) -> services.Position:
    data = form.cleaned_data
    return services.Position(
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        accuracy_m=data.get("accuracy_m"),
        error=data.get("position_error") or "",
    )


def _door_page(case) -> str:
    """The case's door-to-door page (a mixed wave's case page opens on the phone otherwise)."""
    return f"{reverse('fieldwork:case_detail', args=[case.pk])}?mode=door"


def _visit_received(case, key: uuid.UUID) -> HttpResponse:
    return settled(redirect(_door_page(case)), key, DUPLICATE_HEADER)


@require_role(Role.INTERVIEWER)
@require_POST
def record_visit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    key = submissions.parse_key(request.POST.get("submission_key"))
    if key is not None and submissions.is_visit_received(case=case, key=key):
        return _visit_received(case, key)  # sent twice: the visit is recorded once
    form = VisitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Visit not recorded: see the form below."))
        return fieldwork_views.render_case(request, case, mode="door", visit_form=form, status=400)
    if form.needs_confirmation:  # a final outcome: nothing is written before a second yes
        action = reverse("fieldwork:record_visit", args=[case.pk])
        confirm = fieldwork_views.confirmation(request, form, action)
        return fieldwork_views.render_case(request, case, mode="door", **confirm)
    try:
        visit = services.record_visit(
            case=case,
            interviewer=request.user,
            disposition=form.cleaned_data["disposition"],
            note=form.cleaned_data["note"],
            appointment_at=form.cleaned_data["appointment_at"],
            appointment_kind=form.cleaned_data["appointment_kind"],
            position=_position(form),
            key=key,
            language=form.cleaned_data["language"],
        )
    except submissions.DuplicateSubmission:
        return _visit_received(case, key)
    except ValidationError as error:
        form.add_error(None, error)
        return fieldwork_views.render_case(request, case, mode="door", visit_form=form, status=400)
    warnings = presenters.warning_labels(visit)
    if warnings:
        messages.warning(
            request, _("Visit recorded, with a warning: %(w)s") % {"w": "; ".join(warnings)}
        )
    else:
        messages.success(request, _("Visit recorded."))
    response = redirect("fieldwork:households" if form.rerouted else _door_page(case))
    return settled(response, key, APPLIED_HEADER)


@require_role(Role.INTERVIEWER)
@require_POST
def start_door_interview(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    key = submissions.parse_key(request.POST.get("submission_key"))
    if key is not None and submissions.is_visit_received(case=case, key=key):
        return _visit_received(case, key)  # sent twice: one contact attempt, not two
    form = PositionForm(request.POST)
    form.is_valid()  # every field is optional; a bad position is kept as none
    device = device_id(request)
    try:
        interview = services.start_door_interview(
            case=case, interviewer=request.user, position=_position(form), key=key,
            device=device,
        )  # fmt: skip
    except submissions.DuplicateSubmission:
        return _visit_received(case, key)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_door_page(case))
    response = remember_device(redirect("fieldwork:interview", interview_id=interview.pk), device)
    return settled(response, key, APPLIED_HEADER)


def _posted_roster(request: HttpRequest) -> list[dict]:
    """The roster's rows as posted: the page's inputs member_name, member_sex, … repeat once
    per row, in the order shown."""
    columns = [request.POST.getlist(f"member_{field}") for field in ROSTER_FIELDS]
    n_rows = min(max((len(c) for c in columns), default=0), respondents.MAX_MEMBERS * 2)
    return [
        {
            field: (column[i] if i < len(column) else "")
            for field, column in zip(ROSTER_FIELDS, columns, strict=True)
        }
        for i in range(n_rows)
    ]


@require_role(Role.INTERVIEWER)
@require_POST
def select_respondent(request: HttpRequest, case_id: int) -> HttpResponse:
    """Door-to-door: the household roster entered row by row, and the member chosen from it."""
    case = selectors.case_for(request.user, case_id)
    key = submissions.parse_key(request.POST.get("submission_key"))
    if key is not None and submissions.is_visit_received(case=case, key=key):
        return _visit_received(case, key)  # sent twice from the tablet: one selection
    form = RespondentSelectionForm(request.POST)
    members = _posted_roster(request)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose how the respondent is selected."))
        respondents.select_respondent(
            case=case,
            interviewer=request.user,
            method=form.cleaned_data["method"],
            members=members,
            key=key,
        )
    except submissions.DuplicateSubmission:
        return _visit_received(case, key)
    except ValidationError as error:
        messages.error(request, _("Nobody selected: see the roster below."))
        context = presenters.selection_context(case, posted=members, errors=error.messages)
        return fieldwork_views.render_case(
            request, case, mode="door", status=400, submission_key=key or "", **context
        )
    messages.success(request, _("Respondent selected."))
    return settled(redirect(_door_page(case)), key, APPLIED_HEADER)
