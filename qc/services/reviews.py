"""The review workflow: a completed, checked interview (Review "clean" or "flagged") goes
through two steps (qc.workflow holds the table of allowed moves):

1. a supervisor or analyst proposes approval or rejection, or returns the interview for a
   callback / re-interview (its case is reopened in fieldwork);
2. a QC lead — an analyst, other than the proposer — makes the final decision (approved or
   rejected). Only approved interviews are scored; rejected ones stop counting towards
   quotas (exclude_rejected) and their case can be re-released. A final decision may be
   reversed (with a reason) only by a lead who is neither the interviewer, nor the proposer,
   nor who made that decision; a back-check's rejection of an interview nobody proposed on
   is not approved by one lead alone (qc.workflow.refusal).

Nobody reviews an interview they took themselves. Every change of state writes a
ReviewEvent: who, when, why, and the interview's flags at that moment.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.teams import may_supervise
from audit.kinds import Kind
from audit.services import record, record_many
from fieldwork import reactions
from fieldwork.models import Case, Interview, Wave
from fieldwork.services import interviews as fieldwork
from fieldwork.services import quota_counts
from qc import selectors, workflow
from qc.access import DECIDERS, is_qc_lead
from qc.models import Flag, Review, ReviewEvent
from qc.services.checks import AUTOMATIC_RULES, Fired, rule_results

UNDECIDED = (Review.State.CLEAN, Review.State.FLAGGED)


def exclude_rejected(interviews: QuerySet[Interview]) -> QuerySet[Interview]:
    """Drop finally rejected interviews (fieldwork.reactions, for quotas)."""
    return interviews.exclude(review__state=Review.State.REJECTED)


def _current_rule_results(interview_id: int) -> list[dict]:
    flags = Flag.objects.filter(interview_id=interview_id).order_by("created_at", "id")
    return rule_results({f.rule: Fired.of(f) for f in flags})


def _state_label(state: str) -> str:
    return Review.State(state).label if state in Review.State.values else state


def _refuse_move(from_state: str, to_state: str) -> ValidationError:
    if from_state == to_state:
        return ValidationError(
            _("This interview is already %(state)s.") % {"state": _state_label(from_state)},
            code="unchanged",
        )
    return ValidationError(
        _("An interview cannot go from %(from)s to %(to)s.")
        % {"from": _state_label(from_state), "to": _state_label(to_state)},
        code="transition",
    )


def snapshot(interview: Interview) -> dict:
    """The interview as it is, for the record kept when its case is reopened."""
    return {
        "interviewer_id": interview.interviewer_id,
        "mode": interview.mode,
        "started_at": interview.started_at.isoformat() if interview.started_at else None,
        "completed_at": interview.completed_at.isoformat() if interview.completed_at else None,
        "duration_seconds": interview.duration_seconds,
        "answers": interview.answers,
        "paradata": interview.paradata,
    }


def move_review(
    *,
    review: Review,
    to_state: str,
    actor: str,
    user: User | None,
    reason: str,
    reason_en: str = "",
    snapshot: dict | None = None,
) -> Review:
    """Move one review along the workflow, checking who may, and write its event.

    `actor` is one of workflow.ACTORS; `user` is the person (None for the automatic checks
    and back-checks). `reason_en` is an automatic reason's English (`reason` its Chinese);
    a person's reason is kept as typed. The review row is locked for the change.
    """
    locked = Review.objects.select_for_update().select_related("interview").get(pk=review.pk)
    from_state = locked.state
    if not workflow.allowed(from_state, to_state, actor):
        raise _refuse_move(from_state, to_state)
    if user is not None:
        if actor == workflow.REVIEWER and user.role not in DECIDERS:
            raise PermissionDenied(_("Only supervisors and analysts may decide on interviews."))
        if actor == workflow.LEAD and not is_qc_lead(user):
            raise PermissionDenied(_("Only a QC lead may make the final decision."))
        refused = workflow.refusal(
            from_state, to_state, actor, person=user.pk, parties=selectors.review_parties(locked)
        )
        if refused:
            raise PermissionDenied(refusal_message(refused))
    reason = (reason or "").strip()
    if workflow.needs_reason(from_state, to_state) and not reason:
        raise ValidationError(_("Give a reason for this decision."), code="required")
    now = timezone.now()
    fields = ["state", "reason", "reason_en"]
    locked.state = to_state
    locked.reason, locked.reason_en = reason, reason_en.strip()
    if actor == workflow.REVIEWER:
        locked.proposed_by, locked.proposed_at = user, now
        fields += ["proposed_by", "proposed_at"]
    elif actor in (workflow.LEAD, workflow.BACKCHECK) and to_state in workflow.FINAL:
        locked.decided_by, locked.decided_at = user, now
        fields += ["decided_by", "decided_at"]
    locked.save(update_fields=fields)
    ReviewEvent.objects.create(
        review=locked,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        reason=reason,
        reason_en=locked.reason_en,
        rules=_current_rule_results(locked.interview_id),
        snapshot=snapshot,
    )
    if user is not None:
        _record_decision(locked, from_state, to_state, user)
    for field in (*fields, "proposed_by", "proposed_at", "decided_by", "decided_at"):
        setattr(review, field, getattr(locked, field))
    if Review.State.APPROVED in (from_state, to_state):  # what the results are computed from
        wave = Interview.objects.filter(pk=locked.interview_id).values_list("case__wave_id")
        reactions.results_inputs_changed(wave.get()[0])
    if Review.State.REJECTED in (from_state, to_state):  # voided, or no longer: quotas count it
        quota_counts.recount_quotas(wave=Wave.objects.get(cases__interview=locked.interview_id))
    return locked


def _record_decision(review: Review, from_state: str, to_state: str, user: User) -> None:
    """The audit log's copy of a person's step: which interview, from and to which state."""
    interview = review.interview
    wave_id, household = (
        Case.objects.filter(pk=interview.case_id).values_list("wave_id", "unit__unit_id").get()
    )
    record(
        Kind.REVIEW_DECIDED,
        actor=user,
        wave=wave_id,
        subject=household,
        detail={
            "interview": interview.pk,
            "from": str(Review.State(from_state).label),
            "to": str(Review.State(to_state).label),
            "reason": review.reason,
        },
    )


def refusal_message(code: str) -> str:
    """The message of a qc.workflow.refusal code."""
    return {
        workflow.OWN_INTERVIEW: _("Nobody may review an interview they took themselves."),
        workflow.OWN_PROPOSAL: _(
            "The final decision must be made by someone other than the proposer."
        ),
        workflow.OWN_DECISION: _(
            "A final decision must be reversed by someone other than the person who made it."
        ),
        workflow.NO_PROPOSAL: _(
            "Nobody proposed a decision on this interview: re-release the case instead."
        ),
    }[code]


def _step(review: Review, *, from_undecided: str, from_proposed: str) -> tuple[str, str]:
    """(to_state, actor) of an approve/reject action by the state the review is in now."""
    state = Review.objects.values_list("state", flat=True).get(pk=review.pk)
    if state in UNDECIDED:
        return from_undecided, workflow.REVIEWER
    return from_proposed, workflow.LEAD


@transaction.atomic
def approve_interview(*, review: Review, user: User, reason: str = "") -> Review:
    """Approve: on a clean/flagged interview, the supervisor's proposal; on a proposal (or a
    rejection being reversed, with a reason), the QC lead's final approval."""
    to_state, actor = _step(
        review, from_undecided=Review.State.PROPOSED_APPROVE, from_proposed=Review.State.APPROVED
    )
    return move_review(review=review, to_state=to_state, actor=actor, user=user, reason=reason)


