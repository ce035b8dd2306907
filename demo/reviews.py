"""The review decisions of a simulated demo round, as supervisors and the QC lead take them.

The routine decisions are written as history in bulk (_decide_in_bulk), with the same state
changes and audit events qc.services writes; a running round's decisions on flagged
interviews go through qc.services one by one.
"""

from datetime import datetime

import numpy as np
from django.db import transaction

from accounts.models import User
from fieldwork.models import Wave
from qc import workflow
from qc.models import Flag, Review, ReviewEvent
from qc.services import reviews as qc

CONFIRMED = "回访核实：受访者确认参与了访问。"
VOIDED = "听录音发现访员未逐题读题，作废。"
AGREED = "同意作废。"
WAITING_SHARE = 0.05  # of a running round's clean interviews: proposals the lead has not reached


def review_round(
    *, rng: np.random.Generator, wave: Wave, users: dict, finished: bool, at: datetime
) -> None:
    """Both review steps, as the people would have taken them by `at`: the supervisor
    proposes approval of the clean interviews and decides on flagged ones; the QC lead (an
    analyst) confirms. In a finished round every interview is decided; in a running one half
    the flagged are still undecided and the newest proposals wait for the lead.

    The routine decisions (every clean interview; all of a finished round) are written as
    history in a few queries each (_decide_in_bulk); a running round's decisions on flagged
    interviews go through qc.services one by one, as a supervisor's would.
    """
    supervisor, lead = users["supervisor"], users["analyst"]
    reviews = Review.objects.filter(interview__case__wave=wave).order_by("id")
    clean = list(reviews.filter(state=Review.State.CLEAN))
    flagged = list(reviews.filter(state=Review.State.FLAGGED))
    draws = rng.random(len(flagged))
    if finished:
        confirmed = [r for r, d in zip(flagged, draws, strict=True) if d < 0.6]
        voided = [r for r, d in zip(flagged, draws, strict=True) if d >= 0.6]
        waiting = 0
    else:
        confirmed, voided = [], []
        waiting = int(len(clean) * WAITING_SHARE)
    with transaction.atomic():
        for group, to_state, reason in (
            (clean, Review.State.PROPOSED_APPROVE, ""),
            (confirmed, Review.State.PROPOSED_APPROVE, CONFIRMED),
            (voided, Review.State.PROPOSED_REJECT, VOIDED),
        ):
            _decide_in_bulk(group, to_state=to_state, user=supervisor, reason=reason, at=at)
        for group, to_state, reason in (
            (clean[: len(clean) - waiting] + confirmed, Review.State.APPROVED, ""),
            (voided, Review.State.REJECTED, AGREED),
        ):
            _decide_in_bulk(group, to_state=to_state, user=lead, reason=reason, at=at)
        if finished:
            return
        for review, draw in zip(flagged, draws, strict=True):
            if draw < 0.3:
                qc.approve_interview(review=review, user=supervisor, reason=CONFIRMED)
                qc.approve_interview(review=review, user=lead)
            elif draw < 0.5:
                qc.reject_interview(review=review, user=supervisor, reason=VOIDED)
                qc.reject_interview(review=review, user=lead, reason=AGREED)


def _decide_in_bulk(
    reviews: list[Review], *, to_state: str, user: User, reason: str, at: datetime
) -> None:
    """Move many reviews to `to_state` by `user` at `at`, with the state, who/when columns
    and audit events qc.services would write, in a few queries per 500 reviews.

    For loading a demo's past decisions fast (a decision through qc.services takes about
    eight queries). Every move is checked against qc.workflow; `user` is never one of the
    interviewers, and the lead never confirms their own proposal (different people).
    """
    if not reviews:
        return
    # One step for all: the supervisor's on undecided reviews, or the lead's on proposals.
    actor = workflow.REVIEWER if reviews[0].state in workflow.UNDECIDED else workflow.LEAD
    for start in range(0, len(reviews), 500):
        chunk = reviews[start : start + 500]
        rules: dict[int, list[dict]] = {}
        flags = Flag.objects.filter(interview_id__in=[r.interview_id for r in chunk])
        for flag in flags.order_by("created_at", "id"):
            rules.setdefault(flag.interview_id, []).append(
                {
                    "rule": flag.rule,
                    "severity": flag.severity,
                    "reason": flag.reason,
                    "reason_en": flag.reason_en,
                    "details": flag.details,
                }
            )
        events = []
        for review in chunk:
            if not workflow.allowed(review.state, to_state, actor):
                raise ValueError(f"demo review {review.pk}: {review.state} → {to_state}")
            events.append(
                ReviewEvent(
                    review=review,
                    from_state=review.state,
                    to_state=to_state,
                    actor=user,
                    reason=reason,
                    rules=rules.get(review.interview_id, []),
                )
            )
            review.state, review.reason = to_state, reason
        who = (
            {"proposed_by": user, "proposed_at": at}
            if actor == workflow.REVIEWER
            else {"decided_by": user, "decided_at": at}
        )
        Review.objects.filter(pk__in=[review.pk for review in chunk]).update(
            state=to_state, reason=reason, **who
        )
        created = ReviewEvent.objects.bulk_create(events)
        # `at` is set on creation; these decisions were taken at `at`.
        ReviewEvent.objects.filter(pk__in=[event.pk for event in created]).update(at=at)
