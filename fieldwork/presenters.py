"""Plain data for fieldwork templates."""

import math
from datetime import datetime

import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.labels import localized
from common.logs import masked
from fieldwork import appointments, selectors
from fieldwork.dispositions import BY_CODE
from fieldwork.models import Case, Dialect
from fieldwork.rates import COUNT_COLUMNS
from sampling.models import Level, Locality
from sampling.phones import mask_phone


def disposition_label(code: str) -> str:
    """ "2.112 Known-respondent refusal", in the language of the request; unknown codes as is."""
    return f"{code} {_(BY_CODE[code].label)}" if code in BY_CODE else code


def case_row(case: Case, now: datetime | None = None) -> dict:
    """A case for lists and its page: where it stands in words, and its open appointment
    (from selectors.with_open_appointment's columns when the list loaded them)."""
    interview = getattr(case, "interview", None)  # None when no interview was started
    now = now or timezone.now()
    if hasattr(case, "appointment_at"):
        appointment = appointment_badge(
            case.appointment_at, case.appointment_kind, case.appointment_end, now
        )
    else:
        open_one = case.appointments.filter(closed_at=None).order_by("at").first()
        appointment = (
            appointment_badge(open_one.at, open_one.kind, open_one.window_end, now)
            if open_one
            else None
        )
    return {
        "id": case.pk,
        "wave": case.wave.name,
        "street": case.street.name,
        # The language a case that failed on language needs (its label, '' for none).
        "language": Dialect(case.language).label if case.language in Dialect.values else "",
        "phone": mask_phone(case.unit.phone) if case.unit.phone else "",
        "address": case.unit.address,
        "status": work_status(case, appointment),
        "status_code": case.status,
        "appointment": appointment,
        "interviewer": str(case.interviewer) if case.interviewer_id else "",
        "disposition": case.disposition,
        "disposition_label": disposition_label(case.disposition) if case.disposition else "",
        "attempts": case.attempts,
        "interview_id": interview.pk if interview else None,
    }


def locality_options(parent_code: str, level: str) -> list[tuple[str, str]]:
    if level not in (Level.STREET, Level.COMMUNITY) or not parent_code:
        return []
    return list(
        Locality.objects.filter(level=level, parent__code=parent_code).values_list("code", "name")
    )


RATE_SHOWN = ["RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP3", "REF1", "CON1"]


def rate_rows(table: pd.DataFrame, labels: dict[str, str] | None = None) -> dict:
    """A rates table for a template: headers, and per group its label, rates in % and counts.

    The group label is the table's first column (wave, street, interviewer or day), shown
    through `labels` when given (interviewers' logins → names).
    """
    rows = []
    label_column = table.columns[0]
    labels = labels or {}
    for record in table.to_dict("records"):
        rows.append(
            {
                "label": labels.get(record[label_column]) or record[label_column] or "—",
                "rates": [_percent(record[name]) for name in RATE_SHOWN],
                "e": _percent(record["e"]),
                "counts": [int(record[name]) for name in COUNT_COLUMNS],
            }
        )
    return {"rate_names": RATE_SHOWN, "count_names": COUNT_COLUMNS, "rows": rows}


