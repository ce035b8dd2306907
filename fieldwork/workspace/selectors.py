"""Reads of the wave workspace: the overview's figures and alerts, the case grid, the
appointment calendar, the community map's points and productivity's input frames."""

from datetime import date, datetime, timedelta

import pandas as pd
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.teams import team_rows
from fieldwork import loaders, scheduling, selectors
from fieldwork.models import Appointment, Case, ContactAttempt, Interview, Wave
from sampling.models import Locality

ACTIVE_WINDOW = timedelta(minutes=30)
STALE_INTERVIEW = timedelta(hours=2)
SORT_FIELDS = {
    "id": ["id"],
    "street": ["street__name", "id"],
    "interviewer": [
        "interviewer__last_name",
        "interviewer__first_name",
        "interviewer__username",
        "id",
    ],
    "attempts": ["attempts", "id"],
    "-attempts": ["-attempts", "id"],
    "last_attempt": [F("last_attempt_at").desc(nulls_last=True), "id"],
    "appointment": [F("appointment_at").asc(nulls_last=True), "id"],
    "status": ["status", "id"],
}


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _open_appointments(wave: Wave) -> QuerySet[Appointment]:
    return Appointment.objects.filter(case__wave=wave, closed_at=None).exclude(
        case__status__in=[Case.Status.COMPLETED, Case.Status.CLOSED]
    )


