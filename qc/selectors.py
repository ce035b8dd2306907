"""Reads of reviews for the pages: filtered, ordered and counted in a fixed number of queries."""

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import User
from accounts.teams import supervised_team_ids, team_rows
from fieldwork.models import Call, Interview, Wave
from fieldwork.selectors import user_names
from qc import workflow
from qc.models import BackCheck, Flag, Review, ReviewEvent
from sampling.models import Locality

# The review queue: what needs a decision first.
STATE_ORDER = [
    Review.State.FLAGGED,
    Review.State.CLEAN,
    Review.State.PROPOSED_REJECT,
    Review.State.PROPOSED_APPROVE,
    Review.State.RETURNED,
    Review.State.REJECTED,
    Review.State.APPROVED,
]


def _flags() -> Prefetch:
    # a flag's details (the figures its reason states) are kept for the record, not shown
    flags = Flag.objects.defer("details").order_by("created_at", "id")
    return Prefetch("interview__flags", queryset=flags)


def visible_reviews(viewer: User) -> QuerySet[Review]:
    """Reviews of the interviews the viewer supervises (a supervisor: their team's)."""
    return Review.objects.filter(team_rows(viewer, "interview__interviewer"))


def filtered_reviews(
    *,
    viewer: User,
    wave: Wave | None = None,
    interviewer: User | None = None,
    street: Locality | None = None,
    state: str = "",
    rule: str = "",
    severity: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Review]:
    """Reviews matching the filters (each optional), unordered and without related rows.

    `rule`/`severity`: interviews with at least one such flag. Dates are local days of
    completion (settings.TIME_ZONE), both ends included.
    """
    reviews = visible_reviews(viewer)
    if wave is not None:
        reviews = reviews.filter(interview__case__wave=wave)
    if interviewer is not None:
        reviews = reviews.filter(interview__interviewer=interviewer)
    if street is not None:
        reviews = reviews.filter(interview__street=street)
    if state:
        reviews = reviews.filter(state=state)
    if rule or severity:
        flags = Flag.objects.filter(interview=OuterRef("interview"))
        if rule:
            flags = flags.filter(rule=rule)
        if severity:
            flags = flags.filter(severity=severity)
        reviews = reviews.filter(Exists(flags))
    zone = timezone.get_default_timezone()
    if date_from is not None:
        start = datetime.combine(date_from, time.min, tzinfo=zone)
        reviews = reviews.filter(interview__completed_at__gte=start)
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        reviews = reviews.filter(interview__completed_at__lt=end)
    return reviews


