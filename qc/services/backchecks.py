"""Back-checks (回访复核): drawing a wave's interviews to re-verify, assigning them to other
interviewers, and recording what the respondent says again. A back-check whose answers
differ too much rejects the interview or returns it for a re-interview (the wave's setting).
qc.backchecks holds the pure selection and comparison.
"""

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.teams import supervised_among, team_rows
from common.i18n import in_chinese_and_english
from fieldwork.models import Call, Interview, Wave
from fieldwork.telephony import services as telephony
from qc import backchecks, workflow
from qc.access import DECIDERS
from qc.models import BackCheck, BackCheckDraw, Flag, QCSettings, Review
from qc.services.reviews import move_review, reopen, snapshot
from qc.services.settings import wave_settings
from questionnaires.models import QuestionnaireVersion


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


def _candidates(wave: Wave, user: User) -> pd.DataFrame:
    """Completed, not rejected or returned, not drawn since last completed, of the
    interviewers `user` supervises (accounts.teams): columns interview_id, interviewer_id,
    questionnaire_version_id."""
    return pd.DataFrame.from_records(
        Interview.objects.filter(
            team_rows(user, "interviewer"), case__wave=wave, status=Interview.Status.COMPLETED
        )
        .exclude(review__state__in=[Review.State.REJECTED, Review.State.RETURNED])
        .annotate(last_drawn=Max("backchecks__draw__created_at"))
        .filter(Q(last_drawn__isnull=True) | Q(last_drawn__lt=F("completed_at")))
        .values("id", "interviewer_id", "questionnaire_version_id"),
        columns=["id", "interviewer_id", "questionnaire_version_id"],
    ).rename(columns={"id": "interview_id"})


@transaction.atomic
def select_backchecks(
    *, wave: Wave, user: User, checkers: Sequence[User], seed: int | None = None
) -> BackCheckDraw:
    """Draw interviews of the wave for back-checks and assign them to other interviewers;
    a team's supervisor draws from their team's interviews and assigns to their team's
    interviewers (accounts.teams).

    Candidates: completed interviews not rejected, not returned and not back-checked since
    they were last completed (a re-interview after a failed back-check is drawn again, and
    then checked by nobody who interviewed or checked it before).
    Each interviewer's share is the wave's setting (default 30%), more for high-risk
    interviewers (flag rate above the threshold) and new ones (fewer prior completes); see
    qc.backchecks. The seed (random when not given), shares and result are recorded.
    """
    if user.role not in DECIDERS:
        raise PermissionDenied(_("Only supervisors and analysts may draw back-checks."))
    checker_ids = sorted({c.pk for c in checkers if c.role == Role.INTERVIEWER})
    if not checker_ids:
        raise ValidationError(_("Choose at least one back-check interviewer."), code="required")
    if supervised_among(user, checker_ids) != set(checker_ids):
        raise ValidationError(
            _("Back-checks go to interviewers of your own team."), code="checkers"
        )
    qc_settings = wave_settings(wave)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    candidates = _candidates(wave, user)
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
    earlier = _earlier_rounds(selected["interview_id"].tolist())
    try:
        assignment = backchecks.assign(
            selected, checker_ids, seed, {i: people for i, (_n, people) in earlier.items()}
        )
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
            round=earlier.get(int(row.interview_id), (0, set()))[0] + 1,
            interviewer_id=int(row.interviewer_id),
            draw=draw,
            assigned_to_id=assignment[int(row.interview_id)],
            questions=versions[int(row.questionnaire_version_id)],
        )
        for row in selected.itertuples(index=False)
    )
    return draw


def _earlier_rounds(interview_ids: list[int]) -> dict[int, tuple[int, set[int]]]:
    """interview id -> (its back-checks so far, the people who interviewed or checked it)."""
    earlier: dict[int, tuple[int, set[int]]] = {}
    rows = BackCheck.objects.filter(interview_id__in=interview_ids).values_list(
        "interview_id", "round", "assigned_to_id", "interviewer_id"
    )
    for interview_id, number, checker_id, interviewer_id in rows:
        rounds, people = earlier.get(interview_id, (0, set()))
        people |= {checker_id} | ({interviewer_id} if interviewer_id else set())
        earlier[interview_id] = (max(rounds, number), people)
    return earlier


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
    reason, reason_en = in_chinese_and_english(
        lambda: (
            _(
                "Back-check by %(checker)s: %(n)d of %(m)d key answers differ (%(rate)d%% > "
                "%(limit)d%%): %(names)s"
            )
            % {
                "checker": checker,
                "n": len(backcheck.discrepancies),
                "m": compared,
                "rate": round(backcheck.rate * 100),
                "limit": round(qc_settings.discrepancy_threshold * 100),
                "names": ", ".join(backcheck.discrepancies),
            }
        )
    )
    Flag.objects.update_or_create(
        interview=interview,
        rule=backchecks.BACKCHECK_RULE,
        defaults={
            "severity": Flag.Severity.HIGH,
            "reason": reason,
            "reason_en": reason_en,
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
        move_review(
            review=review,
            to_state=Review.State.RETURNED,
            actor=workflow.BACKCHECK,
            user=None,
            reason=reason,
            reason_en=reason_en,
            snapshot=snapshot(interview),
        )
        reopen(review, checker, clear_answers=True)
        backcheck.outcome = BackCheck.Outcome.RETURNED
    else:
        move_review(
            review=review,
            to_state=Review.State.REJECTED,
            actor=workflow.BACKCHECK,
            user=None,
            reason=reason,
            reason_en=reason_en,
        )
        backcheck.outcome = BackCheck.Outcome.REJECTED


def dial_backcheck(*, backcheck: BackCheck, user: User, base_url: str | None = None) -> Call:
    """The back-check interviewer calls the respondent through telephony, whatever the
    interview's mode (a door interview is back-checked by phone): their line rings, then the
    household's; the number is never shown. Only the assigned checker, while it is to do."""
    if backcheck.assigned_to_id != user.pk:
        raise PermissionDenied(_("This back-check is assigned to someone else."))
    if backcheck.state != BackCheck.State.ASSIGNED:
        raise ValidationError(_("This back-check is already done."), code="done")
    return telephony.dial_backcheck(case=backcheck.interview.case, checker=user, base_url=base_url)
