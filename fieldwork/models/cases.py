from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fieldwork.dispositions import DISPOSITION_CHOICES
from questionnaires.models import QuestionnaireVersion
from sampling.models import Draw, Locality, SampledUnit


class Mode(models.TextChoices):
    PHONE = "phone", _("Phone (CATI)")  # 电话调查
    DOOR = "door", _("Door-to-door (CAPI)")  # 入户调查


class WaveMode(models.TextChoices):
    PHONE = "phone", _("Phone (CATI)")
    DOOR = "door", _("Door-to-door (CAPI)")
    MIXED = "mixed", _("Phone and door-to-door")


class Wave(models.Model):
    """One survey round for one client: a questionnaire version and a drawn sample."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        FIELDWORK = "fieldwork", _("In fieldwork")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    client = models.CharField(_("client"), max_length=200)  # 委托方
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="waves"
    )
    draw = models.ForeignKey(Draw, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    # Phone, door-to-door, or both (mixed): which cases the household list offers for visits.
    mode = models.CharField(
        _("mode"), max_length=6, choices=WaveMode.choices, default=WaveMode.MIXED
    )
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=5)
    # Calling rules (see fieldwork.scheduling): local Asia/Shanghai times, "HH:MM-HH:MM,…".
    weekday_windows = models.CharField(
        _("weekday calling windows"), max_length=200, default="09:00-12:00,14:00-21:00"
    )
    weekend_windows = models.CharField(
        _("weekend calling windows"), max_length=200, default="10:00-12:00,14:00-20:00"
    )
    min_gap_minutes = models.PositiveIntegerField(
        _("minimum gap between attempts (min)"), default=120
    )
    busy_gap_minutes = models.PositiveIntegerField(_("gap after a busy line (min)"), default=15)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """A sampled household in a wave: the unit of fieldwork work."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")  # 1.1 / 1.2
        CLOSED = "closed", _("Closed without interview")  # final non-interview code

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="cases")
    unit = models.ForeignKey(SampledUnit, on_delete=models.PROTECT, related_name="cases")
    street = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="+")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    disposition = models.CharField(
        _("disposition"), max_length=6, choices=DISPOSITION_CHOICES, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Attempt history summary the scheduler reads (kept by the attempt services).
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_outcome = models.CharField(_("last outcome"), max_length=6, blank=True)
    day_parts_tried = models.PositiveSmallIntegerField(_("day parts tried"), default=0)  # bitmask
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [models.UniqueConstraint(fields=["wave", "unit"], name="unique_wave_unit")]
        indexes = [models.Index(fields=["wave", "interviewer", "status"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class ContactAttempt(models.Model):
    """One call or visit, with the outcome the interviewer recorded (an AAPOR code)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_attempts")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    mode = models.CharField(_("mode"), max_length=6, choices=Mode.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=6, choices=DISPOSITION_CHOICES, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Door-to-door visits: where the tablet was, as the browser reported it (see fieldwork.capi).
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    accuracy_m = models.FloatField(_("position accuracy (m)"), null=True, blank=True)
    # Why there is no position: "denied", "unavailable", "timeout" or "unsupported".
    position_error = models.CharField(_("position error"), max_length=12, blank=True)
    # From the assigned community's coordinates, when both are known.
    distance_m = models.FloatField(_("distance from community (m)"), null=True, blank=True)
    # Warnings given when the visit was recorded: capi.WARNINGS codes, e.g. ["far"].
    position_warnings = models.JSONField(_("position warnings"), default=list, blank=True)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.disposition}"


class Appointment(models.Model):
    """A callback agreed with the respondent: hard (at that time) or soft (within a window)."""

    class Kind(models.TextChoices):
        HARD = "hard", _("Hard: call at this time")
        SOFT = "soft", _("Soft: call within the window")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appointments")
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.HARD)
    window_end = models.DateTimeField(_("window end"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set when the next attempt on the case is made (kept) or a newer appointment replaces it.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["at"]
        indexes = [models.Index(fields=["case", "closed_at"])]

    def __str__(self) -> str:
        return f"{self.case} {self.at:%Y-%m-%d %H:%M}"


class QuotaTarget(models.Model):
    """A quota cell: completed interviews wanted with `variable` = `value` in a stratum."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="quota_targets")
    stratum = models.CharField(_("stratum (street code, blank: all)"), max_length=32, blank=True)
    variable = models.CharField(_("variable"), max_length=100)  # answer, age_group, frame column
    value = models.CharField(_("value"), max_length=100)
    target = models.PositiveIntegerField(_("target"))

    class Meta:
        verbose_name = _("quota target")
        verbose_name_plural = _("quota targets")
        ordering = ["stratum", "variable", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "stratum", "variable", "value"], name="unique_quota_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stratum or '*'} {self.variable}={self.value}: {self.target}"


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
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    paradata = models.JSONField(_("paradata"), default=list, blank=True)
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

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        indexes = [models.Index(fields=["status", "completed_at"])]

    def __str__(self) -> str:
        return f"#{self.pk}"


class RespondentSelection(models.Model):
    """Who in a door-to-door household is to be interviewed, and by which method.

    `adults` is the household listing as the interviewer entered it: a list of
    {"name", "sex" ("M"/"F"), "age", "birthday" ("MM-DD" or "")}; `selected_index` is the chosen
    adult's 1-based line in that listing. Kish tables follow from the case (see
    fieldwork.services.select_respondent), so the choice can be recomputed by QC.
    """

    class Method(models.TextChoices):
        KISH = "kish", _("Kish grid")
        LAST_BIRTHDAY = "last_birthday", _("Last birthday")
        NEXT_BIRTHDAY = "next_birthday", _("Next birthday")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="respondent_selections")
    attempt = models.ForeignKey(
        ContactAttempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    method = models.CharField(_("method"), max_length=14, choices=Method.choices)
    adults = models.JSONField(_("household adults"), default=list)
    selected_index = models.PositiveSmallIntegerField(_("selected line"))
    selected_label = models.CharField(_("selected adult"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("respondent selection")
        verbose_name_plural = _("respondent selections")
        ordering = ["case", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.method}: {self.selected_label}"


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


from fieldwork.telephony_models import *  # noqa: E402, F403
