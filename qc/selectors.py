"""Reads of reviews for the pages: filtered, ordered and counted in a fixed number of queries."""

from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When

from accounts.models import User
from fieldwork.models import Wave
from qc.models import Flag, Review, ReviewEvent
from sampling.models import Locality

# The review queue: what needs a decision first.
STATE_ORDER = [
    Review.State.FLAGGED,
    Review.State.CLEAN,
    Review.State.REJECTED,
    Review.State.APPROVED,
]


def _flags() -> Prefetch:
    return Prefetch("interview__flags", queryset=Flag.objects.order_by("created_at", "id"))


def filtered_reviews(
    *,
    wave: Wave | None = None,
    interviewer: User | None = None,
    street: Locality | None = None,
    state: str = "",
) -> QuerySet[Review]:
    """Reviews matching the filters (each optional), unordered and without related rows."""
    reviews = Review.objects.all()
    if wave is not None:
        reviews = reviews.filter(interview__case__wave=wave)
    if interviewer is not None:
        reviews = reviews.filter(interview__interviewer=interviewer)
    if street is not None:
        reviews = reviews.filter(interview__street=street)
    if state:
        reviews = reviews.filter(state=state)
    return reviews


def review_queue(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Flagged first, then clean, rejected, approved; newest completion first within a state.

    Loads the interview, its interviewer and street with each row and the flags in one more
    query, whatever the page size.
    """
    state_rank = Case(
        *(When(state=state, then=Value(rank)) for rank, state in enumerate(STATE_ORDER)),
        default=Value(len(STATE_ORDER)),
        output_field=IntegerField(),
    )
    return (
        reviews.select_related("interview__interviewer", "interview__street")
        .prefetch_related(_flags())
        .annotate(state_rank=state_rank)
        .order_by("state_rank", "-interview__completed_at", "-id")
    )


def state_counts(reviews: QuerySet[Review]) -> dict[str, int]:
    """state -> number of reviews, every state present (0 when none), in one query."""
    counts = dict.fromkeys(STATE_ORDER, 0)
    for row in reviews.order_by().values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts


def review_for_detail(*, interview_id: int) -> Review:
    """The review of one interview with everything its page shows; raises Review.DoesNotExist."""
    return (
        Review.objects.select_related(
            "decided_by",
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
