"""Quality-control use-cases: automatic checks, the two-step review, back-checks, settings.

A completed interview gets a Review: "flagged" when an automatic rule fired (one Flag per
rule, with its severity, reason and details), else "clean". Then two steps (qc.workflow holds
the table of allowed moves):

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

Stored texts (flag reasons, the automatic events' reasons) are written in the language of
settings.LANGUAGE_CODE, whoever triggered the check: they are records, like the review
history, and must not depend on the language of the request that happened to run them.
"""

import json
import secrets
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import Any, NamedTuple

import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from fieldwork import services as fieldwork
from fieldwork.models import Interview, Wave
from qc import backchecks, loaders, rules, workflow
from qc.models import BackCheck, BackCheckDraw, Flag, QCSettings, Review, ReviewEvent
from questionnaires.models import QuestionnaireVersion

AUTOMATIC_RULES = rules.RULES  # flags these rules raise are replaced on every re-check
BACKCHECK_RULE = "backcheck_discrepancy"  # raised by a failed back-check; survives re-checks
UNDECIDED = (Review.State.CLEAN, Review.State.FLAGGED)
DECIDERS = (Role.SUPERVISOR, Role.ANALYST)  # the supervisor's step
QC_LEADS = (Role.ANALYST,)  # the final decision
_CHUNK = 500  # ids per IN (...) list: far below every backend's parameter limit


def is_qc_lead(user: User) -> bool:
    return user.role in QC_LEADS


# --- settings -------------------------------------------------------------------------------


def wave_settings(wave: Wave) -> QCSettings:
    """The wave's QC settings; unsaved defaults when none were saved."""
    try:
        return QCSettings.objects.get(wave=wave)
    except QCSettings.DoesNotExist:
        return QCSettings(wave=wave)


def default_config() -> rules.RuleConfig:
    """The rule thresholds of a wave without settings of its own."""
    return rules.RuleConfig()


def rule_config(wave: Wave) -> rules.RuleConfig:
    """The rule thresholds in force for a wave: its overrides over the defaults."""
    overrides = wave_settings(wave).rules or {}
    return (
        rules.RuleConfig.from_mapping(overrides, source=str(wave))
        if overrides
        else (default_config())
    )


@transaction.atomic
def save_qc_settings(*, wave: Wave, user: User, values: Mapping[str, Any]) -> QCSettings:
    """Store a wave's thresholds. `values`: QCSettings fields and RuleConfig fields.

    Rule thresholds equal to the default are not stored, so a later change of a default
    reaches the wave. Raises ValidationError naming the setting for a bad value.
    """
    if user.role not in DECIDERS:
        raise PermissionDenied(_("Only supervisors and analysts may change QC settings."))
    defaults = asdict(default_config())
    overrides = {
        key: value
        for key, value in values.items()
        if key in defaults and value is not None and value != defaults[key]
    }
    try:
        rules.RuleConfig.from_mapping(overrides, source=str(wave))
    except ValueError as error:
        raise ValidationError(str(error), code="invalid") from error
    qc_settings = wave_settings(wave)
    for name in (
        "backcheck_share",
        "backcheck_share_high_risk",
        "backcheck_share_new",
        "high_risk_flag_rate",
        "discrepancy_threshold",
    ):
        if name in values:
            value = float(values[name])
            if not 0.0 <= value <= 1.0:
                raise ValidationError(
                    _("%(name)s must be between 0 and 1.") % {"name": name}, code="invalid"
                )
            setattr(qc_settings, name, value)
    if "new_interviewer_completes" in values:
        qc_settings.new_interviewer_completes = int(values["new_interviewer_completes"])
    if "discrepancy_action" in values:
        if values["discrepancy_action"] not in QCSettings.Action.values:
            raise ValidationError(_("Unknown action above the threshold."), code="invalid")
        qc_settings.discrepancy_action = values["discrepancy_action"]
    qc_settings.rules = overrides
    qc_settings.updated_by = user
    qc_settings.save()
    return qc_settings


# --- automatic checks -----------------------------------------------------------------------


