"""Reads for fieldwork pages, with the access rules built in."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from django.db.models import Count, F, Func, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from accounts.teams import team_rows
from fieldwork import loaders, rates, reactions, scheduling
from fieldwork.models import (
    Appointment,
    Case,
    ContactAttempt,
    Interview,
    PhoneReveal,
    RespondentSelection,
    Wave,
)
from questionnaires.models import QuestionnaireVersion
from sampling.models import SampledUnit


def visible_cases(user: User) -> QuerySet[Case]:
    """An interviewer sees only their own cases; a supervisor their team's and the pool
    (accounts.teams); analysts all."""
    cases = Case.objects.select_related("wave", "unit", "street", "interviewer")
    if user.role == Role.INTERVIEWER:
        return cases.filter(interviewer=user)
    if user.role in (Role.SUPERVISOR, Role.ANALYST):
        return cases.filter(team_rows(user, "interviewer", pool=True))
    return cases.none()


def case_for(user: User, case_id: int) -> Case:
    return get_object_or_404(visible_cases(user), pk=case_id)


def with_open_appointment(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with its open appointment's time, kind and window end (None without one)."""
    open_ones = Appointment.objects.filter(case=OuterRef("pk"), closed_at=None).order_by("at")
    return cases.annotate(
        appointment_at=Subquery(open_ones.values("at")[:1]),
        appointment_kind=Subquery(open_ones.values("kind")[:1]),
        appointment_end=Subquery(open_ones.values("window_end")[:1]),
    )


def appointments_between(
    cases: QuerySet[Case], start: datetime, end: datetime
) -> QuerySet[Appointment]:
    """Open appointments of `cases` from `start` to `end`, earliest first, with their case."""
    return (
        Appointment.objects.filter(case__in=cases, closed_at=None, at__gte=start, at__lt=end)
        .select_related("case__street", "case__interviewer", "created_by")
        .order_by("at", "id")
    )


def open_appointments_until(cases: QuerySet[Case], end: datetime) -> QuerySet[Appointment]:
    """Every open appointment of `cases` before `end`, however long ago it was missed."""
    return (
        Appointment.objects.filter(case__in=cases, closed_at=None, at__lt=end)
        .select_related("case__street", "case__interviewer", "created_by")
        .order_by("at", "id")
    )


# Read per page only when needed: the definition comes from questionnaires.definitions' cache.
VERSION_BULK = [
    f"questionnaire_version__{field}" for field in ("definition", "source_xlsx", "xform_xml")
]


