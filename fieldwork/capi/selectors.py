"""Reads for the door-to-door pages, with the access rules of fieldwork.selectors."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from fieldwork import selectors
from fieldwork.models import Appointment, Case, ContactAttempt, Interview, Mode, Wave, WaveMode


def household_cases(user: User) -> list[Case]:
    """The interviewer's open cases in waves done (partly) door to door, by community and
    address (sorted here: addresses are encrypted at rest, so the database cannot order them)."""
    visits = ContactAttempt.objects.filter(mode=Mode.DOOR).order_by("started_at", "id")
    open_appointments = Appointment.objects.filter(closed_at=None).order_by("at")
    cases = (
        selectors.visible_cases(user)
        .filter(
            wave__status=Wave.Status.FIELDWORK,
            wave__mode__in=[WaveMode.DOOR, WaveMode.MIXED],
            status__in=[Case.Status.PENDING, Case.Status.IN_PROGRESS],
        )
        .select_related("unit__locality", "street", "interview")
        .defer(*Interview.bulky("interview"))
        .prefetch_related(
            Prefetch("contact_attempts", queryset=visits, to_attr="door_visits"),
            Prefetch("appointments", queryset=open_appointments, to_attr="open_appointments"),
        )
    )
    return sorted(cases, key=lambda case: (case.unit.locality.code, case.unit.address, case.pk))


def door_visits(case: Case) -> QuerySet[ContactAttempt]:
    """The case's door-to-door visits, oldest first."""
    return case.contact_attempts.filter(mode=Mode.DOOR).order_by("started_at", "id")
