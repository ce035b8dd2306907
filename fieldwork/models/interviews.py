"""Interviews (answers and paradata, one row each) and the keys of submissions received."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from common.personal import SealedJSONField
from fieldwork.models.cases import Case, Mode
from questionnaires.models import QuestionnaireVersion
from sampling.models import Locality


class Interview(models.Model):
    """One interview: answers as {question: value}, paradata as a list of timed events.

    Locality, interviewer, mode, timestamps and status are real columns for grouping; the
    answers are saved page by page, so a crash loses at most the page being typed.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        BROKEN_OFF = "broken_off", _("Broken off")
        SCREENED_OUT = "screened_out", _("Screened out")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="interview")
    questionnaire_version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interviews"
    )
    mode = models.CharField(_("mode"), max_length=6, choices=Mode.choices)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    current_step = models.CharField(_("current page"), max_length=100, blank=True)
    # Location answers rest sealed (fieldwork.interview.personal_answers.seal_locations).
    answers = SealedJSONField(_("answers"), default=dict, blank=True)
    # The answers' stored JSON as text, kept by the database on every write: the results read
    # every approved interview's answers at once, and PostgreSQL would otherwise write each
    # jsonb value out as text during the read (~7 µs per interview, most of the read's time).
    answers_text = models.GeneratedField(
        expression=Cast("answers", models.TextField()),
        output_field=models.TextField(),
        db_persist=True,
    )
    paradata = models.JSONField(_("paradata"), default=list, blank=True)
    # Moved on by the writers that change an interview's answers without adding a paradata
    # event (the purge, key rotation), so a page save made against the row as read never
    # writes back what they removed or re-sealed (services.interviews.apply_page).
    revision = models.PositiveIntegerField(default=0, editable=False)
    # The locality the respondent named (属地信息), which may differ from the sampled one.
    district = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # What pages listing many interviews never show: most of a row, and parsed as JSON (the
    # answers also unsealed) for every row read. Such lists defer them (`bulky`).
    BULKY_FIELDS = ("answers", "answers_text", "paradata")

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        indexes = [models.Index(fields=["status", "completed_at"])]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @classmethod
    def bulky(cls, relation: str) -> list[str]:
        """BULKY_FIELDS as a query of another model reaches them through `relation`, for
        its .defer()."""
        return [f"{relation}__{name}" for name in cls.BULKY_FIELDS]


class SubmissionKey(models.Model):
    """A submission already received, by the key the browser gave it.

    Pages kept on a tablet while offline are sent again when the connection returns; a key is
    applied at most once, even when two deliveries arrive at once. A key belongs to an
    interview (a wizard page) or, for a door-to-door visit or doorstep start, to a case: it is
    unique only there, so a key read off a shared tablet and posted elsewhere spends nothing.
    """

    key = models.UUIDField(_("key"))
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="submission_keys", null=True, blank=True
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="submission_keys", null=True, blank=True
    )
    step = models.CharField(_("page"), max_length=100)
    applied = models.BooleanField(_("applied"), default=True)  # False: refused as stale
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "key"], name="fieldwork_submission_key_per_interview"
            ),
            models.UniqueConstraint(
                fields=["case", "key"], name="fieldwork_submission_key_per_case"
            ),
            models.CheckConstraint(
                condition=models.Q(interview__isnull=False, case__isnull=True)
                | models.Q(interview__isnull=True, case__isnull=False),
                name="fieldwork_submission_key_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return str(self.key)
