"""Wave and case pages: the supervisors' waves (progress, rates, quotas, reserves, versions)
and the interviewers' cases (next case, outcomes, respondent selection, starting an interview)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as DbCase
from django.db.models import F, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import STAFF, require_role
from accounts.models import Role
from common.ids import parse_id
from common.ratelimit import rate_limited
from fieldwork import loaders, presenters, selectors
from fieldwork.capi import presenters as capi_presenters
from fieldwork.forms import (
    AttemptForm,
    NextCaseForm,
    ReopenForm,
    StartInterviewForm,
    WaveForm,
)
from fieldwork.interview.device import device_id, remember_device
from fieldwork.models import Case, Interview, Wave
from fieldwork.privacy import retention
from fieldwork.services import (
    assignment,
    attempts,
    interviews,
    phone_reveals,
    waves,
)
from fieldwork.services.next_case import assign_next_case
from fieldwork.telephony import presenters as telephony_presenters
from fieldwork.workspace.forms import MoveForm


@require_role(*STAFF)
def wave_list(request: HttpRequest) -> HttpResponse:
    all_waves = Wave.objects.select_related("questionnaire_version", "draw", "client")
    rows = [{"wave": wave, "progress": selectors.wave_progress(wave)} for wave in all_waves]
    reminders = retention.reminded_waves() if request.user.role == Role.ANALYST else []
    context = {"rows": rows, "reminders": reminders}
    return render(request, "fieldwork/wave_list.html", context)


@require_role(Role.ANALYST)
def wave_create(request: HttpRequest) -> HttpResponse:
    form = WaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wave = waves.create_wave(**form.cleaned_data)
        messages.success(request, _("Wave created with %(n)d cases.") % {"n": wave.cases.count()})
        return redirect("fieldwork:wave_detail", wave_id=wave.pk)
    return render(request, "fieldwork/wave_form.html", {"form": form})


@require_role(Role.INTERVIEWER)
@require_POST
def next_case(request: HttpRequest) -> HttpResponse:
    # The form's wave, read with what the press needs besides (one query; NextCaseForm is
    # what My cases shows)
    wave_id = parse_id(request.POST.get("wave"))
    wave = loaders.wave_for_press(wave_id=wave_id, interviewer=request.user) if wave_id else None
    if wave is None:
        messages.error(request, _("Choose a wave in fieldwork."))
        return redirect("fieldwork:my_cases")
    taken = assign_next_case(wave=wave, interviewer=request.user)
    if taken is None:
        messages.info(request, _("No case is due now. Try again later."))
        return redirect("fieldwork:my_cases")
    messages.info(request, _("Next case: %(reason)s") % {"reason": _(taken.reason)})
    return redirect("fieldwork:case_detail", case_id=taken.case_id)


@require_role(Role.INTERVIEWER)
def my_cases(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    cases = selectors.with_open_appointment(
        selectors.visible_cases(request.user)
        .select_related("interview")
        .defer(*Interview.bulky("interview"))
    )
    if status == "open":
        cases = cases.filter(status__in=[Case.Status.PENDING, Case.Status.IN_PROGRESS])
    elif status in Case.Status.values:
        cases = cases.filter(status=status)
    # Interviews under way first (to resume), then appointments by time, then the rest.
    cases = cases.order_by(
        DbCase(When(status=Case.Status.IN_PROGRESS, then=0), default=1),
        F("appointment_at").asc(nulls_last=True),
        "id",
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    context = {
        "page": page,
        "rows": [presenters.case_row(case, now) for case in page],
        "status": status,
        "statuses": Case.Status.choices,
        "next_form": NextCaseForm(),
        **presenters.my_day(request.user, now),
    }
    return render(request, "fieldwork/my_cases.html", context)


@require_role(Role.INTERVIEWER)
def due_now(request: HttpRequest) -> HttpResponse:
    """The in-page reminder, polled by the interviewer's pages: appointments due now."""
    context = presenters.my_day(request.user, timezone.now())
    return render(request, "fieldwork/_due_now.html", context)


def _case_mode(request: HttpRequest, case: Case) -> str:
    """The case page's mode: the wave's; in a mixed wave the one asked for, else phone when
    the household has a number."""
    modes = case.wave.modes
    asked = request.GET.get("mode") or request.POST.get("mode")
    if asked in modes:
        return asked
    if len(modes) == 1:
        return modes[0]
    return "phone" if case.unit.phone else "door"