@transaction.atomic
def reject_interview(*, review: Review, user: User, reason: str) -> Review:
    """Reject (reason required): the supervisor's proposal on a clean/flagged interview, the
    QC lead's final rejection on a proposal or an approval being reversed."""
    if not (reason or "").strip():
        raise ValidationError(_("Give a reason for the rejection."), code="required")
    to_state, actor = _step(
        review, from_undecided=Review.State.PROPOSED_REJECT, from_proposed=Review.State.REJECTED
    )
    return move_review(review=review, to_state=to_state, actor=actor, user=user, reason=reason)


def reopen(review: Review, interviewer: User, *, clear_answers: bool) -> None:
    """Reopen the interview's case in fieldwork for `interviewer`; for a re-interview
    (clear_answers) the old answers' automatic flags go as well."""
    fieldwork.reopen_case(
        case=review.interview.case, interviewer=interviewer, clear_answers=clear_answers
    )
    if clear_answers:
        # The old answers' automatic flags are kept in the event's rule results and snapshot;
        # the checks recompute them on the new answers. Others (a failed back-check's) stay.
        Flag.objects.filter(interview_id=review.interview_id, rule__in=AUTOMATIC_RULES).delete()


@transaction.atomic
def return_interview(
    *, review: Review, user: User, reason: str, interviewer: User | None = None
) -> Review:
    """Send the interview back for a callback (same interviewer: answers kept) or a
    re-interview (another interviewer: answers cleared, kept in the event's snapshot).

    The case is reopened in fieldwork; when the interview is completed again the automatic
    checks move the review to clean/flagged. By a supervisor on a clean/flagged interview, by
    a QC lead on a proposal.
    """
    interview = Interview.objects.get(pk=review.interview_id)
    interviewer = interviewer or interview.interviewer
    clear = interviewer.pk != interview.interviewer_id
    if clear and not may_supervise(user, interviewer):
        raise PermissionDenied(_("A re-interview goes to an interviewer of your own team."))
    state = Review.objects.values_list("state", flat=True).get(pk=review.pk)
    actor = workflow.REVIEWER if state in UNDECIDED else workflow.LEAD
    moved = move_review(
        review=review,
        to_state=Review.State.RETURNED,
        actor=actor,
        user=user,
        reason=reason,
        snapshot=snapshot(interview),
    )
    reopen(moved, interviewer, clear_answers=clear)
    return moved