def _percent(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{100 * value:.1f}"


def _answer_names(definition: dict, language: str) -> tuple[dict, dict]:
    """{question name: label} and {(question name, value): choice label} in `language`."""
    questions, choices = {}, {}
    lists = definition.get("choice_lists", {})
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            questions[question["name"]] = localized(question.get("label"), language)
            for choice in lists.get(question.get("list") or "", []):
                label = localized(choice.get("label"), language)
                choices[(question["name"], str(choice["value"]))] = label
    return questions, choices


def quota_rows(progress: pd.DataFrame, *, definition: dict, language: str) -> list[dict]:
    """Achieved against target per quota cell (loaders.quota_progress): streets by name, an
    answer's variable and value by their labels in `language` (a frame column as it is)."""
    if progress.empty:
        return []
    questions, choices = _answer_names(definition, language)
    street_names = dict(
        Locality.objects.filter(code__in=set(progress["stratum"]) - {""}).values_list(
            "code", "name"
        )
    )
    return [
        {
            "stratum": street_names.get(row["stratum"], row["stratum"]) if row["stratum"] else "",
            "variable": questions.get(row["variable"]) or row["variable"],
            "value": choices.get((row["variable"], str(row["value"]))) or row["value"],
            "target": int(row["target"]),
            "achieved": int(row["achieved"]),
            "remaining": int(row["remaining"]),
            "share": _percent(row["share"]),
            "full": bool(row["full"]),
        }
        for row in progress.to_dict("records")
    ]


def person(first: str | None, last: str | None, username: str | None) -> str:
    """A user as every fieldwork table names them (as User.__str__: full name, else login),
    from values() columns, so tables and the assignment list agree."""
    full = f"{first or ''} {last or ''}".strip()
    return full or username or "—"


APPOINTMENT_STATES = {
    appointments.DUE: gettext_lazy("Due now"),
    appointments.UPCOMING: gettext_lazy("Upcoming"),
    appointments.MISSED: gettext_lazy("Missed"),
}


def appointment_badge(at: datetime | None, kind: str | None, end: datetime | None, now: datetime):
    """{"at", "kind", "state", "state_label"} for a case's open appointment; None without one."""
    if at is None:
        return None
    state = appointments.appointment_state(at=at, kind=kind or "hard", window_end=end, now=now)
    return {
        "at": at,
        "end": end,
        "kind": kind,
        "kind_label": _("hard") if kind != "soft" else _("soft"),
        "state": state,
        "state_label": APPOINTMENT_STATES[state],
    }


def work_status(case: Case, appointment: dict | None) -> str:
    """Where the case stands, in words an interviewer acts on (not just the stored status)."""
    interview = getattr(case, "interview", None)
    if case.status == Case.Status.PENDING:
        if interview is not None and interview.status == "in_progress":
            return _("Interview stopped: to resume")
        if appointment is not None:
            return _("Appointment")
        return _("To call again") if case.attempts else _("Not started")
    if case.status == Case.Status.IN_PROGRESS:
        return _("Interview under way")
    return case.get_status_display()


def case_history(case: Case) -> list[dict]:
    """Attempts, appointments made and supervisors' moves, newest first, as one list."""
    rows = []
    for attempt in case.contact_attempts.select_related("interviewer"):
        what = _("Visit") if attempt.mode == "door" else _("Call")
        rows.append(
            {
                "at": attempt.started_at,
                "what": what,
                "detail": disposition_label(attempt.disposition) if attempt.disposition else "",
                "who": str(attempt.interviewer),
                "note": masked(attempt.note),
                "void": attempt.voided_at is not None,
            }
        )
    for appointment in case.appointments.select_related("created_by"):
        rows.append(
            {
                "at": appointment.created_at,
                "what": _("Appointment made"),
                "detail": _("for %(at)s (%(kind)s)")
                % {
                    "at": timezone.localtime(appointment.at).strftime("%Y-%m-%d %H:%M"),
                    "kind": appointment.get_kind_display(),
                },
                "who": str(appointment.created_by),
                "note": masked(appointment.note),
                "void": False,
            }
        )
    events = case.events.select_related("actor", "from_interviewer", "to_interviewer", "case__wave")
    for event in events:
        rows.append(
            {
                "at": event.created_at,
                "what": event.get_kind_display(),
                "detail": _event_detail(event),
                "who": str(event.actor),
                "note": masked(event.reason),
                "void": False,
            }
        )
    return sorted(rows, key=lambda row: row["at"], reverse=True)


def _event_detail(event) -> str:
    if event.kind == event.Kind.REOPENED:
        was = _("was %(outcome)s") % {
            "outcome": disposition_label(event.previous_disposition) or _("closed")
        }
        if event.attempts_counted is None:
            return was
        counted = _("attempts counted again without the voided ones: %(n)s of %(max)s") % {
            "n": event.attempts_counted,
            "max": event.case.wave.max_attempts,
        }
        return f"{was}; {counted}"
    before = str(event.from_interviewer) if event.from_interviewer else _("pool")
    after = str(event.to_interviewer) if event.to_interviewer else _("pool")
    return f"{before} → {after}"


def my_day(user, now: datetime) -> dict:
    """The interviewer's day: appointments due now, later today and missed (still open), and
    their attempts and completes today against the wave's daily target."""
    start, end = selectors.local_day(now)
    cases = selectors.visible_cases(user).filter(
        status__in=[Case.Status.PENDING, Case.Status.IN_PROGRESS]
    )
    rows = []
    # Every open appointment up to tonight: one missed last month is still owed a call.
    for appointment in selectors.open_appointments_until(cases, end):
        badge = appointment_badge(appointment.at, appointment.kind, appointment.window_end, now)
        rows.append(
            {
                "case_id": appointment.case_id,
                "street": appointment.case.street.name,
                "note": masked(appointment.note),
                **badge,
            }
        )
    order = {appointments.DUE: 0, appointments.MISSED: 1, appointments.UPCOMING: 2}
    rows.sort(key=lambda row: (order[row["state"]], row["at"]))
    return {
        "due_rows": rows,
        "due_now": [row for row in rows if row["state"] == appointments.DUE],
        "today": selectors.interviewer_today(user, start, now),
    }


def case_row_for_grid(case: Case, now: datetime) -> dict:
    """A case in the supervisor's grid: no phone or address, the interviewer by name."""
    appointment = appointment_badge(
        case.appointment_at, case.appointment_kind, case.appointment_end, now
    )
    return {
        "id": case.pk,
        "street": case.street.name,
        "interviewer": str(case.interviewer) if case.interviewer_id else "",
        "status": work_status(case, appointment),
        "status_code": case.status,
        "disposition_label": disposition_label(case.disposition) if case.disposition else "",
        "attempts": case.attempts,
        "appointment": appointment,
    }
