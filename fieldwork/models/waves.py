"""Waves: one survey round for one client, its mode, calling rules and quota targets."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from questionnaires.models import QuestionnaireVersion
from sampling.models import Draw


class WaveMode(models.TextChoices):
    PHONE = "phone", _("Phone (CATI)")
    DOOR = "door", _("Door-to-door (CAPI)")
    MIXED = "mixed", _("Phone and door-to-door")


def default_retain_until() -> date:
    """A new wave's retention date: PERSONAL_DATA_RETENTION_DAYS from today (the wave form
    offers the same from the planned end of fieldwork when one is given)."""
    return timezone.localdate() + timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


class Wave(models.Model):
    """One survey round for one client: a questionnaire version and a drawn sample."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        FIELDWORK = "fieldwork", _("In fieldwork")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    # The commissioning body (委托方): its client users read this wave's results.
    client = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="waves", verbose_name=_("client")
    )
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
    # 异地交叉调查: no interviewer is given a case in their own home county.
    cross_region = models.BooleanField(_("cross-region calling"), default=False)
    # The plan the overview measures progress against; without them it uses the draw's size
    # and the wave's first day, and cannot say what is expected by today.
    target_completes = models.PositiveIntegerField(_("target completes"), null=True, blank=True)
    starts_on = models.DateField(_("fieldwork starts"), null=True, blank=True)
    ends_on = models.DateField(_("fieldwork ends"), null=True, blank=True)
    # Completed interviews an interviewer is expected to make in a day (their own day's goal).
    daily_target = models.PositiveSmallIntegerField(
        _("completes per interviewer per day"), null=True, blank=True
    )
    # Who may be interviewed (甄别): the age range of the household members a door-to-door
    # selection chooses among; no upper limit when max_age is empty.
    min_age = models.PositiveSmallIntegerField(_("youngest eligible age"), default=16)
    max_age = models.PositiveSmallIntegerField(_("oldest eligible age"), null=True, blank=True)
    # Audio audits (fieldwork.audits): the share of door-to-door interviews recorded, from the
    # consent question on, and of their pages (100: every page; less: random segments).
    audio_audit_percent = models.PositiveSmallIntegerField(
        _("door interviews with an audio audit (%)"), default=0
    )
    audio_audit_pages_percent = models.PositiveSmallIntegerField(
        _("pages recorded in an audited interview (%)"), default=100
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # PIPL art. 19/21: the day by which the respondents' personal data must be purged; every
    # wave has one (the form requires it, the default comes from the settings).
    retain_until = models.DateField(_("personal data kept until"), default=default_retain_until)
    # When the analysts were reminded that retain_until is near (the daily schedule); cleared
    # when the date moves, so a new date gets its own reminder.
    retention_reminded_at = models.DateTimeField(
        _("retention reminder sent"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def allows(self, mode: str) -> bool:
        """Whether cases of this wave may be worked by `mode` ("phone" or "door")."""
        return self.mode == WaveMode.MIXED or self.mode == mode

    def is_eligible_age(self, age: int) -> bool:
        """Whether a household member of this age may be selected and interviewed."""
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)

    @property
    def modes(self) -> list[str]:
        return ["phone", "door"] if self.mode == WaveMode.MIXED else [self.mode]


class QuotaTarget(models.Model):
    """A quota cell: completed interviews wanted with `variable` = `value` in a stratum."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="quota_targets")
    stratum = models.CharField(_("stratum (street code, blank: all)"), max_length=32, blank=True)
    variable = models.CharField(_("variable"), max_length=100)  # answer, age_group, frame column
    value = models.CharField(_("value"), max_length=100)
    target = models.PositiveIntegerField(_("target"))
    # Completed interviews counted in the cell (fieldwork.services.quota_counts keeps it: one
    # increment per complete, an exact recount on anything else that changes what counts), so
    # "Next case" reads fullness without counting interviews.
    achieved = models.PositiveIntegerField(_("achieved"), default=0, editable=False)

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
