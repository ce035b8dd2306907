"""Plain data for the telephony templates. Phone numbers leave here masked only."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fieldwork.models import Call, Case
from fieldwork.models.telephony import TERMINAL_STATUSES
from fieldwork.presenters import disposition_label
from fieldwork.telephony import gateway
from fieldwork.telephony.forms import ConfirmCallForm
from fieldwork.telephony.selectors import live_call
from sampling.phones import mask_phone

STATUS_LABELS = {
    "queued": gettext_lazy("Queued"),
    "initiated": gettext_lazy("Dialling"),
    "ringing": gettext_lazy("Ringing"),
    "in-progress": gettext_lazy("Connected"),
    "completed": gettext_lazy("Completed"),
    "busy": gettext_lazy("Busy"),
    "failed": gettext_lazy("Failed"),
    "no-answer": gettext_lazy("No answer"),
    "canceled": gettext_lazy("Cancelled"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status or "—"))


def _state(call: Call) -> tuple[str, str]:
    respondent_dialled = bool(call.sid or call.status)
    if call.error:
        return "error", _("The call could not be placed. Try again or dial by hand.")
    if not respondent_dialled:
        if call.parent_status in TERMINAL_STATUSES:
            return "missed", _("Your phone did not answer. Press Dial to try again.")
        return "calling", _("Ringing your phone: answer it to be connected.")
    if call.status == "in-progress":
        return "connected", _("Connected to the respondent.")
    if call.status in TERMINAL_STATUSES:
        return "ended", _("Call ended: %(status)s.") % {"status": status_label(call.status)}
    return "ringing", _("Ringing the respondent…")


def call_message(call: Call) -> str:
    """Where the call stands, in a sentence for the caller."""
    return str(_state(call)[1])


def call_panel(call: Call) -> dict:
    """What the interviewer sees of a call: its state, the proposed outcome, what to do next."""
    state, message = _state(call)
    open_outcome = call.attempt_id is None and state in ("connected", "ended")
    return {
        "id": call.pk,
        "case_id": call.case_id,
        "phone": mask_phone(call.case.unit.phone),
        "state": state,
        "message": message,
        # Stop refreshing once connected: the interviewer is filling in the outcome form.
        "polling": state in ("calling", "ringing"),
        "proposed": disposition_label(call.proposed_disposition)
        if call.proposed_disposition
        else "",
        "confirmed": call.attempt_id is not None,
        "can_start_interview": open_outcome and call.status in ("in-progress", "completed"),
        "confirm_form": ConfirmCallForm(initial={"disposition": call.proposed_disposition})
        if open_outcome
        else None,
    }


def call_rows(calls) -> list[dict]:
    """Supervisor's list of calls: masked number, outcome, recording."""
    return [
        {
            "id": call.pk,
            "created_at": call.created_at,
            "case_id": call.case_id,
            "interviewer": str(call.interviewer),
            "phone": mask_phone(call.case.unit.phone),
            "status": status_label(call.status or call.parent_status),
            "duration": call.duration_seconds,
            "disposition": (call.attempt.disposition if call.attempt else "")
            or call.proposed_disposition,
            "confirmed": call.attempt_id is not None,
            "has_recording": bool(call.recording_url),
            "recording_seconds": call.recording_seconds,
        }
        for call in calls
    ]


def dial_state(case: Case) -> dict:
    """What the case page's Dial control needs: {"configured": Twilio is set up,
    "live_call_id": the case's call on the line or None}."""
    if not gateway.is_configured():
        return {"configured": False, "live_call_id": None}
    live = live_call(case=case)
    return {"configured": True, "live_call_id": live.pk if live else None}
