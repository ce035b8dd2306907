"""Telephony use-cases: click-to-call, Twilio's callbacks, confirming outcomes, pre-notification.

REST requests to Twilio are never made inside a database transaction (a slow network must not
hold row locks): each use-case reserves its row atomically first, then calls Twilio, then saves
what Twilio answered.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException

from accounts.models import User
from fieldwork.models import (
    Call,
    Case,
    ContactAttempt,
    Interview,
    InterviewerLine,
    Mode,
    PrenotificationPlan,
    SmsMessage,
    TwilioEvent,
    Wave,
)
from fieldwork.models.telephony import TERMINAL_STATUSES
from fieldwork.services import attempts, interviews
from fieldwork.telephony import gateway, twiml
from fieldwork.telephony.selectors import live_call

OPEN_CASE_STATUSES = (Case.Status.PENDING, Case.Status.IN_PROGRESS)


def _twilio_error(error: Exception) -> str:
    # Twilio's messages can repeat the number dialled: keep only the error code.
    if isinstance(error, TwilioRestException):
        return f"Twilio error {error.code or error.status}"
    return type(error).__name__


def _base_url(base_url: str | None) -> str:
    base = (settings.PUBLIC_BASE_URL or base_url or "").rstrip("/")
    if not base:
        raise ValidationError(_("Telephony needs PUBLIC_BASE_URL to receive Twilio's callbacks."))
    return base


@transaction.atomic
def _open_call(*, case: Case, interviewer: User) -> tuple[Call, str]:
    if case.interviewer_id != interviewer.pk:
        raise PermissionDenied
    case = Case.objects.select_for_update(of=("self",)).select_related("wave").get(pk=case.pk)
    if case.status not in OPEN_CASE_STATUSES:
        raise ValidationError(_("This case is already finished."))
    attempts.check_mode(case.wave, Mode.PHONE)  # a door-to-door wave is not called
    line = InterviewerLine.objects.filter(user=interviewer).first()
    if line is None:
        raise ValidationError(_("No phone line is set up for you. Ask a supervisor."))
    if live_call(case=case) is not None:
        raise ValidationError(_("This case already has a call on the line."))
    return Call.objects.create(case=case, interviewer=interviewer), line.phone


def dial(*, case: Case, interviewer: User, base_url: str | None = None) -> Call:
    """Click-to-call: Twilio rings the interviewer's line, then bridges to the respondent.

    `base_url` is where Twilio reaches us when PUBLIC_BASE_URL is not set (the view passes the
    request's own scheme and host). The respondent's number is not sent here: Twilio fetches
    it from the TwiML view once the interviewer answers.
    """
    if not gateway.is_configured():
        raise ValidationError(_("Telephony is not configured: dial by hand."))
    base = _base_url(base_url)
    call, line_phone = _open_call(case=case, interviewer=interviewer)
    return _ring(call, line_phone, base)


@transaction.atomic
def _open_backcheck_call(*, case: Case, checker: User) -> tuple[Call, str]:
    case = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
    if not case.unit.phone:
        raise ValidationError(_("This household has no phone number: back-check it in person."))
    line = InterviewerLine.objects.filter(user=checker).first()
    if line is None:
        raise ValidationError(_("No phone line is set up for you. Ask a supervisor."))
    if live_call(case=case) is not None:
        raise ValidationError(_("This case already has a call on the line."))
    call = Call.objects.create(case=case, interviewer=checker, purpose=Call.Purpose.BACKCHECK)
    return call, line.phone


def dial_backcheck(*, case: Case, checker: User, base_url: str | None = None) -> Call:
    """A back-check by phone of an interview already done, by phone or at the door: Twilio
    rings the checker's line, then bridges to the household's number, which the checker never
    sees (Twilio fetches it from the TwiML view). The case stays as it is: no attempt is
    recorded. Whether `checker` may check this case is qc's to decide before calling."""
    if not gateway.is_configured():
        raise ValidationError(_("Telephony is not configured: dial by hand."))
    base = _base_url(base_url)
    call, line_phone = _open_backcheck_call(case=case, checker=checker)
    return _ring(call, line_phone, base)


def _ring(call: Call, line_phone: str, base: str) -> Call:
    """Ask Twilio to ring the caller's line for `call` (outside any transaction)."""

    def url(name: str) -> str:
        return base + reverse(f"fieldwork:telephony:{name}", args=[call.pk])

    try:
        created = gateway.client().calls.create(
            to=twiml.e164(line_phone),
            from_=settings.TWILIO_CALLER_ID,
            url=url("twiml"),
            method="POST",
            status_callback=url("status_callback"),
            status_callback_method="POST",
            status_callback_event=twiml.STATUS_EVENTS,
        )
    except (TwilioException, RequestException, ValueError) as error:
        call.error = _twilio_error(error)
        call.save(update_fields=["error"])
        raise ValidationError(
            _("The call could not be placed. Try again or dial by hand.")
        ) from None
    # A callback may already have filled these in; the row lock keeps both writes whole.
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        call.parent_sid = call.parent_sid or created.sid
        call.parent_status = call.parent_status or (created.status or "queued")
        call.save(update_fields=["parent_sid", "parent_status"])
    return call


def _respondent_pending(call: Call, call_sid: str) -> bool:
    """Twilio asks for this call's TwiML on the interviewer's leg, and the respondent has not
    been dialled yet: no TwiML given, no status of that leg, nothing recorded or failed."""
    return (
        bool(call_sid)
        and call_sid == (call.parent_sid or call_sid)
        and call.bridged_at is None
        and not (call.sid or call.status)
        and call.parent_status not in TERMINAL_STATUSES
        and not (call.attempt_id or call.error)
        and (call.case.status in OPEN_CASE_STATUSES or call.purpose == Call.Purpose.BACKCHECK)
    )


@transaction.atomic
def bridge_twiml(*, call: Call, call_sid: str, base_url: str | None = None) -> str:
    """TwiML for the interviewer's answered leg (`call_sid`, Twilio's CallSid): dial the
    respondent, once; any other request for it gets a hangup.

    Twilio's signatures carry no timestamp, so a signed request can be replayed: the number is
    given only while the respondent's leg is pending, and marking the call bridged (under its
    row lock) makes the first answer the only one.
    """
    call = Call.objects.select_for_update(of=("self",)).select_related("case__unit").get(pk=call.pk)
    if not _respondent_pending(call, call_sid):
        return twiml.hangup_twiml()
    base = _base_url(base_url)
    call.parent_sid = call.parent_sid or call_sid  # Twilio may ask before dial() saved it
    call.bridged_at = timezone.now()
    call.save(update_fields=["parent_sid", "bridged_at"])

    def url(name: str) -> str:
        return base + reverse(f"fieldwork:telephony:{name}", args=[call.pk])

    return twiml.bridge_twiml(
        respondent_phone=call.case.unit.phone,
        caller_id=settings.TWILIO_CALLER_ID,
        action_url=url("dial_action"),
        status_url=url("status_callback"),
        recording_url=url("recording_callback"),
    )


def _first_time(call: Call, key: str, kind: str, params: Mapping[str, str]) -> bool:
    """Log the webhook; False when the same event was already applied."""
    key = key[:120]
    if TwilioEvent.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            TwilioEvent.objects.create(
                key=key, call=call, kind=kind, params=twiml.without_phones(dict(params))
            )
    except IntegrityError:
        return False
    return True


def _sequence(params: Mapping[str, str]) -> int | None:
    try:
        return int(params["SequenceNumber"])
    except (KeyError, ValueError):
        return None


def _is_newer(*, old_status: str, old_sequence: int, status: str, sequence: int | None) -> bool:
    if old_status in TERMINAL_STATUSES and status not in TERMINAL_STATUSES:
        return False
    return sequence is None or sequence > old_sequence


def _seconds(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@transaction.atomic
def handle_status_callback(*, call: Call, params: Mapping[str, str]) -> Call:
    """Apply one status callback of either leg; repeated or outdated events change nothing.

    The respondent's leg carries ParentCallSid (it was created by our <Dial>); the
    interviewer's leg does not. A final status of the respondent's leg proposes a disposition.
    """
    call = Call.objects.select_for_update().get(pk=call.pk)
    sid = params.get("CallSid", "")
    status = params.get("CallStatus", "")
    sequence = _sequence(params)
    key = f"status:{sid}:{sequence if sequence is not None else status}"
    if not sid or not _first_time(call, key, "status", params):
        return call
    now = timezone.now()
    fields: list[str] = []
    if params.get("ParentCallSid"):
        if call.sid and call.sid != sid:
            return call  # not the leg this call bridged
        if _is_newer(
            old_status=call.status, old_sequence=call.sequence, status=status, sequence=sequence
        ):
            call.sid = sid
            call.status = status
            call.sequence = sequence if sequence is not None else call.sequence
            call.answered_by = params.get("AnsweredBy", call.answered_by)
            call.sip_response_code = params.get("SipResponseCode", call.sip_response_code)
            fields += ["sid", "status", "sequence", "answered_by", "sip_response_code"]
            if status == "in-progress" and call.answered_at is None:
                call.answered_at = now
                fields.append("answered_at")
            if status in TERMINAL_STATUSES:
                call.duration_seconds = _seconds(params.get("CallDuration"))
                call.ended_at = call.ended_at or now
                call.proposed_disposition = twiml.proposed_disposition(
                    status, call.answered_by, call.sip_response_code
                )
                fields += ["duration_seconds", "ended_at", "proposed_disposition"]
    else:
        if call.parent_sid and call.parent_sid != sid:
            return call
        if _is_newer(
            old_status=call.parent_status,
            old_sequence=call.parent_sequence,
            status=status,
            sequence=sequence,
        ):
            call.parent_sid = sid
            call.parent_status = status
            call.parent_sequence = sequence if sequence is not None else call.parent_sequence
            fields += ["parent_sid", "parent_status", "parent_sequence"]
            if status in TERMINAL_STATUSES and call.ended_at is None:
                call.ended_at = now
                fields.append("ended_at")
    if fields:
        call.save(update_fields=fields)
    return call


@transaction.atomic
def handle_dial_action(*, call: Call, params: Mapping[str, str]) -> Call:
    """<Dial>'s action: the respondent's leg ended. Fills in what a lost callback left open."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    key = f"action:{params.get('CallSid', '')}:{params.get('DialCallSid', '')}"
    if not _first_time(call, key, "dial_action", params):
        return call
    status = params.get("DialCallStatus", "")
    status = "completed" if status == "answered" else status
    if status in TERMINAL_STATUSES and call.status not in TERMINAL_STATUSES:
        call.sid = call.sid or params.get("DialCallSid", "")
        call.status = status
        call.duration_seconds = _seconds(params.get("DialCallDuration"))
        call.ended_at = call.ended_at or timezone.now()
        call.proposed_disposition = twiml.proposed_disposition(
            status, call.answered_by, call.sip_response_code
        )
        call.save(
            update_fields=["sid", "status", "duration_seconds", "ended_at", "proposed_disposition"]
        )
    return call


@transaction.atomic
def handle_recording_callback(*, call: Call, params: Mapping[str, str]) -> Call:
    """Keep the finished recording's SID, URL and length on the call for QC listening."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    recording_sid = params.get("RecordingSid", "")
    status = params.get("RecordingStatus", "")
    key = f"recording:{recording_sid}:{status}"
    if not recording_sid or not _first_time(call, key, "recording", params):
        return call
    if status == "completed":
        call.recording_sid = recording_sid
        call.recording_url = params.get("RecordingUrl", "")
        call.recording_seconds = _seconds(params.get("RecordingDuration"))
        call.save(update_fields=["recording_sid", "recording_url", "recording_seconds"])
    return call


def _lock_unconfirmed(call: Call, interviewer: User) -> Call:
    call = Call.objects.select_for_update().select_related("case").get(pk=call.pk)
    if call.interviewer_id != interviewer.pk:
        raise PermissionDenied
    if call.attempt_id is not None:
        raise ValidationError(_("This call's outcome is already recorded."))
    if call.purpose == Call.Purpose.BACKCHECK:
        raise ValidationError(_("A back-check call records no outcome on the case."))
    return call


@transaction.atomic
def confirm_call(
    *,
    call: Call,
    interviewer: User,
    disposition: str,
    note: str = "",
    appointment_at: datetime | None = None,
    appointment_kind: str = "hard",
    language: str = "",
) -> ContactAttempt:
    """The interviewer confirms (or corrects) the call's outcome: it becomes a contact attempt,
    with the callback appointment when the respondent asked for one."""
    call = _lock_unconfirmed(call, interviewer)
    attempt = attempts.record_attempt(
        case=call.case,
        interviewer=interviewer,
        mode=Mode.PHONE,
        disposition=disposition,
        note=note,
        appointment_at=appointment_at,
        appointment_kind=appointment_kind,
        language=language,
    )
    # The attempt took place when the call did, not when it was confirmed.
    attempt.started_at = call.created_at
    attempt.ended_at = call.ended_at or attempt.ended_at
    attempt.save(update_fields=["started_at", "ended_at"])
    call.attempt = attempt
    call.save(update_fields=["attempt"])
    return attempt


@transaction.atomic
def start_interview_on_call(*, call: Call, interviewer: User, device: str = "") -> Interview:
    """The respondent agreed: open (or resume) the interview and tie the call to its attempt."""
    call = _lock_unconfirmed(call, interviewer)
    interview = interviews.start_interview(
        case=call.case, interviewer=interviewer, mode=Mode.PHONE, device=device
    )
    attempt = (
        ContactAttempt.objects.filter(
            case=call.case, interviewer=interviewer, ended_at=None, call__isnull=True
        )
        .order_by("-started_at")
        .first()
    )
    if attempt is not None:
        call.attempt = attempt
        call.save(update_fields=["attempt"])
    return interview


# Pre-notification SMS


def prenotification_text(plan: PrenotificationPlan) -> str:
    try:
        return twiml.prenotification_text(
            plan.template,
            evaluation=plan.wave.name,
            client=plan.wave.client.name,
            hotline=plan.hotline,
        )
    except ValueError as error:
        raise ValidationError(
            _("Pre-notification message: %(problem)s") % {"problem": error}
        ) from None


@transaction.atomic
def _reserve_sms(case: Case) -> SmsMessage | None:
    message, created = SmsMessage.objects.select_for_update().get_or_create(
        case=case, defaults={"status": SmsMessage.Status.SENDING}
    )
    if created:
        return message
    if message.status == SmsMessage.Status.FAILED:  # a failed send may be tried again
        message.status = SmsMessage.Status.SENDING
        message.error = ""
        message.save(update_fields=["status", "error"])
        return message
    return None  # sent, or being sent by another run


def send_prenotification(
    *, wave: Wave | None = None, cases: Iterable[Case] | None = None
) -> dict[str, int]:
    """Send the wave's pre-notification SMS to cases not yet called; never twice to a case.

    Give a wave (all its cases) or some cases (of one wave). Returns counts
    {"sent": …, "failed": …, "skipped": …}: skipped are cases already notified, already
    called, finished, or without a phone number.
    """
    if not gateway.is_configured():
        raise ValidationError(_("Telephony is not configured: no SMS can be sent."))
    if cases is None:
        if wave is None:
            raise ValueError("give a wave or cases")
        cases = Case.objects.filter(wave=wave)
    cases = list(cases)
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    if not cases:
        return counts
    waves = {case.wave_id for case in cases}
    if len(waves) != 1:
        raise ValidationError(_("Send pre-notifications for one wave at a time."))
    plan = PrenotificationPlan.objects.select_related("wave").filter(wave_id=waves.pop()).first()
    if plan is None or not plan.enabled:
        raise ValidationError(_("This wave has no pre-notification SMS."))
    text = prenotification_text(plan)
    sender = getattr(settings, "TWILIO_SMS_FROM", "") or settings.TWILIO_CALLER_ID
    rest = gateway.client()
    fresh = Case.objects.filter(
        pk__in=[case.pk for case in cases], status=Case.Status.PENDING, attempts=0
    ).select_related("unit")
    eligible = [case for case in fresh.order_by("id") if case.unit.phone]
    counts["skipped"] = len(cases) - len(eligible)
    for case in eligible:
        message = _reserve_sms(case)
        if message is None:
            counts["skipped"] += 1
            continue
        try:
            sent = rest.messages.create(to=twiml.e164(case.unit.phone), from_=sender, body=text)
        except (TwilioException, RequestException, ValueError) as error:
            message.status = SmsMessage.Status.FAILED
            message.error = _twilio_error(error)
            message.save(update_fields=["status", "error"])
            counts["failed"] += 1
            continue
        message.status = SmsMessage.Status.SENT
        message.sid = sent.sid or ""
        message.sent_at = timezone.now()
        message.save(update_fields=["status", "sid", "sent_at"])
        counts["sent"] += 1
    return counts


@transaction.atomic
def set_interviewer_line(*, user: User, phone: str) -> InterviewerLine:
    """Record the phone Twilio rings for this interviewer (E.164 or a mainland mobile)."""
    try:
        normalised = twiml.e164(phone)
    except ValueError:
        raise ValidationError(_("Enter the phone as +8613812345678 or 13812345678.")) from None
    line, _created = InterviewerLine.objects.update_or_create(
        user=user, defaults={"phone": normalised}
    )
    return line


@transaction.atomic
def set_prenotification_plan(
    *, wave: Wave, hotline: str, template: str | None = None, enabled: bool = True
) -> PrenotificationPlan:
    """Turn a wave's pre-notification SMS on (or off), checking the message before saving."""
    plan = PrenotificationPlan.objects.filter(wave=wave).first() or PrenotificationPlan(wave=wave)
    plan.hotline = hotline.strip()
    plan.enabled = enabled
    if template is not None:
        plan.template = template
    if not plan.hotline:
        raise ValidationError(_("Give the verification hotline."))
    prenotification_text(plan)  # raises, naming the problem, before anything is saved
    plan.save()
    return plan