def _with_due_end(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """`due_end`: when a soft appointment's window closes (SOFT_DEFAULT_WINDOW without an end)."""
    return appointments.annotate(
        due_end=Coalesce(
            "window_end",
            ExpressionWrapper(
                F("at") + scheduling.SOFT_DEFAULT_WINDOW, output_field=DateTimeField()
            ),
        )
    )


def _missed(now: datetime) -> Q:
    """A missed appointment, as appointments.appointment_state says: a hard one past its grace,
    a soft one past its window (needs `due_end`). The overview's alert and the grid's filter
    both use this one definition, so the alert's link shows the cases it counted."""
    return (Q(kind=Appointment.Kind.HARD) & Q(at__lt=now - scheduling.HARD_GRACE)) | (
        Q(kind=Appointment.Kind.SOFT) & Q(due_end__lt=now)
    )


def appointment_counts(wave: Wave, now: datetime) -> dict:
    """Open appointments of the wave due now and missed, by the scheduler's spans."""
    ends = _with_due_end(_open_appointments(wave))
    hard = Q(kind=Appointment.Kind.HARD)
    soft = Q(kind=Appointment.Kind.SOFT)
    return ends.aggregate(
        due=Count(
            "id",
            filter=(
                hard
                & Q(at__lte=now + scheduling.APPOINTMENT_LEAD)
                & Q(at__gte=now - scheduling.HARD_GRACE)
            )
            | (soft & Q(at__lte=now) & Q(due_end__gte=now)),
        ),
        missed=Count("id", filter=_missed(now)),
    )


def overview(wave: Wave, now: datetime) -> dict:
    """Target, completed, expected by today, the pace, who is active, and what needs doing."""
    progress = selectors.wave_progress(wave)
    target = wave.target_completes or (wave.draw.n_total if wave.draw_id else progress["total"])
    start = wave.starts_on or local_date(wave.created_at)
    today = local_date(now)
    elapsed = max((today - start).days + 1, 1)
    total_days = (wave.ends_on - start).days + 1 if wave.ends_on else None
    expected = round(target * min(elapsed, total_days) / total_days) if total_days else None
    per_day = progress["completed"] / elapsed
    projected = round(per_day * total_days) if total_days else None
    day_start, _day_end = selectors.local_day(now)
    attempts = ContactAttempt.objects.filter(case__wave=wave)
    # Active: an attempt started in the last half hour, or one still open (an interview under
    # way) started recently enough not to be an abandoned one (STALE_INTERVIEW).
    active_now = attempts.filter(
        Q(started_at__gte=now - ACTIVE_WINDOW)
        | Q(ended_at=None, started_at__gte=now - STALE_INTERVIEW)
    )
    return {
        "progress": progress,
        "target": target,
        "target_set": wave.target_completes is not None,
        "starts_on": start,
        "ends_on": wave.ends_on,
        "elapsed_days": elapsed,
        "total_days": total_days,
        "expected": expected,
        "per_day": per_day,
        "projected": projected,
        "active_now": active_now.values("interviewer").distinct().count(),
        "active_today": attempts.filter(started_at__gte=day_start)
        .values("interviewer")
        .distinct()
        .count(),
        "pool": Case.objects.filter(
            wave=wave, interviewer=None, status=Case.Status.PENDING
        ).count(),
        "stale_interviews": Interview.objects.filter(
            case__wave=wave,
            status=Interview.Status.IN_PROGRESS,
            case__status=Case.Status.IN_PROGRESS,
            case__last_attempt_at__lt=now - STALE_INTERVIEW,
        ).count(),
        "calls_recently": attempts.filter(started_at__gte=now - ACTIVE_WINDOW).exists(),
        "in_window": scheduling.in_calling_window(now, loaders.calling_rules(wave)),
        **appointment_counts(wave, now),
    }


def interviewer_scope(viewer: User) -> Q:
    """Cases the viewer supervises: their team's and the pool (accounts.teams)."""
    return team_rows(viewer, "interviewer", pool=True)


def case_grid(wave: Wave, filters: dict, now: datetime, *, viewer: User) -> QuerySet[Case]:
    """The wave's cases the viewer may see (a supervisor: their team's and the pool), filtered
    and sorted as the form asked."""
    cases = selectors.with_open_appointment(
        Case.objects.filter(interviewer_scope(viewer), wave=wave).select_related(
            "street", "interviewer", "interview"
        )
    )
    status = filters.get("status")
    pending = Q(status=Case.Status.PENDING)
    # Filters test for an open appointment with EXISTS (an anti-/semi-join over the wave);
    # the annotated columns are only read for the rows shown.
    booked = Exists(_open_for_case())
    if not status:  # the default: what is still to do
        cases = cases.filter(status__in=[Case.Status.PENDING, Case.Status.IN_PROGRESS])
    elif status == "all":
        pass
    elif status == "fresh":
        cases = cases.filter(pending, ~booked, attempts=0)
    elif status == "callback":
        cases = cases.filter(pending, ~booked, attempts__gt=0)
    elif status == "appointment":
        cases = cases.filter(pending, booked)
    else:
        cases = cases.filter(status=status)
    outcome = filters.get("outcome")
    if outcome:
        cases = cases.filter(disposition="" if outcome == "none" else outcome)
    attempts = filters.get("attempts")
    if attempts == "3+":
        cases = cases.filter(attempts__gte=3)
    elif attempts:
        cases = cases.filter(attempts=int(attempts))
    interviewer = filters.get("interviewer")
    if interviewer == "none":
        cases = cases.filter(interviewer=None)
    elif interviewer:
        cases = cases.filter(interviewer_id=int(interviewer))
    if filters.get("street") is not None:
        cases = cases.filter(street=filters["street"])
    cases = _appointment_filter(cases, filters.get("appointment"), now)
    return cases.order_by(*SORT_FIELDS.get(filters.get("sort") or "id", SORT_FIELDS["id"]))


def _open_for_case() -> QuerySet[Appointment]:
    return Appointment.objects.filter(case=OuterRef("pk"), closed_at=None)


def _appointment_filter(cases: QuerySet[Case], wanted: str | None, now: datetime):
    if wanted == "open":
        return cases.filter(Exists(_open_for_case()))
    if wanted == "none":
        return cases.filter(~Exists(_open_for_case()))
    if wanted == "today":
        start, end = selectors.local_day(now)
        return cases.filter(Exists(_open_for_case().filter(at__gte=start, at__lt=end)))
    if wanted == "missed":
        return cases.filter(Exists(_with_due_end(_open_for_case()).filter(_missed(now))))
    return cases


def calendar_appointments(
    wave: Wave, start: datetime, end: datetime, interviewer: User | None, *, viewer: User
) -> QuerySet[Appointment]:
    cases = Case.objects.filter(interviewer_scope(viewer), wave=wave)
    if interviewer is not None:
        cases = cases.filter(interviewer=interviewer)
    return selectors.appointments_between(cases, start, end)


def community_progress(wave: Wave) -> list[dict]:
    """Per community of the wave's cases: name, coordinates, street, cases and completes.

    Counted per community id, then named in a second query: grouping 20,000 cases by names
    across three joins took 120 ms, by one integer 20.
    """
    counts = (
        Case.objects.filter(wave=wave)
        .values("unit__locality_id")
        .annotate(total=Count("id"), completed=Count("id", filter=Q(status=Case.Status.COMPLETED)))
    )
    by_id = {row["unit__locality_id"]: row for row in counts}
    places = Locality.objects.filter(pk__in=by_id).values(
        "id", "name", "latitude", "longitude", street_name=F("parent__name")
    )
    rows = [
        {
            "name": place["name"],
            "latitude": place["latitude"],
            "longitude": place["longitude"],
            "street_name": place["street_name"] or "",
            "total": by_id[place["id"]]["total"],
            "completed": by_id[place["id"]]["completed"],
        }
        for place in places
    ]
    return sorted(rows, key=lambda row: (row["street_name"], row["name"]))


def productivity_frames(
    wave: Wave, since: datetime | None = None, interviewer: User | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, str]]:
    """(attempts, completed interviews, {interviewer id: name}) for fieldwork.productivity."""
    attempts = ContactAttempt.objects.filter(case__wave=wave)
    interviews = Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
    if since is not None:
        attempts = attempts.filter(started_at__gte=since)
        interviews = interviews.filter(completed_at__gte=since)
    if interviewer is not None:
        attempts = attempts.filter(interviewer=interviewer)
        interviews = interviews.filter(interviewer=interviewer)
    attempt_frame = pd.DataFrame.from_records(
        attempts.values_list("interviewer_id", "started_at", "disposition"),
        columns=["interviewer", "started_at", "disposition"],
    )
    interview_frame = pd.DataFrame.from_records(
        interviews.values_list("interviewer_id", "completed_at", "duration_seconds"),
        columns=["interviewer", "completed_at", "duration_seconds"],
    )
    interview_frame["duration_seconds"] = interview_frame["duration_seconds"].astype(float)
    ids = set(attempt_frame["interviewer"]) | set(interview_frame["interviewer"])
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=ids)}
    return attempt_frame, interview_frame, names