class Fired(NamedTuple):
    severity: str
    reason: str
    details: dict


def _stored_reason_column() -> str:
    return "reason" if settings.LANGUAGE_CODE.lower().startswith("zh") else "reason_en"


def _passed_reason() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Automatic checks passed")


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _fired(frame: loaders.InterviewsFrame, config: rules.RuleConfig) -> dict[int, dict[str, Fired]]:
    """interview id -> {rule: Fired} for the rules that fired, in the order of RULES."""
    result = loaders.run_frame_rules(frame, config)
    fired: dict[int, dict[str, Fired]] = defaultdict(dict)
    column = _stored_reason_column()
    for interview_id, rule, severity, reason, details in zip(
        result.index,
        result["rule"],
        result["severity"],
        result[column],
        result["details"],
        strict=True,
    ):
        fired[int(interview_id)][rule] = Fired(severity, reason, json.loads(details or "{}"))
    return fired


def _rule_results(flags: Mapping[str, Fired]) -> list[dict]:
    """The `rules` JSON of an event: the flags standing at that moment."""
    return [
        {"rule": rule, "severity": f.severity, "reason": f.reason, "details": f.details}
        for rule, f in flags.items()
    ]


def _current_rule_results(interview_id: int) -> list[dict]:
    flags = Flag.objects.filter(interview_id=interview_id).order_by("created_at", "id")
    return _rule_results({f.rule: Fired(f.severity, f.reason, f.details) for f in flags})


def _apply_checks(
    interview_ids: list[int], fired: dict[int, dict[str, Fired]]
) -> dict[int, Review]:
    """Write the automatic outcome for these interviews with a fixed number of queries.

    Flags of AUTOMATIC_RULES are replaced only where they changed. An undecided review (or a
    returned one, whose re-interview was just completed) follows the flags (clean/flagged)
    with an event when its state or its flags changed; a review further on keeps its state
    (its flags are still refreshed, for the reviewer to see).
    """
    reviews: dict[int, Review] = {}
    old_flags: dict[int, dict[str, Fired]] = defaultdict(dict)
    for chunk in _chunks(interview_ids):
        # Locked so that a supervisor's decision cannot be overwritten by a concurrent check.
        for review in Review.objects.select_for_update().filter(interview_id__in=chunk):
            reviews[review.interview_id] = review
        flags = Flag.objects.filter(interview_id__in=chunk, rule__in=AUTOMATIC_RULES)
        for interview_id, rule, severity, reason, details in flags.values_list(
            "interview_id", "rule", "severity", "reason", "details"
        ):
            old_flags[interview_id][rule] = Fired(severity, reason, details)

    passed = _passed_reason()
    changed_flags: list[int] = []
    new_flags: list[Flag] = []
    new_reviews: list[Review] = []
    new_review_events: list[tuple[str, list[dict]]] = []
    updated_reviews: list[Review] = []
    events: list[ReviewEvent] = []
    for interview_id in interview_ids:
        flags = fired.get(interview_id, {})
        flags_changed = flags != old_flags.get(interview_id, {})
        if flags_changed:
            changed_flags.append(interview_id)
            new_flags.extend(
                Flag(
                    interview_id=interview_id,
                    rule=rule,
                    severity=f.severity,
                    reason=f.reason,
                    details=f.details,
                )
                for rule, f in flags.items()
            )
        state = Review.State.FLAGGED if flags else Review.State.CLEAN
        reason = "; ".join(f.reason for f in flags.values()) or passed
        results = _rule_results(flags)
        review = reviews.get(interview_id)
        if review is None:
            review = Review(interview_id=interview_id, state=state)
            reviews[interview_id] = review
            new_reviews.append(review)
            new_review_events.append((reason, results))
        elif workflow.allowed(review.state, state, workflow.SYSTEM) and (
            review.state != state or flags_changed
        ):
            events.append(
                ReviewEvent(
                    review=review,
                    from_state=review.state,
                    to_state=state,
                    reason=reason,
                    rules=results,
                )
            )
            review.state = state
            updated_reviews.append(review)

    for chunk in _chunks(changed_flags):
        Flag.objects.filter(interview_id__in=chunk, rule__in=AUTOMATIC_RULES).delete()
    Flag.objects.bulk_create(new_flags, batch_size=_CHUNK)
    # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35; the events need them.
    Review.objects.bulk_create(new_reviews, batch_size=_CHUNK)
    events.extend(
        ReviewEvent(review=review, from_state="", to_state=review.state, reason=reason, rules=res)
        for review, (reason, res) in zip(new_reviews, new_review_events, strict=True)
    )
    Review.objects.bulk_update(updated_reviews, ["state"], batch_size=_CHUNK)
    ReviewEvent.objects.bulk_create(events, batch_size=_CHUNK)
    return reviews