def render_case(
    request: HttpRequest, case: Case, *, status: int = 200, mode: str = "", **extra
) -> HttpResponse:
    """The case page in its mode, with a form's errors or a confirmation card in `extra`."""
    mode = mode or _case_mode(request, case)
    row = presenters.case_row(case)
    can_work = request.user.pk == case.interviewer_id
    open_case = case.status in phone_reveals.OPEN_STATUSES
    interview = getattr(case, "interview", None)  # read (and kept) by case_row
    completed = interview is not None and interview.status == Interview.Status.COMPLETED
    context = {
        "case": case,
        "row": row,
        "mode": mode,
        "modes": case.wave.modes,
        "history": presenters.case_history(case),
        "interview": interview,
        "attempt_form": AttemptForm(mode="phone"),
        "can_work": can_work,
        "can_reopen": request.user.role in (Role.SUPERVISOR, Role.ANALYST)
        and case.status == Case.Status.CLOSED,
        "reopen_form": ReopenForm(),
        "move_form": MoveForm(viewer=request.user) if request.user.role in STAFF else None,
        "voided": completed and selectors.interview_voided(case),
        # The Dial control is shown (and its state read) only to the case's interviewer, and
        # only while the case is open.
        "dial": telephony_presenters.dial_state(case)
        if can_work and row["phone"] and open_case and mode == "phone"
        else None,
        "phone_reveals": None if can_work else selectors.phone_reveals(case),
        # The visits, the map link and the household roster are shown in door-to-door mode
        # only: a phone case page does not read them.
        **(_door_context(case) if mode == "door" else {}),
        # the reminder of appointments due now, for the interviewer working this case
        **(presenters.my_day(request.user, timezone.now()) if can_work else {}),
        **extra,
    }
    return render(request, "fieldwork/case_detail.html", context, status=status)


def _door_context(case: Case) -> dict:
    return {**capi_presenters.visit_context(case), **capi_presenters.selection_context(case)}


@require_role(Role.INTERVIEWER, *STAFF)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return render_case(request, selectors.case_for(request.user, case_id))


def confirmation(request: HttpRequest, form, action: str) -> dict:
    """What the confirmation card needs: the outcome in words and the fields to send again."""
    fields = [
        (name, value)
        for name, value in request.POST.items()
        if name not in ("csrfmiddlewaretoken", "confirmed")
    ]
    return {"confirm": {"outcome": form.outcome_label, "fields": fields, "action": action}}


@require_role(Role.INTERVIEWER)
@require_POST
def start_interview(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    form = StartInterviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose phone or door-to-door."))
        return redirect("fieldwork:case_detail", case_id=case.pk)
    device = device_id(request)
    try:
        interview = interviews.start_interview(
            case=case, interviewer=request.user, mode=form.cleaned_data["mode"], device=device
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("fieldwork:case_detail", case_id=case.pk)
    return remember_device(redirect("fieldwork:interview", interview_id=interview.pk), device)


@require_role(Role.INTERVIEWER)
@require_POST
def record_attempt(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    form = AttemptForm(request.POST, mode=_case_mode(request, case))
    if not form.is_valid():
        return render_case(request, case, attempt_form=form, status=400)
    if form.needs_confirmation:  # a final outcome: nothing is written before a second yes
        action = reverse("fieldwork:record_attempt", args=[case.pk])
        return render_case(request, case, **confirmation(request, form, action))
    data = form.cleaned_data
    try:
        attempts.record_attempt(
            case=case,
            interviewer=request.user,
            mode=form.mode,
            disposition=data["disposition"],
            note=data["note"],
            appointment_at=data["appointment_at"],
            appointment_kind=data["appointment_kind"],
            language=data["language"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return render_case(request, case, attempt_form=form, status=400)
    messages.success(request, _("Recorded: %(outcome)s.") % {"outcome": form.outcome_label})
    if form.rerouted:
        messages.info(request, _("The case goes to an interviewer who speaks the language."))
        return redirect("fieldwork:my_cases")
    return redirect(f"{reverse('fieldwork:case_detail', args=[case.pk])}?mode={form.mode}")


@require_role(*STAFF)
@require_POST
def reopen_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """A supervisor reopens a case closed by mistake, saying why."""
    case = selectors.case_for(request.user, case_id)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            assignment.reopen_case(
                case=case, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Case reopened; the reason is in its history."))
            return redirect("fieldwork:case_detail", case_id=case.pk)
    return render_case(request, case, reopen_form=form, status=400)


@never_cache  # the number must not stay in a browser's or a proxy's cache
@require_role(Role.INTERVIEWER)
@require_POST
@rate_limited("reveal_phone", key="user")
def reveal_phone(request: HttpRequest, case_id: int) -> HttpResponse:
    """Manual-dial mode: the interviewer holding an open case sees its number to dial it."""
    case = selectors.case_for(request.user, case_id)
    try:
        phone = phone_reveals.reveal_phone(case=case, interviewer=request.user)
    except ValidationError as error:
        context = {"error": " ".join(error.messages)}
        return render(request, "fieldwork/_phone.html", context, status=409)
    return render(request, "fieldwork/_phone.html", {"phone": phone})
