"""Cases and the work on them: contact attempts, appointments, respondent selection."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.personal import EncryptedFloatField, EncryptedJSONField, EncryptedTextField
from fieldwork.dispositions import DISPOSITION_CHOICES
from fieldwork.models.waves import Wave
from sampling.models import Locality, SampledUnit


class Mode(models.TextChoices):
    PHONE = "phone", _("Phone (CATI)")  # 电话调查
    DOOR = "door", _("Door-to-door (CAPI)")  # 入户调查


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
    # The language the household speaks, recorded with a language-problem outcome (2.33):
    # from then on the scheduler gives the case only to a speaker (staff.Dialect value).
    language = models.CharField(_("language"), max_length=16, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [models.UniqueConstraint(fields=["wave", "unit"], name="unique_wave_unit")]
        indexes = [
            models.Index(fields=["wave", "interviewer", "status"]),
            # The call queue (fieldwork.queue): cases never tried, in calling order (the id) …
            models.Index(
                fields=["wave", "id"],
                name="case_fresh_queue",
                condition=models.Q(
                    status="pending",
                    interviewer=None,
                    attempts=0,
                    day_parts_tried=0,
                    last_attempt_at=None,
                    last_outcome="",
                ),
            ),
            # … the open, unassigned cases tried before, in the scheduler's order within each
            # part of the queue (fieldwork.queue.TRIED) …
            models.Index(
                fields=["wave", "attempts", "last_attempt_at", "id"],
                name="case_tried_queue",
                condition=models.Q(
                    status="pending",
                    interviewer=None,
                    attempts__gt=0,
                    last_attempt_at__isnull=False,
                ),
            ),
            # … the few tried cases outside that index (an outcome but no attempt counted, or
            # an attempt without a time) …
            models.Index(
                fields=["wave", "id"],
                name="case_untimed_queue",
                condition=models.Q(status="pending", interviewer=None)
                & (models.Q(attempts=0) | models.Q(last_attempt_at=None))
                & ~models.Q(attempts=0, day_parts_tried=0, last_attempt_at=None, last_outcome=""),
            ),
            # … and every open, unassigned case by when it was last tried.
            models.Index(
                fields=["wave", "last_attempt_at"],
                name="case_open_queue",
                condition=models.Q(status="pending", interviewer=None),
            ),
        ]
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
    # A language problem (2.33): the language the respondent spoke, when the interviewer knew.
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Door-to-door visits: where the tablet was, as the browser reported it (fieldwork.capi.geo).
    # An exact position locates the respondent's home: encrypted at rest (common.personal).
    latitude = EncryptedFloatField(_("latitude"), null=True, blank=True)
    longitude = EncryptedFloatField(_("longitude"), null=True, blank=True)
    accuracy_m = models.FloatField(_("position accuracy (m)"), null=True, blank=True)
    # Why there is no position: "denied", "unavailable", "timeout" or "unsupported".
    position_error = models.CharField(_("position error"), max_length=12, blank=True)
    # From the assigned community's coordinates, when both are known.
    distance_m = models.FloatField(_("distance from community (m)"), null=True, blank=True)
    # Warnings given when the visit was recorded: capi.geo.WARNINGS codes, e.g. ["far"].
    position_warnings = models.JSONField(_("position warnings"), default=list, blank=True)
    # Set when a supervisor reopens a case this attempt closed by mistake: the outcome stays on
    # record (and in the reopening's CaseEvent) but no longer counts for the case's disposition.
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.disposition}"


class CaseEvent(models.Model):
    """Who moved a case, to whom, when and why: assignment, transfer, return, reopening.

    With the attempts and appointments these make up the case history a supervisor reads.
    """

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        TRANSFERRED = "transferred", _("Transferred")
        RETURNED = "returned", _("Returned to the pool")
        REOPENED = "reopened", _("Reopened")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    # Reopening: the disposition the case had before.
    previous_disposition = models.CharField(
        _("previous disposition"), max_length=6, choices=DISPOSITION_CHOICES, blank=True
    )
    # Reopening: the attempts still counted once the voided ones are left out.
    attempts_counted = models.PositiveSmallIntegerField(
        _("attempts counted"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


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


class RespondentSelection(models.Model):
    """Who in a door-to-door household is to be interviewed, and by which method.

    `roster` is the household as the interviewer entered it, row by row: a list of
    {"name", "sex" ("M"/"F"), "age", "birthday" ("MM-DD" or ""), "eligible" (bool, by the
    wave's age range)}. `adults` is its eligible members in the order entered, the listing the
    selection chose among (the same keys without "eligible"); `selected_index` is the chosen
    adult's 1-based line in `adults`. Kish tables follow from the case (see
    fieldwork.services.respondents.select_respondent), so the choice can be recomputed by QC.
    Selections made before rosters have the typed listing in `adults` and the same in `roster`
    (migration 0011).
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
    # Names of household members: encrypted at rest (common.personal), read whole.
    roster = EncryptedJSONField(_("household roster"), default=list)
    adults = EncryptedJSONField(_("household adults"), default=list)
    selected_index = models.PositiveSmallIntegerField(_("selected line"))
    selected_label = EncryptedTextField(_("selected adult"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("respondent selection")
        verbose_name_plural = _("respondent selections")
        ordering = ["case", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.method}: {self.selected_label}"

    @property
    def selected(self) -> dict:
        """The chosen adult: {"name", "sex", "age", "birthday"}."""
        return self.adults[self.selected_index - 1]
