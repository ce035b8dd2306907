"""Reads for fieldwork pages, with the access rules built in."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from fieldwork.models import Case, Interview, Wave


def visible_cases(user: User) -> QuerySet[Case]:
    """An interviewer sees only their own cases; supervisors and analysts see all."""
    cases = Case.objects.select_related("wave", "unit", "street", "interviewer")
    if user.role == Role.INTERVIEWER:
        return cases.filter(interviewer=user)
    if user.role in (Role.SUPERVISOR, Role.ANALYST):
        return cases
    return cases.none()


def case_for(user: User, case_id: int) -> Case:
    return get_object_or_404(visible_cases(user), pk=case_id)


def interview_for_interviewer(user: User, interview_id: int) -> Interview:
    """Only the interviewer who owns the case may take its interview."""
    return get_object_or_404(
        Interview.objects.select_related(
            "case__wave",
            "case__unit__locality",
            "case__street__parent",
            "questionnaire_version",
        ),
        pk=interview_id,
        case__interviewer=user,
    )


def wave_progress(wave: Wave) -> dict:
    counts = Case.objects.filter(wave=wave).aggregate(
        total=Count("id"),
        assigned=Count("id", filter=~Q(interviewer=None)),
        pending=Count("id", filter=Q(status=Case.Status.PENDING)),
        in_progress=Count("id", filter=Q(status=Case.Status.IN_PROGRESS)),
        completed=Count("id", filter=Q(status=Case.Status.COMPLETED)),
        closed=Count("id", filter=Q(status=Case.Status.CLOSED)),
    )
    return counts


def progress_by(wave: Wave, field: str, label_field: str) -> list[dict]:
    """Case counts per street or per interviewer."""
    rows = (
        Case.objects.filter(wave=wave)
        .values(field, label_field)
        .annotate(
            total=Count("id"),
            completed=Count("id", filter=Q(status=Case.Status.COMPLETED)),
            closed=Count("id", filter=Q(status=Case.Status.CLOSED)),
            in_progress=Count("id", filter=Q(status=Case.Status.IN_PROGRESS)),
        )
        .order_by(label_field)
    )
    return [
        {
            "label": row[label_field] or "—",
            "total": row["total"],
            "completed": row["completed"],
            "closed": row["closed"],
            "in_progress": row["in_progress"],
            "share_completed": 100.0 * row["completed"] / row["total"] if row["total"] else 0.0,
        }
        for row in rows
    ]
