from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.personal import SealedJSONField
from fieldwork.models import Interview, Wave


class Review(models.Model):
    """Where an interview stands in quality control. Only approved interviews are scored.

    Two steps: a supervisor (or analyst) proposes approval or rejection, or returns the
    interview for a callback; a QC lead (an analyst other than the proposer) makes the final
    decision. APPROVED and REJECTED are final. The allowed moves are qc.workflow.TRANSITIONS.
    """

    class State(models.TextChoices):
        CLEAN = "clean", _("Clean")  # no rule fired; awaiting a supervisor
        FLAGGED = "flagged", _("Flagged")
        RETURNED = "returned", _("Returned")  # for a callback or re-interview
        PROPOSED_APPROVE = "proposed_approve", _("Approval proposed")
        PROPOSED_REJECT = "proposed_reject", _("Rejection proposed")
        APPROVED = "approved", _("Approved")  # final: scored
        REJECTED = "rejected", _("Rejected")  # final: not scored

    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="review")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, db_index=True)
    # The supervisor's step (proposal or return) ...
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    # ... and the QC lead's final decision.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # An automatic reason (a back-check's) is kept in Chinese in `reason` and in English here;
    # a person's words are kept as typed, in `reason` alone.
    reason_en = models.TextField(_("reason in English"), blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.interview} {self.state}"


class ReviewEvent(models.Model):
    """The audit trail: every change of a review's state, with who, when and why, and the
    flags that stood at that moment."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )  # null: the automatic checks
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    reason_en = models.TextField(_("reason in English"), blank=True)  # see Review.reason_en
    # [{"rule", "severity", "reason", "reason_en", "details"}] of the interview's flags then.
    rules = models.JSONField(_("rule results"), default=list, blank=True)
    # The interview as it was when its case was re-released (answers are cleared then).
    snapshot = SealedJSONField(_("interview snapshot"), null=True, blank=True)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state}→{self.to_state}"


class Flag(models.Model):
    """A rule that fired on an interview, with a reason a supervisor can read."""

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="flags")
    rule = models.CharField(_("rule"), max_length=40)
    severity = models.CharField(
        _("severity"), max_length=6, choices=Severity.choices, default=Severity.MEDIUM
    )
    # What the check found, in Chinese and in English (qc.rules writes both): each reader
    # reads their own (qc.presenters.labels.reason_text). Flags raised before both were kept
    # hold the site's language in `reason` and no `reason_en`.
    reason = models.TextField(_("reason"))
    reason_en = models.TextField(_("reason in English"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(fields=["interview", "rule"], name="unique_interview_rule")
        ]

    def __str__(self) -> str:
        return f"{self.interview} {self.rule}"


class QCSettings(models.Model):
    """Per-wave quality-control thresholds. Absent: the defaults below and RuleConfig's."""

    class Action(models.TextChoices):
        REJECT = "reject", _("Reject")
        RETURN = "return", _("Return for re-interview")

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="qc_settings")
    # {RuleConfig field: value} overriding the rule defaults for this wave.
    rules = models.JSONField(_("rule thresholds"), default=dict, blank=True)
    backcheck_share = models.FloatField(_("back-check share"), default=0.3)
    backcheck_share_high_risk = models.FloatField(_("back-check share, high-risk"), default=0.6)
    backcheck_share_new = models.FloatField(_("back-check share, new interviewers"), default=0.5)
    high_risk_flag_rate = models.FloatField(_("high-risk flag rate"), default=0.3)
    new_interviewer_completes = models.PositiveIntegerField(
        _("new interviewer: fewer prior completes than"), default=20
    )
    discrepancy_threshold = models.FloatField(_("discrepancy threshold"), default=0.2)
    discrepancy_action = models.CharField(
        _("above the threshold"), max_length=6, choices=Action.choices, default=Action.REJECT
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("QC settings")
        verbose_name_plural = _("QC settings")

    def __str__(self) -> str:
        return f"{self.wave}"


class BackCheckDraw(models.Model):
    """One seeded selection of interviews for back-checks (回访复核): reproducible."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="backcheck_draws")
    seed = models.BigIntegerField(_("seed"))
    # The shares and thresholds used, and each interviewer's share: {"shares": {id: share}, ...}
    parameters = models.JSONField(_("parameters"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("back-check draw")
        verbose_name_plural = _("back-check draws")

    def __str__(self) -> str:
        return f"{self.wave} #{self.pk}"


class BackCheck(models.Model):
    """A re-contact of a respondent by another interviewer to re-ask the key questions.

    An interview re-done after a failed back-check is back-checked again: each back-check of
    an interview is a `round` (1, 2, …), and no checker of one round, nor the interviewer of
    any, checks another."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        DONE = "done", _("Done")

    class Outcome(models.TextChoices):
        PENDING = "", _("Pending")
        PASSED = "passed", _("Passed")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned")

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="backchecks")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    # Who had done the interview when it was drawn (a re-interview is someone else's).
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("interviewer"),
    )
    draw = models.ForeignKey(BackCheckDraw, on_delete=models.CASCADE, related_name="backchecks")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="backchecks"
    )
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.ASSIGNED, db_index=True
    )
    questions = models.JSONField(_("key questions"), default=list)  # paths, in order
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    discrepancies = models.JSONField(_("discrepancies"), default=list, blank=True)  # paths
    rate = models.FloatField(_("discrepancy rate"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING, blank=True
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("back-check")
        verbose_name_plural = _("back-checks")
        constraints = [
            models.UniqueConstraint(fields=["interview", "round"], name="unique_backcheck_round")
        ]

    def __str__(self) -> str:
        return f"{self.interview} {self.state}"
