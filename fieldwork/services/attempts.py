"""Calls and visits that did not become an interview, and callback appointments.

Also the case's attempt summary (what the scheduler reads) and its final disposition, kept
here for every service that opens or ends an attempt.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from fieldwork import scheduling
from fieldwork.dispositions import NON_INTERVIEW_CODES, final_disposition, is_final
from fieldwork.models import Appointment, Case, ContactAttempt, Interview, Mode
from fieldwork.services.locking import one_writer_per_process

# The case's attempt summary, written with every attempt (see count_attempt).
SUMMARY_FIELDS = ["attempts", "last_attempt_at", "last_outcome", "day_parts_tried"]


def check_own_case(case: Case, interviewer: User) -> None:
    """Only the interviewer who holds the case may work on it."""
    if case.interviewer_id != interviewer.pk:
        raise PermissionDenied


@one_writer_per_process
@transaction.atomic
def record_attempt(
    *,
    case: Case,
    interviewer: User,
    mode: str,
    disposition: str,
    note: str = "",
    appointment_at: datetime | None = None,
    appointment_kind: str = "hard",
) -> ContactAttempt:
    """A call or visit that did not become an interview, with its AAPOR outcome.

    A final code (refusal, not eligible …) closes the case; so does reaching the wave's maximum
    number of attempts. The case's disposition is the final code of all its attempts by AAPOR
    precedence (dispositions.final_disposition). An appointment may be made in the same step
    ("call back at 19:00").
    """
    check_own_case(case, interviewer)
    if disposition not in NON_INTERVIEW_CODES:
        raise ValidationError(
            _("%(code)s is not an outcome of a call or visit.") % {"code": disposition}
        )
    if mode not in Mode.values:
        raise ValidationError(_("Unknown mode."))
    case = Case.objects.select_for_update().select_related("wave").get(pk=case.pk)
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    now = timezone.now()
    attempt = ContactAttempt.objects.create(
        case=case,
        interviewer=interviewer,
        mode=mode,
        started_at=now,
        ended_at=now,
        disposition=disposition,
        note=note,
    )
    count_attempt(case, now, disposition)
    closing = is_final(disposition) or case.attempts >= case.wave.max_attempts
    case.disposition = final_code(case)
    if closing:
        case.status = Case.Status.CLOSED
        # A stopped interview that will never be resumed ends as a break-off.
        Interview.objects.filter(case=case, status=Interview.Status.IN_PROGRESS).update(
            status=Interview.Status.BROKEN_OFF
        )
    case.save(update_fields=[*SUMMARY_FIELDS, "disposition", "status", "updated_at"])
    if appointment_at is not None and not closing:
        create_appointment(
            case=case,
            at=appointment_at,
            kind=appointment_kind,
            window_end=None,
            note=note,
            created_by=interviewer,
        )
    return attempt


def count_attempt(case: Case, at: datetime, outcome: str) -> None:
    """Update the attempt summary the scheduler reads; the attempt closes open appointments."""
    case.attempts += 1
    case.last_attempt_at = at
    case.last_outcome = outcome
    case.day_parts_tried |= scheduling.day_part_bit(at)
    Appointment.objects.filter(case=case, closed_at=None).update(closed_at=at)


def final_code(case: Case) -> str:
    """The case's disposition from all its attempts by AAPOR precedence ("" before any)."""
    codes = list(
        ContactAttempt.objects.filter(case=case)
        .order_by("started_at", "id")
        .values_list("disposition", flat=True)
    )
    return final_disposition(codes) if any(codes) else ""


def create_appointment(
    *, case: Case, at: datetime, kind: str, window_end: datetime | None, note: str, created_by: User
) -> Appointment:
    """The appointment itself, replacing any open one; the caller checks access and locks."""
    if kind not in Appointment.Kind.values:
        raise ValidationError(_("Unknown appointment kind."))
    if window_end is not None and window_end <= at:
        raise ValidationError(_("The window must end after the appointment time."))
    Appointment.objects.filter(case=case, closed_at=None).update(closed_at=timezone.now())
    return Appointment.objects.create(
        case=case, at=at, kind=kind, window_end=window_end, note=note, created_by=created_by
    )


@transaction.atomic
def make_appointment(
    *,
    case: Case,
    interviewer: User,
    at: datetime,
    kind: str = "hard",
    window_end: datetime | None = None,
    note: str = "",
) -> Appointment:
    """A callback agreed with the respondent; it replaces any open appointment of the case."""
    check_own_case(case, interviewer)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    return create_appointment(
        case=case, at=at, kind=kind, window_end=window_end, note=note, created_by=interviewer
    )