def interview_for_interviewer(user: User, interview_id: int) -> Interview:
    """Only the interviewer who owns the case may take its interview. Read for every wizard
    page, with the case, its wave and street and the version: the sampled unit and the
    district are read only by the page that offers them (PostgreSQL plans a join of eight
    tables in more time than it runs it)."""
    return get_object_or_404(
        Interview.objects.select_related(
            "case__wave",
            "case__street",
            "questionnaire_version",
        ).defer(*VERSION_BULK),
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


def progress_by(
    wave: Wave, field: str, label_field: str, *, viewer: User | None = None
) -> list[dict]:
    """Case counts per street or per interviewer (of the cases `viewer` supervises)."""
    scope = team_rows(viewer, "interviewer", pool=True) if viewer is not None else Q()
    rows = (
        Case.objects.filter(scope, wave=wave)
        .values(field, label_field)
        .annotate(
            total=Count("id"),
            completed=Count("id", filter=Q(status=Case.Status.COMPLETED)),
            closed=Count("id", filter=Q(status=Case.Status.CLOSED)),
            in_progress=Count("id", filter=Q(status=Case.Status.IN_PROGRESS)),
        )
        .order_by(label_field)
    )
    names = user_names(row[field] for row in rows) if field == "interviewer_id" else {}
    return [
        {
            "label": names.get(row[field]) or row[label_field] or "—",
            "total": row["total"],
            "completed": row["completed"],
            "closed": row["closed"],
            "in_progress": row["in_progress"],
            "share_completed": 100.0 * row["completed"] / row["total"] if row["total"] else 0.0,
        }
        for row in rows
    ]


def version_rows(wave: Wave) -> list[dict]:
    """Per questionnaire version used in the wave: interviews started and completed.

    For the wave page's version table (templates/fieldwork/_versions.html); rolling a newer
    version out is services.waves.switch_wave_version.

    [{"version": "标题 v2", "number": 2, "current": bool, "started": int, "completed": int}],
    oldest version first; the wave's current version is listed even before its first interview.
    """
    counts = (
        Interview.objects.filter(case__wave=wave)
        .values("questionnaire_version")
        .annotate(
            started=Count("pk"),
            completed=Count("pk", filter=Q(status=Interview.Status.COMPLETED)),
        )
    )
    by_version = {row["questionnaire_version"]: row for row in counts}
    ids = set(by_version) | {wave.questionnaire_version_id}
    versions = QuestionnaireVersion.objects.filter(pk__in=ids).only("pk", "title", "number")
    return [
        {
            "version": str(version),
            "number": version.number,
            "current": version.pk == wave.questionnaire_version_id,
            "started": by_version.get(version.pk, {}).get("started", 0),
            "completed": by_version.get(version.pk, {}).get("completed", 0),
        }
        for version in sorted(versions, key=lambda v: v.number)
    ]


# --- supervision ---------------------------------------------------------------------------

RATE_BREAKDOWNS = {"wave": [], "street": ["street"], "interviewer": ["interviewer"], "day": ["day"]}


def rate_table(
    wave: Wave, breakdown: str, cases: pd.DataFrame | None = None, viewer: User | None = None
) -> pd.DataFrame:
    """AAPOR rates for the wave, overall or per street, interviewer or day; per interviewer,
    only the `viewer`'s interviewers (accounts.teams) and the unassigned cases.

    `cases` is loaders.disposition_frame(wave), loaded here when not given (pass it to build
    several breakdowns from one query).
    """
    cases = loaders.disposition_frame(wave) if cases is None else cases
    by = RATE_BREAKDOWNS[breakdown]
    if breakdown == "day":
        cases = cases[cases["day"] != ""]  # never-attempted cases have no day
    if breakdown == "interviewer" and viewer is not None:
        named = set(cases["interviewer"]) - {""}
        seen = User.objects.filter(team_rows(viewer, "pk"), username__in=named)
        shown = {"", *seen.values_list("username", flat=True)}
        cases = cases[cases["interviewer"].isin(shown)]
    table = rates.rate_table(cases, by=by)
    if not by:
        table.insert(0, "wave", wave.name)
    return table


def sample_status_by_street(wave: Wave) -> list[dict]:
    """Per street: fresh, callback, appointment, in progress and final case counts.

    Two grouped queries (cases; pending cases with an open appointment) rather than an
    EXISTS per case inside every count: 20 ms instead of 400 on a 20,000-case wave.
    """
    pending = Q(status=Case.Status.PENDING)
    rows = (
        Case.objects.filter(wave=wave)
        .values("street__name")
        .annotate(
            fresh=Count("id", filter=pending & Q(attempts=0)),
            callback=Count("id", filter=pending & Q(attempts__gt=0)),
            in_progress=Count("id", filter=Q(status=Case.Status.IN_PROGRESS)),
            final=Count("id", filter=Q(status__in=[Case.Status.COMPLETED, Case.Status.CLOSED])),
        )
        .order_by("street__name")
    )
    booked = {
        row["case__street__name"]: row
        for row in Appointment.objects.filter(
            case__wave=wave, closed_at=None, case__status=Case.Status.PENDING
        )
        .values("case__street__name")
        .annotate(
            untried=Count("case", distinct=True, filter=Q(case__attempts=0)),
            tried=Count("case", distinct=True, filter=Q(case__attempts__gt=0)),
        )
    }
    result = []
    for row in rows:
        street = row.pop("street__name")
        held = booked.get(street, {"untried": 0, "tried": 0})
        result.append(
            {
                "street": street,
                "fresh": row["fresh"] - held["untried"],
                "callback": row["callback"] - held["tried"],
                "appointment": held["untried"] + held["tried"],
                "in_progress": row["in_progress"],
                "final": row["final"],
            }
        )
    return result


def unreleased_replicates(wave: Wave) -> list[dict]:
    """Reserve replicates of the wave's draw with units not yet turned into cases."""
    if wave.draw_id is None:
        return []
    return list(
        SampledUnit.objects.filter(draw_id=wave.draw_id)
        .exclude(cases__wave=wave)
        .values("replicate")
        .annotate(units=Count("id"))
        .order_by("replicate")
    )


def open_work(wave: Wave, viewer: User) -> list[dict]:
    """Who of the viewer's interviewers (accounts.teams) is on which case now: attempts
    (calls, visits, interviews) not yet ended."""
    attempts = (
        ContactAttempt.objects.filter(
            team_rows(viewer, "interviewer"), case__wave=wave, ended_at=None
        )
        .select_related("interviewer", "case__street")
        .order_by("started_at")
    )
    return [
        {
            "interviewer": str(attempt.interviewer),
            "case_id": attempt.case_id,
            "street": attempt.case.street.name,
            "started_at": attempt.started_at,
            "interviewing": attempt.case.status == Case.Status.IN_PROGRESS,
        }
        for attempt in attempts
    ]


def interviewer_pace(
    wave: Wave, now: datetime, viewer: User, tz: str = scheduling.LOCAL_TZ
) -> list[dict]:
    """Per interviewer of the viewer's (accounts.teams) today (local day): attempts and
    completes, and each per hour worked.

    Hours worked run from the interviewer's first attempt today to now (at least a quarter
    hour, so the first minutes of a shift do not show absurd paces).
    """
    local = now.astimezone(ZoneInfo(tz))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = (
        ContactAttempt.objects.filter(
            team_rows(viewer, "interviewer"),
            case__wave=wave,
            started_at__gte=midnight,
            started_at__lte=now,
        )
        .values("interviewer_id")
        .annotate(attempts=Count("id"), first=Min("started_at"))
    )
    completes = dict(
        Interview.objects.filter(
            team_rows(viewer, "interviewer"),
            case__wave=wave,
            status=Interview.Status.COMPLETED,
            completed_at__gte=midnight,
            completed_at__lte=now,
        )
        .values("interviewer_id")
        .annotate(n=Count("id"))
        .values_list("interviewer_id", "n")
    )
    names = user_names({row["interviewer_id"] for row in rows})
    result = []
    for row in rows:
        hours = max((now - row["first"]).total_seconds() / 3600, 0.25)
        done = completes.get(row["interviewer_id"], 0)
        result.append(
            {
                "interviewer": names.get(row["interviewer_id"], "—"),
                "attempts": row["attempts"],
                "completes": done,
                "attempts_per_hour": row["attempts"] / hours,
                "completes_per_hour": done / hours,
            }
        )
    return sorted(result, key=lambda row: row["interviewer"])


def user_names(ids) -> dict[int, str]:
    """{user id: name as every table shows it (User.__str__: full name, else login)}."""
    return {user.pk: str(user) for user in User.objects.filter(pk__in=set(ids) - {None})}


def interview_voided(case: Case) -> bool:
    """Whether the case's completed interview was voided by a later stage (qc: finally
    rejected): the case is then no complete for the rates (fieldwork.loaders)."""
    completed = Interview.objects.filter(case=case, status=Interview.Status.COMPLETED)
    return completed.exists() and not reactions.without_voided(completed).exists()


def phone_reveals(case: Case) -> QuerySet[PhoneReveal]:
    """Who was shown the case's full number and when (manual-dial mode), newest first."""
    return case.phone_reveals.select_related("interviewer").order_by("-revealed_at")


def phone_reveals_by_interviewer(wave: Wave, viewer: User) -> list[dict]:
    """Per interviewer of the viewer's (accounts.teams): how many full numbers were shown in
    the wave, of how many cases, and the last time. Many more than the cases worked is worth
    a supervisor's question."""
    rows = (
        PhoneReveal.objects.filter(team_rows(viewer, "interviewer"), case__wave=wave)
        .values("interviewer_id")
        .annotate(shown=Count("id"), cases=Count("case_id", distinct=True), last=Max("revealed_at"))
        .order_by("-shown", "interviewer_id")
    )
    names = user_names(row["interviewer_id"] for row in rows)
    return [
        {
            "interviewer": names.get(row["interviewer_id"], "—"),
            "shown": row["shown"],
            "cases": row["cases"],
            "last": row["last"],
        }
        for row in rows
    ]


def local_day(now: datetime, tz: str = scheduling.LOCAL_TZ) -> tuple[datetime, datetime]:
    """The local calendar day around `now`: [midnight, next midnight)."""
    local = now.astimezone(ZoneInfo(tz))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def interviewer_today(user: User, start: datetime, now: datetime) -> dict:
    """The interviewer's own day so far: attempts, completes, and the target of their waves,
    counted in one query (My cases, the case page and their minute's poll ask for it)."""
    attempts = ContactAttempt.objects.filter(
        interviewer=OuterRef("pk"), started_at__gte=start, started_at__lte=now
    )
    completes = Interview.objects.filter(
        interviewer=OuterRef("pk"),
        status=Interview.Status.COMPLETED,
        completed_at__gte=start,
        completed_at__lte=now,
    )
    targets = Wave.objects.filter(
        status=Wave.Status.FIELDWORK, cases__interviewer=OuterRef("pk")
    ).exclude(daily_target=None)
    attempts, completes, target = (
        User.objects.filter(pk=user.pk)
        .annotate(
            attempts=_scalar(attempts, Func(F("pk"), function="COUNT")),
            completes=_scalar(completes, Func(F("pk"), function="COUNT")),
            target=_scalar(targets, Func(F("daily_target"), function="MAX")),
        )
        .values_list("attempts", "completes", "target")
        .get()
    )
    return {
        "attempts": attempts,
        "completes": completes,
        "target": target,
        "share": round(100 * completes / target) if target else None,
    }


def _scalar(rows: QuerySet, aggregate: Func) -> Subquery:
    """One aggregate over `rows` as a scalar subquery (no GROUP BY: one row, even of none)."""
    return Subquery(rows.order_by().annotate(value=aggregate).values("value")[:1])


def latest_selection(case: Case) -> RespondentSelection | None:
    """The case's most recent respondent selection: the household member its door-to-door
    interview is to be taken with."""
    return RespondentSelection.objects.filter(case=case).order_by("-created_at", "-id").first()