@transaction.atomic
def check_completed_interview(
    interview: Interview, *, config: rules.RuleConfig | None = None
) -> Review:
    """Run the automatic rules on one completed interview and record the outcome.

    Called by fieldwork (fieldwork.reactions; QcConfig.ready registers it) inside the
    transaction that completes the interview, with the interview as saved there. Idempotent:
    running it again without a change in the answers writes nothing. `config` defaults to the
    wave's.
    """
    if interview.status != Interview.Status.COMPLETED:
        raise ValueError(
            f"Interview {interview.pk} is not completed: only completed ones are checked."
        )
    frame = loaders.interview_frame(interview)
    fired = _fired(frame, config or rule_config(interview.case.wave))
    return _apply_checks([interview.pk], fired)[interview.pk]


@transaction.atomic
def check_interviews(
    *, interviews: QuerySet[Interview], config: rules.RuleConfig | None = None
) -> int:
    """Run the automatic rules on the completed interviews of a queryset; return how many.

    The same outcome as check_completed_interview on each, in a number of queries that grows
    with the number of waves, not of interviews (except one per 500). Each wave's interviews
    are checked with its own thresholds unless `config` is given. `interviews` must not be
    sliced.
    """
    completed = interviews.filter(status=Interview.Status.COMPLETED)
    wave_ids = sorted(set(completed.values_list("case__wave_id", flat=True)))
    total = 0
    for wave_id in wave_ids:
        frame = loaders.interviews_frame(completed.filter(case__wave_id=wave_id))
        interview_ids = [int(interview_id) for interview_id in frame.df.index]
        if not interview_ids:
            continue
        wave_config = config or rule_config(Wave.objects.get(pk=wave_id))
        _apply_checks(interview_ids, _fired(frame, wave_config))
        total += len(interview_ids)
    return total


def exclude_rejected(interviews: QuerySet[Interview]) -> QuerySet[Interview]:
    """Drop finally rejected interviews (fieldwork.reactions, for quotas)."""
    return interviews.exclude(review__state=Review.State.REJECTED)


# --- the review workflow --------------------------------------------------------------------


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


def _snapshot(interview: Interview) -> dict:
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


