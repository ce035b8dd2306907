"""Quality-control use-cases: the automatic checks and supervisors' decisions on reviews.

A completed interview gets a Review: "flagged" when an automatic rule fired (one Flag per
rule, with its reason), else "clean". A supervisor or analyst then approves or rejects it, and
may change that decision later. Every change of state writes a ReviewEvent (who, when, why).

Stored texts (flag reasons, the automatic events' reasons) are written in the language of
settings.LANGUAGE_CODE, whoever triggered the check: they are records, like the review
history, and must not depend on the language of the request that happened to run them.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from fieldwork.models import Interview
from qc import frames, rules
from qc.models import Flag, Review, ReviewEvent

AUTOMATIC_RULES = rules.RULES  # flags these rules raise are replaced on every re-check
UNDECIDED = (Review.State.CLEAN, Review.State.FLAGGED)
DECIDERS = (Role.SUPERVISOR, Role.ANALYST)
_CHUNK = 500  # ids per IN (...) list: far below every backend's parameter limit


def default_config() -> rules.RuleConfig:
    """The rule thresholds in force. One place to make them configurable per wave later."""
    return rules.RuleConfig()


def _stored_reason_column() -> str:
    return "reason" if settings.LANGUAGE_CODE.lower().startswith("zh") else "reason_en"


def _passed_reason() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Automatic checks passed")


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _fired(frame: frames.InterviewsFrame, config: rules.RuleConfig) -> dict[int, dict[str, str]]:
    """interview id -> {rule: reason} for the rules that fired, in the order of RULES."""
    result = rules.run_rules(
        frame.df,
        items=frame.items,
        excluded_codes=frame.excluded_codes,
        config=config,
        code_labels=frame.code_labels,
    )
    fired: dict[int, dict[str, str]] = defaultdict(dict)
    column = _stored_reason_column()
    for interview_id, rule, reason in zip(
        result.index, result["rule"], result[column], strict=True
    ):
        fired[int(interview_id)][rule] = reason
    return fired


def _apply_checks(interview_ids: list[int], fired: dict[int, dict[str, str]]) -> dict[int, Review]:
    """Write the automatic outcome for these interviews with a fixed number of queries.

    Flags of AUTOMATIC_RULES are replaced only where they changed. An undecided review follows
    the flags (clean/flagged) with an event when its state or its flags changed; a decided
    review keeps its decision (its flags are still refreshed, for the reviewer to see).
    """
    reviews: dict[int, Review] = {}
    old_flags: dict[int, dict[str, str]] = defaultdict(dict)
    for chunk in _chunks(interview_ids):
        # Locked so that a supervisor's decision cannot be overwritten by a concurrent check.
        for review in Review.objects.select_for_update().filter(interview_id__in=chunk):
            reviews[review.interview_id] = review
        flags = Flag.objects.filter(interview_id__in=chunk, rule__in=AUTOMATIC_RULES)
        for interview_id, rule, reason in flags.values_list("interview_id", "rule", "reason"):
            old_flags[interview_id][rule] = reason

    passed = _passed_reason()
    changed_flags: list[int] = []
    new_flags: list[Flag] = []
    new_reviews: list[Review] = []
    new_review_reasons: list[str] = []
    updated_reviews: list[Review] = []
    events: list[ReviewEvent] = []
    for interview_id in interview_ids:
        flags = fired.get(interview_id, {})
        flags_changed = flags != old_flags.get(interview_id, {})
        if flags_changed:
            changed_flags.append(interview_id)
            new_flags.extend(
                Flag(interview_id=interview_id, rule=rule, reason=reason)
                for rule, reason in flags.items()
            )
        state = Review.State.FLAGGED if flags else Review.State.CLEAN
        reason = "; ".join(flags.values()) or passed
        review = reviews.get(interview_id)
        if review is None:
            review = Review(interview_id=interview_id, state=state)
            reviews[interview_id] = review
            new_reviews.append(review)
            new_review_reasons.append(reason)
        elif review.state in UNDECIDED and (review.state != state or flags_changed):
            events.append(
                ReviewEvent(review=review, from_state=review.state, to_state=state, reason=reason)
            )
            review.state = state
            updated_reviews.append(review)

    for chunk in _chunks(changed_flags):
        Flag.objects.filter(interview_id__in=chunk, rule__in=AUTOMATIC_RULES).delete()
    Flag.objects.bulk_create(new_flags, batch_size=_CHUNK)
    # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35; the events need them.
    Review.objects.bulk_create(new_reviews, batch_size=_CHUNK)
    events.extend(
        ReviewEvent(review=review, from_state="", to_state=review.state, reason=reason)
        for review, reason in zip(new_reviews, new_review_reasons, strict=True)
    )
    Review.objects.bulk_update(updated_reviews, ["state"], batch_size=_CHUNK)
    ReviewEvent.objects.bulk_create(events, batch_size=_CHUNK)
    return reviews


@transaction.atomic
def check_completed_interview(
    interview: Interview, *, config: rules.RuleConfig | None = None
) -> Review:
    """Run the automatic rules on one completed interview and record the outcome.

    Called by fieldwork (settings.INTERVIEW_COMPLETED_HANDLERS) inside the transaction that
    completes the interview, with the interview as saved there. Idempotent: running it again
    without a change in the answers writes nothing.
    """
    if interview.status != Interview.Status.COMPLETED:
        raise ValueError(
            f"Interview {interview.pk} is not completed: only completed ones are checked."
        )
    frame = frames.interview_frame(interview)
    fired = _fired(frame, config or default_config())
    return _apply_checks([interview.pk], fired)[interview.pk]


@transaction.atomic
def check_interviews(
    *, interviews: QuerySet[Interview], config: rules.RuleConfig | None = None
) -> int:
    """Run the automatic rules on the completed interviews of a queryset; return how many.

    The same outcome as check_completed_interview on each, in a number of queries that does
    not grow with the number of interviews (except one per 500). `interviews` must not be
    sliced.
    """
    frame = frames.interviews_frame(interviews.filter(status=Interview.Status.COMPLETED))
    interview_ids = [int(interview_id) for interview_id in frame.df.index]
    if not interview_ids:
        return 0
    fired = _fired(frame, config or default_config())
    _apply_checks(interview_ids, fired)
    return len(interview_ids)


def _decide(*, review: Review, user: User, state: str, reason: str) -> Review:
    if user.role not in DECIDERS:
        raise PermissionDenied(_("Only supervisors and analysts may decide on interviews."))
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.state == state:
        raise ValidationError(
            _("This interview is already %(state)s.") % {"state": locked.get_state_display()},
            code="unchanged",
        )
    from_state = locked.state
    locked.state = state
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.reason = reason
    locked.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    ReviewEvent.objects.create(
        review=locked, from_state=from_state, to_state=state, actor=user, reason=reason
    )
    for field in ("state", "decided_by", "decided_at", "reason"):
        setattr(review, field, getattr(locked, field))
    return locked


@transaction.atomic
def approve_interview(*, review: Review, user: User, reason: str = "") -> Review:
    """A supervisor or analyst accepts the interview for scoring (possibly overturning a
    rejection)."""
    return _decide(review=review, user=user, state=Review.State.APPROVED, reason=reason.strip())


@transaction.atomic
def reject_interview(*, review: Review, user: User, reason: str) -> Review:
    """A supervisor or analyst excludes the interview from scoring; the reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for the rejection."), code="required")
    return _decide(review=review, user=user, state=Review.State.REJECTED, reason=reason)
