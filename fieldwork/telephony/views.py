"""Telephony pages (Dial, the call panel, supervisors' call list) and Twilio's webhooks."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.access import STAFF, require_role
from accounts.models import Role
from accounts.teams import team_rows
from common.ids import parse_id
from common.ratelimit import rate_limited
from fieldwork import selectors
from fieldwork import views as fieldwork_views
from fieldwork.interview.device import device_id, remember_device
from fieldwork.models import Call
from fieldwork.telephony import gateway, presenters, services
from fieldwork.telephony.forms import ConfirmCallForm
from fieldwork.telephony.selectors import live_call
from fieldwork.telephony.twiml import hangup_twiml

TWIML = "text/xml; charset=utf-8"


def _own_call(request: HttpRequest, call_id: int) -> Call:
    return get_object_or_404(
        Call.objects.select_related("case__unit"), pk=call_id, interviewer=request.user
    )


def _panel(request: HttpRequest, call: Call | None, error: str = "") -> HttpResponse:
    context = {"panel": presenters.call_panel(call) if call else None, "error": error}
    return render(request, "fieldwork/telephony/_call.html", context)


@require_role(Role.INTERVIEWER)
@require_POST
def dial(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    try:
        call = services.dial(
            case=case, interviewer=request.user, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        live = live_call(case=case)
        if live is not None and live.interviewer_id == request.user.pk:
            return _panel(request, live)
        return _panel(request, None, " ".join(error.messages))
    return _panel(request, call)


@require_role(Role.INTERVIEWER)
@require_GET
def call_status(request: HttpRequest, call_id: int) -> HttpResponse:
    return _panel(request, _own_call(request, call_id))


@require_role(Role.INTERVIEWER)
@require_POST
def confirm_call(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _own_call(request, call_id)
    form = ConfirmCallForm(request.POST)
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors) if errors else _("Choose an outcome."))
        return redirect("fieldwork:case_detail", case_id=call.case_id)
    if form.needs_confirmation:  # a final outcome: nothing is written before a second yes
        action = reverse("fieldwork:telephony:confirm_call", args=[call.pk])
        confirm = fieldwork_views.confirmation(request, form, action)
        case = selectors.case_for(request.user, call.case_id)
        return fieldwork_views.render_case(request, case, mode="phone", **confirm)
    keys = ("disposition", "note", "appointment_at", "appointment_kind", "language")
    data = {key: form.cleaned_data[key] for key in keys}
    try:
        services.confirm_call(call=call, interviewer=request.user, **data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Outcome recorded."))
        if form.rerouted:
            messages.info(request, _("The case goes to an interviewer who speaks the language."))
            return redirect("fieldwork:my_cases")
    return redirect("fieldwork:case_detail", case_id=call.case_id)


@require_role(Role.INTERVIEWER)
@require_POST
def start_interview(request: HttpRequest, call_id: int) -> HttpResponse:
    call = _own_call(request, call_id)
    device = device_id(request)
    try:
        interview = services.start_interview_on_call(
            call=call, interviewer=request.user, device=device
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("fieldwork:case_detail", case_id=call.case_id)
    return remember_device(redirect("fieldwork:interview", interview_id=interview.pk), device)


@require_role(Role.SUPERVISOR)
def call_list(request: HttpRequest) -> HttpResponse:
    calls = Call.objects.select_related("case__unit", "interviewer", "attempt").filter(
        team_rows(request.user, "interviewer")
    )
    case_id = parse_id(request.GET.get("case"))
    if case_id is not None:
        calls = calls.filter(case_id=case_id)
    page = Paginator(calls.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    context = {"page": page, "rows": presenters.call_rows(page), "case_id": case_id}
    return render(request, "fieldwork/telephony/call_list.html", context)


@require_role(*STAFF)
def recording(request: HttpRequest, call_id: int) -> HttpResponse:
    """QC listening: send the supervisor or QC lead to the call's recording at Twilio."""
    call = get_object_or_404(
        Call.objects.filter(team_rows(request.user, "interviewer")), pk=call_id
    )
    if not call.recording_url:
        raise Http404
    return redirect(f"{call.recording_url}.mp3")


# Twilio's webhooks: no session, no CSRF token; the signature is the only credential.


@rate_limited("twilio", key="ip", fail_open=True)
def _refuse_unsigned(request: HttpRequest, call_id: int) -> HttpResponse:
    return HttpResponseForbidden()


def twilio_webhook(view: Callable[[HttpRequest, Call], HttpResponse]) -> Callable:
    """Twilio's signed requests always pass; unsigned or wrongly signed ones are refused and
    counted per address (429 past the limit). Counting signed ones would let anyone with a
    Twilio account exhaust the count of Twilio's shared addresses with their own webhooks."""

    @wraps(view)
    def wrapped(request: HttpRequest, call_id: int) -> HttpResponse:
        if not gateway.signature_is_valid(request):
            return _refuse_unsigned(request, call_id)
        return view(request, get_object_or_404(Call, pk=call_id))

    return login_not_required(csrf_exempt(require_POST(wrapped)))


@never_cache  # the answer carries the respondent's number
@twilio_webhook
def twiml(request: HttpRequest, call: Call) -> HttpResponse:
    body = services.bridge_twiml(
        call=call,
        call_sid=request.POST.get("CallSid", ""),
        base_url=request.build_absolute_uri("/"),
    )
    return HttpResponse(body, content_type=TWIML)


@twilio_webhook
def status_callback(request: HttpRequest, call: Call) -> HttpResponse:
    services.handle_status_callback(call=call, params=request.POST.dict())
    return HttpResponse(status=204)


@twilio_webhook
def dial_action(request: HttpRequest, call: Call) -> HttpResponse:
    services.handle_dial_action(call=call, params=request.POST.dict())
    return HttpResponse(hangup_twiml(), content_type=TWIML)


@twilio_webhook
def recording_callback(request: HttpRequest, call: Call) -> HttpResponse:
    services.handle_recording_callback(call=call, params=request.POST.dict())
    return HttpResponse(status=204)