def review_queue(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Flagged first, then clean, rejected, approved; newest completion first within a state.

    Loads the interview, its interviewer and street with each row and the flags in one more
    query, whatever the page size.
    """
    return _in_queue_order(
        reviews.select_related("interview__interviewer", "interview__street", "proposed_by")
        .defer(*Interview.bulky("interview"))
        .prefetch_related(_flags())
    )


def _in_queue_order(reviews: QuerySet[Review]) -> QuerySet[Review]:
    state_rank = Case(
        *(When(state=state, then=Value(rank)) for rank, state in enumerate(STATE_ORDER)),
        default=Value(len(STATE_ORDER)),
        output_field=IntegerField(),
    )
    return reviews.annotate(state_rank=state_rank).order_by(
        "state_rank", "-interview__completed_at", "-id"
    )


class QueueRow(NamedTuple):
    """A review as the review queue's download lists it."""

    interview_id: int
    interviewer: str  # as the pages name a person (str(User))
    district: str | None
    street: str | None
    mode: str
    completed_at: datetime | None
    duration_seconds: int | None
    state: str
    flags: list[dict]  # {"rule", "severity"} of each flag, oldest first (as an event keeps them)
    reason: str
    reason_en: str


def queue_rows(reviews: QuerySet[Review]) -> list[QueueRow]:
    """`reviews` (filtered_reviews) in the queue's order as plain rows with their flags:
    three queries (the reviews, their interviewers, their flags) whatever their number."""
    rows = _named(
        _in_queue_order(reviews).values_list(
            "interview_id",
            "interview__interviewer_id",
            "interview__district__name",
            "interview__street__name",
            "interview__mode",
            "interview__completed_at",
            "interview__duration_seconds",
            "state",
            "reason",
            "reason_en",
        ),
        at=1,
    )
    flags: dict[int, list] = {}
    found = Flag.objects.filter(interview__in=reviews.values("interview"))
    found = found.order_by("created_at", "id")
    for interview, rule, severity in found.values_list("interview_id", "rule", "severity"):
        flags.setdefault(interview, []).append({"rule": rule, "severity": severity})
    return [QueueRow(*row[:8], flags.get(row[0], []), *row[8:]) for row in rows]


def state_counts(reviews: QuerySet[Review]) -> dict[str, int]:
    """state -> number of reviews, every state present (0 when none), in one query."""
    counts = dict.fromkeys(STATE_ORDER, 0)
    for row in reviews.order_by().values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts


def review_for_detail(*, interview_id: int, viewer: User) -> Review:
    """The review of one interview the viewer supervises, with everything its page shows;
    raises Review.DoesNotExist (also for another team's)."""
    return (
        visible_reviews(viewer)
        .select_related(
            "decided_by",
            "proposed_by",
            "interview__interviewer",
            "interview__street",
            "interview__district",
            "interview__community",
            "interview__questionnaire_version",
            "interview__case__wave",
            "interview__case__unit",
        )
        .prefetch_related(_flags())
        .get(interview_id=interview_id)
    )


def review_history(review: Review) -> QuerySet[ReviewEvent]:
    return review.events.select_related("actor").order_by("at", "id")


class FlagRow(NamedTuple):
    """A flag with what the QC dashboard counts and the QC export shows of it."""

    interview_id: int
    interviewer: str  # as the pages name a person (str(User))
    district: str | None  # the names of the places the respondent named
    street: str | None
    completed_at: datetime | None
    state: str | None  # the interview's review state now
    rule: str
    severity: str
    reason: str
    reason_en: str
    created_at: datetime


def wave_flag_rows(wave: Wave, viewer: User) -> list[FlagRow]:
    """The wave's flags the viewer may see (a team's supervisor: their team's), oldest first
    per interview in interview order: two queries (the flags, their interviewers) whatever
    their number, and no model object per flag."""
    rows = Flag.objects.filter(
        team_rows(viewer, "interview__interviewer"), interview__case__wave=wave
    ).order_by("interview_id", "created_at", "id")
    return [
        FlagRow(*row)
        for row in _named(
            rows.values_list(
                "interview_id",
                "interview__interviewer_id",
                "interview__district__name",
                "interview__street__name",
                "interview__completed_at",
                "interview__review__state",
                "rule",
                "severity",
                "reason",
                "reason_en",
                "created_at",
            ),
            at=1,
        )
    ]


def dashboard_reviews(wave: Wave, viewer: User) -> list[tuple[str, datetime | None]]:
    """(state, completed_at of its interview) of each of the wave's reviews the viewer may
    see: one query."""
    reviews = visible_reviews(viewer).filter(interview__case__wave=wave)
    return list(reviews.values_list("state", "interview__completed_at"))


class EventRow(NamedTuple):
    """A review event as the QC export shows it."""

    interview_id: int
    at: datetime
    from_state: str
    to_state: str
    actor: str | None  # None: the automatic checks
    reason: str
    reason_en: str
    rules: list  # [{"rule", "severity"}, ...] the decision was taken on


def event_rows(wave: Wave, viewer: User) -> list[EventRow]:
    """Every review event of the wave's interviews the viewer may see, in order: two queries
    (the events, their actors), and no model object per event."""
    rows = ReviewEvent.objects.filter(
        team_rows(viewer, "review__interview__interviewer"), review__interview__case__wave=wave
    ).order_by("at", "id")
    return [
        EventRow(*row)
        for row in _named(
            rows.values_list(
                "review__interview_id",
                "at",
                "from_state",
                "to_state",
                "actor_id",
                "reason",
                "reason_en",
                "rules",
            ),
            at=4,
        )
    ]


def _named(rows, *, at: int) -> list[tuple]:
    """The rows with the user id in place `at` replaced by the person's name as the pages
    show it (fieldwork.selectors.user_names); no user stays None."""
    rows = list(rows)
    names = user_names(row[at] for row in rows)
    return [(*row[:at], names.get(row[at]), *row[at + 1 :]) for row in rows]


def _checked_of(viewer: User) -> Q:
    """Back-checks of the interviewers the viewer supervises (accounts.teams), each by whom
    it checked: who had done the interview when it was drawn, else its interviewer."""
    if supervised_team_ids(viewer) is None:
        return Q()
    drawn = team_rows(viewer, "interviewer")
    return drawn | (Q(interviewer=None) & team_rows(viewer, "interview__interviewer"))


def wave_backchecks(wave: Wave, viewer: User) -> QuerySet[BackCheck]:
    """The back-checks of the wave's interviews the viewer may see, newest draw first."""
    return (
        BackCheck.objects.filter(_checked_of(viewer), interview__case__wave=wave)
        .select_related("interview__interviewer", "interviewer", "assigned_to", "draw")
        .defer("answers", "discrepancies", *Interview.bulky("interview"))  # the lists show neither
        .order_by("-draw__created_at", "interview_id", "round")
    )


def my_backchecks(user: User) -> QuerySet[BackCheck]:
    """An interviewer's back-checks to do first, then done ones; with the unit for the phone."""
    return (
        BackCheck.objects.filter(assigned_to=user)
        .select_related("interview__case__unit", "interview__case__wave", "interview__street")
        .order_by("state", "interview_id")
    )


def backcheck_for(*, interview_id: int, user: User) -> BackCheck:
    """The user's own (latest) back-check of an interview; raises BackCheck.DoesNotExist
    otherwise."""
    found = (
        my_backchecks(user)
        .select_related("interview__questionnaire_version")
        .filter(interview_id=interview_id)
        .order_by("-round")
        .first()
    )
    if found is None:
        raise BackCheck.DoesNotExist
    return found


def review_parties(review: Review) -> dict[str, frozenset[int]]:
    """The people of the review's current round (qc.workflow.round_parties), from its events."""
    events = ReviewEvent.objects.filter(review_id=review.pk).order_by("at", "id")
    return workflow.round_parties(
        events.values_list("from_state", "to_state", "actor_id"),
        interviewer=review.interview.interviewer_id,
    )


def flags_by_interviewer(interviews: QuerySet[Interview]) -> dict[int, int]:
    """{interviewer id: flags raised on their interviews among `interviews`}."""
    rows = (
        Flag.objects.filter(interview__in=interviews)
        .values("interview__interviewer_id")
        .annotate(n=Count("id"))
    )
    return {row["interview__interviewer_id"]: row["n"] for row in rows}


def last_backcheck_call(backcheck: BackCheck) -> Call | None:
    """The checker's latest call for this back-check."""
    return (
        Call.objects.filter(
            case_id=backcheck.interview.case_id,
            interviewer_id=backcheck.assigned_to_id,
            purpose=Call.Purpose.BACKCHECK,
        )
        .order_by("-created_at")
        .first()
    )