def _move(
    *,
    review: Review,
    to_state: str,
    actor: str,
    user: User | None,
    reason: str,
    snapshot: dict | None = None,
) -> Review:
    """Move one review along the workflow, checking who may, and write its event.

    `actor` is one of workflow.ACTORS; `user` is the person (None for the automatic checks
    and back-checks). The review row is locked for the change.
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
            from_state, to_state, actor, person=user.pk, parties=review_parties(locked)
        )
        if refused:
            raise PermissionDenied(refusal_message(refused))
    reason = (reason or "").strip()
    if workflow.needs_reason(from_state, to_state) and not reason:
        raise ValidationError(_("Give a reason for this decision."), code="required")
    now = timezone.now()
    fields = ["state", "reason"]
    locked.state = to_state
    locked.reason = reason
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
        rules=_current_rule_results(locked.interview_id),
        snapshot=snapshot,
    )
    for field in ("state", "reason", "proposed_by", "proposed_at", "decided_by", "decided_at"):
        setattr(review, field, getattr(locked, field))
    return locked


def review_parties(review: Review) -> dict[str, frozenset[int]]:
    """The people of the review's current round (qc.workflow.round_parties), from its events."""
    events = ReviewEvent.objects.filter(review_id=review.pk).order_by("at", "id")
    return workflow.round_parties(
        events.values_list("from_state", "to_state", "actor_id"),
        interviewer=review.interview.interviewer_id,
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
    return _move(review=review, to_state=to_state, actor=actor, user=user, reason=reason)


@transaction.atomic
def reject_interview(*, review: Review, user: User, reason: str) -> Review:
    """Reject (reason required): the supervisor's proposal on a clean/flagged interview, the
    QC lead's final rejection on a proposal or an approval being reversed."""
    if not (reason or "").strip():
        raise ValidationError(_("Give a reason for the rejection."), code="required")
    to_state, actor = _step(
        review, from_undecided=Review.State.PROPOSED_REJECT, from_proposed=Review.State.REJECTED
    )
    return _move(review=review, to_state=to_state, actor=actor, user=user, reason=reason)


def _reopen(review: Review, interviewer: User, *, clear_answers: bool) -> None:
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
    state = Review.objects.values_list("state", flat=True).get(pk=review.pk)
    actor = workflow.REVIEWER if state in UNDECIDED else workflow.LEAD
    moved = _move(
        review=review,
        to_state=Review.State.RETURNED,
        actor=actor,
        user=user,
        reason=reason,
        snapshot=_snapshot(interview),
    )
    _reopen(moved, interviewer, clear_answers=clear)
    return moved


@transaction.atomic
def rerelease_case(*, review: Review, user: User, reason: str, interviewer: User) -> Review:
    """A QC lead puts a rejected interview's case back into fieldwork for a new interview
    by `interviewer`; the rejected answers are kept in the event's snapshot."""
    interview = Interview.objects.get(pk=review.interview_id)
    moved = _move(
        review=review,
        to_state=Review.State.RETURNED,
        actor=workflow.LEAD,
        user=user,
        reason=reason,
        snapshot=_snapshot(interview),
    )
    _reopen(moved, interviewer, clear_answers=True)
    return moved


@transaction.atomic
def bulk_approve(*, reviews: QuerySet[Review], user: User, reason: str = "") -> int:
    """Approve many at once, one event each; returns how many moved.

    A reviewer's bulk step proposes approval of the *clean* reviews among `reviews`; a QC
    lead's confirms the approval proposals among them that someone else proposed. Flagged
    interviews are never approved in bulk. Reviews of the user's own interviews are skipped.
    """
    if is_qc_lead(user):
        scope = reviews.filter(state=Review.State.PROPOSED_APPROVE).exclude(proposed_by=user)
    elif user.role in DECIDERS:
        scope = reviews.filter(state=Review.State.CLEAN)
    else:
        raise PermissionDenied(_("Only supervisors and analysts may decide on interviews."))
    scope = scope.exclude(interview__interviewer=user)
    moved = 0
    for review in scope.order_by("id"):
        approve_interview(review=review, user=user, reason=reason)
        moved += 1
    return moved


# --- back-checks ----------------------------------------------------------------------------


def _interviewer_stats(wave: Wave, interviewer_ids: list[int]) -> pd.DataFrame:
    """completed, flagged (this wave) and prior (earlier waves' completes) per interviewer."""
    completed = Interview.objects.filter(status=Interview.Status.COMPLETED)
    in_wave = completed.filter(case__wave=wave, interviewer_id__in=interviewer_ids)
    counts = dict(
        in_wave.values("interviewer_id").annotate(n=Count("id")).values_list("interviewer_id", "n")
    )
    flagged = dict(
        Flag.objects.filter(interview__in=in_wave)
        .values("interview__interviewer_id")
        .annotate(n=Count("interview_id", distinct=True))
        .values_list("interview__interviewer_id", "n")
    )
    prior = dict(
        completed.filter(
            interviewer_id__in=interviewer_ids, case__wave__created_at__lt=wave.created_at
        )
        .values("interviewer_id")
        .annotate(n=Count("id"))
        .values_list("interviewer_id", "n")
    )
    return pd.DataFrame(
        {
            "completed": [counts.get(i, 0) for i in interviewer_ids],
            "flagged": [flagged.get(i, 0) for i in interviewer_ids],
            "prior": [prior.get(i, 0) for i in interviewer_ids],
        },
        index=pd.Index(interviewer_ids, name="interviewer_id"),
    )


@transaction.atomic
def select_backchecks(
    *, wave: Wave, user: User, checkers: Sequence[User], seed: int | None = None
) -> BackCheckDraw:
    """Draw interviews of the wave for back-checks and assign them to other interviewers.

    Candidates: completed interviews not rejected, not returned and not back-checked yet.
    Each interviewer's share is the wave's setting (default 30%), more for high-risk
    interviewers (flag rate above the threshold) and new ones (fewer prior completes); see
    qc.backchecks. The seed (random when not given), shares and result are recorded.
    """
    if user.role not in DECIDERS:
        raise PermissionDenied(_("Only supervisors and analysts may draw back-checks."))
    checker_ids = sorted({c.pk for c in checkers if c.role == Role.INTERVIEWER})
    if not checker_ids:
        raise ValidationError(_("Choose at least one back-check interviewer."), code="required")
    qc_settings = wave_settings(wave)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    candidates = pd.DataFrame.from_records(
        Interview.objects.filter(case__wave=wave, status=Interview.Status.COMPLETED)
        .exclude(review__state__in=[Review.State.REJECTED, Review.State.RETURNED])
        .filter(backcheck__isnull=True)
        .values("id", "interviewer_id", "questionnaire_version_id"),
        columns=["id", "interviewer_id", "questionnaire_version_id"],
    ).rename(columns={"id": "interview_id"})
    interviewer_ids = sorted(int(i) for i in candidates["interviewer_id"].unique())
    shares = backchecks.interviewer_shares(
        _interviewer_stats(wave, interviewer_ids),
        share=qc_settings.backcheck_share,
        share_high_risk=qc_settings.backcheck_share_high_risk,
        share_new=qc_settings.backcheck_share_new,
        high_risk_flag_rate=qc_settings.high_risk_flag_rate,
        new_below=qc_settings.new_interviewer_completes,
    )
    chosen = backchecks.select(candidates, shares["share"].to_dict(), seed)
    selected = candidates[candidates["interview_id"].isin(chosen)]
    try:
        assignment = backchecks.assign(selected, checker_ids, seed)
    except ValueError as error:
        raise ValidationError(str(error), code="checkers") from error
    draw = BackCheckDraw.objects.create(
        wave=wave,
        seed=seed,
        created_by=user,
        parameters={
            "share": qc_settings.backcheck_share,
            "share_high_risk": qc_settings.backcheck_share_high_risk,
            "share_new": qc_settings.backcheck_share_new,
            "high_risk_flag_rate": qc_settings.high_risk_flag_rate,
            "new_interviewer_completes": qc_settings.new_interviewer_completes,
            "checkers": checker_ids,
            "interviewers": {
                str(i): {
                    "share": float(row.share),
                    "flag_rate": None if pd.isna(row.flag_rate) else float(row.flag_rate),
                    "high_risk": bool(row.high_risk),
                    "new": bool(row.new),
                }
                for i, row in shares.iterrows()
            },
            "selected": chosen,
        },
    )
    versions = {
        v.pk: backchecks.key_questions(v.definition)
        for v in QuestionnaireVersion.objects.filter(
            pk__in=set(selected["questionnaire_version_id"].tolist())
        )
    }
    BackCheck.objects.bulk_create(
        BackCheck(
            interview_id=int(row.interview_id),
            draw=draw,
            assigned_to_id=assignment[int(row.interview_id)],
            questions=versions[int(row.questionnaire_version_id)],
        )
        for row in selected.itertuples(index=False)
    )
    return draw


@transaction.atomic
def record_backcheck(*, backcheck: BackCheck, user: User, answers: Mapping[str, Any]) -> BackCheck:
    """The back-check interviewer records the respondent's answers to the key questions.

    The discrepancy rate is the share of answered key questions that differ from the
    interview. Above the wave's threshold the interview is rejected or returned for a
    re-interview by the back-check interviewer (per the wave's settings), with a high-severity
    flag and an event naming the back-check.
    """
    locked = (
        BackCheck.objects.select_for_update()
        .select_related("interview__case__wave")
        .get(pk=backcheck.pk)
    )
    if locked.assigned_to_id != user.pk:
        raise PermissionDenied(_("This back-check is assigned to someone else."))
    if locked.state != BackCheck.State.ASSIGNED:
        raise ValidationError(_("This back-check is already done."), code="done")
    unknown = sorted(set(answers) - set(locked.questions))
    if unknown:
        raise ValidationError(
            _("Not a key question of this back-check: %(names)s") % {"names": ", ".join(unknown)},
            code="unknown",
        )
    interview = locked.interview
    differing, rate = backchecks.discrepancy(interview.answers or {}, answers, locked.questions)
    if rate is None:
        raise ValidationError(_("Record at least one answer."), code="required")
    qc_settings = wave_settings(interview.case.wave)
    locked.answers = dict(answers)
    locked.discrepancies = differing
    locked.rate = rate
    locked.state = BackCheck.State.DONE
    locked.completed_at = timezone.now()
    locked.outcome = BackCheck.Outcome.PASSED
    if rate > qc_settings.discrepancy_threshold:
        _backcheck_failed(locked, qc_settings, user)
    locked.save(
        update_fields=["answers", "discrepancies", "rate", "state", "completed_at", "outcome"]
    )
    for field in ("answers", "discrepancies", "rate", "state", "outcome", "completed_at"):
        setattr(backcheck, field, getattr(locked, field))
    return locked


def _backcheck_failed(backcheck: BackCheck, qc_settings: QCSettings, checker: User) -> None:
    interview = backcheck.interview
    compared = sum(
        1 for q in backcheck.questions if backchecks.normal_answer(backcheck.answers.get(q))
    )
    with translation.override(settings.LANGUAGE_CODE):
        reason = _(
            "Back-check by %(checker)s: %(n)d of %(m)d key answers differ (%(rate)d%% > "
            "%(limit)d%%): %(names)s"
        ) % {
            "checker": checker,
            "n": len(backcheck.discrepancies),
            "m": compared,
            "rate": round(backcheck.rate * 100),
            "limit": round(qc_settings.discrepancy_threshold * 100),
            "names": ", ".join(backcheck.discrepancies),
        }
    Flag.objects.update_or_create(
        interview=interview,
        rule=BACKCHECK_RULE,
        defaults={
            "severity": Flag.Severity.HIGH,
            "reason": reason,
            "details": {
                "rate": backcheck.rate,
                "differing": backcheck.discrepancies,
                "threshold": qc_settings.discrepancy_threshold,
            },
        },
    )
    review = Review.objects.filter(interview=interview).first()
    if review is None or review.state in (Review.State.REJECTED, Review.State.RETURNED):
        # Already out of scoring: the flag records the back-check; nothing more to move.
        backcheck.outcome = {
            Review.State.REJECTED: BackCheck.Outcome.REJECTED,
            Review.State.RETURNED: BackCheck.Outcome.RETURNED,
        }.get(review.state if review else "", BackCheck.Outcome.PENDING)
        return
    if qc_settings.discrepancy_action == QCSettings.Action.RETURN:
        _move(
            review=review,
            to_state=Review.State.RETURNED,
            actor=workflow.BACKCHECK,
            user=None,
            reason=reason,
            snapshot=_snapshot(interview),
        )
        _reopen(review, checker, clear_answers=True)
        backcheck.outcome = BackCheck.Outcome.RETURNED
    else:
        _move(
            review=review,
            to_state=Review.State.REJECTED,
            actor=workflow.BACKCHECK,
            user=None,
            reason=reason,
        )
        backcheck.outcome = BackCheck.Outcome.REJECTED
