"""Calls and visits that did not become an interview, and callback appointments.

Also the case's attempt summary (what the scheduler reads) and its final disposition, kept
here for every service that opens or ends an attempt.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.translatable import translated
from fieldwork import loaders, scheduling
from fieldwork.appointments import appointment_problem
from fieldwork.dispositions import (
    LANGUAGE_PROBLEM,
    NON_INTERVIEW_CODES,
    final_disposition,
    is_final,
    outcome_for,
)
from fieldwork.models import (
    Appointment,
    Case,
    CaseEvent,
    ContactAttempt,
    Dialect,
    Interview,
    Mode,
    Wave,
)
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
    now: datetime | None = None,
    language: str = "",
) -> ContactAttempt:
    """A call or visit that did not become an interview, with its AAPOR outcome.

    A final code (refusal, not eligible …) closes the case; so does reaching the wave's maximum
    number of attempts. The case's disposition is the final code of all its attempts by AAPOR
    precedence (dispositions.final_disposition). An appointment may be made in the same step
    ("call back at 19:00"), checked by check_appointment. `now` is the present (tests pass one).

    A language problem (2.33) with the language the respondent speaks (`language`, a Dialect
    value) does not close the case: it goes back to the pool for a speaker of that language
    (the scheduler routes it, fieldwork.scheduling.Caller), recorded as a return.
    """
    check_own_case(case, interviewer)
    if disposition not in NON_INTERVIEW_CODES:
        raise ValidationError(
            _("%(code)s is not an outcome of a call or visit.") % {"code": disposition}
        )
    case = Case.objects.select_for_update().select_related("wave").get(pk=case.pk)
    check_mode(case.wave, mode)
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    check_needs_appointment(mode, disposition, appointment_at)
    language = check_language(disposition, language)
    now = now or timezone.now()
    attempt = ContactAttempt.objects.create(
        case=case,
        interviewer=interviewer,
        mode=mode,
        started_at=now,
        ended_at=now,
        disposition=disposition,
        note=note,
        language=language,
    )
    count_attempt(case, now, disposition)
    rerouted = bool(language)
    closing = (is_final(disposition) and not rerouted) or case.attempts >= case.wave.max_attempts
    case.disposition = final_code(case)
    if closing:
        case.status = Case.Status.CLOSED
        # A stopped interview that will never be resumed ends as a break-off.
        Interview.objects.filter(case=case, status=Interview.Status.IN_PROGRESS).update(
            status=Interview.Status.BROKEN_OFF
        )
    case.save(update_fields=[*SUMMARY_FIELDS, "disposition", "status", "updated_at"])
    if rerouted and not closing:
        _return_for_language(case, interviewer, language)
    if appointment_at is not None and not closing:
        create_appointment(
            case=case,
            at=appointment_at,
            kind=appointment_kind,
            window_end=None,
            note=note,
            created_by=interviewer,
            now=now,
        )
    return attempt


def check_language(disposition: str, language: str) -> str:
    """The language recorded with a 2.33 outcome ('' otherwise); an unknown one is refused."""
    if disposition != LANGUAGE_PROBLEM:
        return ""
    if language and language not in Dialect.values:
        raise ValidationError(_("Choose the language from the list."))
    return language


def _return_for_language(case: Case, interviewer: User, language: str) -> None:
    """The case leaves the interviewer for the pool, to be given to a speaker of `language`."""
    case.language = language
    case.interviewer = None
    case.save(update_fields=["language", "interviewer", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.RETURNED,
        actor=interviewer,
        from_interviewer=interviewer,
        reason=_("Language problem: needs an interviewer who speaks %(language)s.")
        % {"language": Dialect(language).label},
    )


def check_needs_appointment(mode: str, disposition: str, at: datetime | None) -> None:
    """A callback without a time would close the case's appointments and leave none: every
    caller (case page, dialler panel, imports) must give the time the respondent asked for."""
    outcome = outcome_for(mode, disposition)
    if outcome is not None and outcome.needs_appointment and at is None:
        raise ValidationError(_("Give the time the respondent asked for."))


def check_mode(wave: Wave, mode: str) -> None:
    """A phone-only wave is not visited, a door-to-door wave not called."""
    if mode not in Mode.values:
        raise ValidationError(_("Unknown mode."))
    if not wave.allows(mode):
        raise ValidationError(
            _("This wave is worked %(mode)s only.") % {"mode": wave.get_mode_display()}
        )


def check_appointment(case: Case, at: datetime, window_end: datetime | None, now: datetime) -> None:
    """Refuse a callback in the past, outside the wave's calling windows or after fieldwork."""
    wave = case.wave
    last_day = None
    if wave.ends_on is not None:
        tz = ZoneInfo(scheduling.LOCAL_TZ)
        last_day = datetime.combine(wave.ends_on, datetime.max.time()).replace(tzinfo=tz)
    problem = appointment_problem(
        at=at,
        window_end=window_end,
        rules=loaders.calling_rules(wave),
        now=now,
        last_day=last_day,
    )
    if problem is not None:
        raise ValidationError(translated(problem, _))


def count_attempt(case: Case, at: datetime, outcome: str) -> None:
    """Update the attempt summary the scheduler reads; the attempt closes open appointments."""
    case.attempts += 1
    case.last_attempt_at = at
    case.last_outcome = outcome
    case.day_parts_tried |= scheduling.day_part_bit(at)
    Appointment.objects.filter(case=case, closed_at=None).update(closed_at=at)


def final_code(case: Case) -> str:
    """The case's disposition from its attempts by AAPOR precedence ("" before any); attempts
    voided when a supervisor reopened the case do not count."""
    codes = list(
        ContactAttempt.objects.filter(case=case, voided_at=None)
        .order_by("started_at", "id")
        .values_list("disposition", flat=True)
    )
    return final_disposition(codes) if any(codes) else ""


def create_appointment(
    *,
    case: Case,
    at: datetime,
    kind: str,
    window_end: datetime | None,
    note: str,
    created_by: User,
    now: datetime | None = None,
) -> Appointment:
    """The appointment itself, replacing any open one; the caller checks access and locks."""
    now = now or timezone.now()
    if kind not in Appointment.Kind.values:
        raise ValidationError(_("Unknown appointment kind."))
    check_appointment(case, at, window_end, now)
    Appointment.objects.filter(case=case, closed_at=None).update(closed_at=now)
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
    now: datetime | None = None,
) -> Appointment:
    """A callback agreed with the respondent; it replaces any open appointment of the case."""
    check_own_case(case, interviewer)
    case = Case.objects.select_for_update().select_related("wave").get(pk=case.pk)
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    return create_appointment(
        case=case,
        at=at,
        kind=kind,
        window_end=window_end,
        note=note,
        created_by=interviewer,
        now=now,
    )