@transaction.atomic
def rerelease_case(*, review: Review, user: User, reason: str, interviewer: User) -> Review:
    """A QC lead puts a rejected interview's case back into fieldwork for a new interview
    by `interviewer`; the rejected answers are kept in the event's snapshot."""
    interview = Interview.objects.get(pk=review.interview_id)
    moved = move_review(
        review=review,
        to_state=Review.State.RETURNED,
        actor=workflow.LEAD,
        user=user,
        reason=reason,
        snapshot=snapshot(interview),
    )
    reopen(moved, interviewer, clear_answers=True)
    return moved


BULK_CHUNK = 500  # reviews locked and moved together


@transaction.atomic
def bulk_approve(*, reviews: QuerySet[Review], user: User, reason: str = "") -> int:
    """Approve many at once, one event and one audit record each; returns how many moved.

    A reviewer's bulk step proposes approval of the *clean* reviews among `reviews`; a QC
    lead's confirms the approval proposals among them. Flagged interviews are never approved
    in bulk. A review the workflow bars the user from moving (qc.workflow.refusal: their own
    interview, their own proposal in the round) is left for a decision of its own. Each
    review moves as approve_interview would move it, BULK_CHUNK reviews at a time with the
    same few queries per chunk, so a wave's thousands of clean interviews are approved
    within one request."""
    if is_qc_lead(user):
        step = (Review.State.PROPOSED_APPROVE, Review.State.APPROVED, workflow.LEAD)
        reviews = reviews.exclude(proposed_by=user)
    elif user.role in DECIDERS:
        step = (Review.State.CLEAN, Review.State.PROPOSED_APPROVE, workflow.REVIEWER)
    else:
        raise PermissionDenied(_("Only supervisors and analysts may decide on interviews."))
    reason = reason.strip()
    if workflow.needs_reason(step[0], step[1]) and not reason:
        raise ValidationError(_("Give a reason for this decision."), code="required")
    ids = list(
        reviews.filter(state=step[0])
        .exclude(interview__interviewer=user)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    moved: list[Review] = []
    for start in range(0, len(ids), BULK_CHUNK):
        moved += _approve_chunk(ids[start : start + BULK_CHUNK], step, user, reason)
    waves = {review.interview.case.wave_id for review in moved}
    if step[1] == Review.State.APPROVED:  # what the results are computed from
        for wave_id in sorted(waves):
            reactions.results_inputs_changed(wave_id)
    return len(moved)


def _approve_chunk(ids: list[int], step: tuple, user: User, reason: str) -> list[Review]:
    """Move the reviews `ids` by `step` (from_state, to_state, actor) for `user` as
    move_review would, in bulk; returns the reviews moved."""
    from_state, to_state, actor = step
    locked = list(
        Review.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, state=from_state)
        .select_related("interview__case__unit")
        # not the interviews' answers and paradata: tens of kilobytes each, for thousands
        .only(
            "interview__interviewer_id",
            "interview__case__wave_id",
            "interview__case__unit__unit_id",
        )
        .order_by("id")
    )
    history: dict[int, list] = defaultdict(list)
    for review_id, *event in (
        ReviewEvent.objects.filter(review_id__in=[r.pk for r in locked])
        .order_by("at", "id")
        .values_list("review_id", "from_state", "to_state", "actor_id")
    ):
        history[review_id].append(event)
    moving = [
        review
        for review in locked
        if not workflow.refusal(
            from_state,
            to_state,
            actor,
            person=user.pk,
            parties=workflow.round_parties(
                history[review.pk], interviewer=review.interview.interviewer_id
            ),
        )
    ]
    if moving:
        _write_moves(moving, step, user, reason)
    return moving


def _write_moves(moving: list[Review], step: tuple, user: User, reason: str) -> None:
    """The states, events (with the flags standing) and audit records of the moves."""
    from_state, to_state, actor = step
    now = timezone.now()
    who = (
        {"proposed_by": user, "proposed_at": now}
        if actor == workflow.REVIEWER
        else {"decided_by": user, "decided_at": now}
    )
    Review.objects.filter(pk__in=[r.pk for r in moving]).update(
        state=to_state, reason=reason, reason_en="", **who
    )
    flags: dict[int, dict[str, Fired]] = defaultdict(dict)
    standing = Flag.objects.filter(interview_id__in=[r.interview_id for r in moving])
    for flag in standing.order_by("created_at", "id"):
        flags[flag.interview_id][flag.rule] = Fired.of(flag)
    ReviewEvent.objects.bulk_create(
        ReviewEvent(
            review=review,
            from_state=from_state,
            to_state=to_state,
            actor=user,
            reason=reason,
            rules=rule_results(flags[review.interview_id]),
        )
        for review in moving
    )
    labels = {"from": str(Review.State(from_state).label), "to": str(Review.State(to_state).label)}
    record_many(
        Kind.REVIEW_DECIDED,
        actor=user,
        entries=[
            (
                review.interview.case.wave_id,
                review.interview.case.unit.unit_id,
                {"interview": review.interview_id, **labels, "reason": reason},
            )
            for review in moving
        ],
    )
