"""Telephony state: interviewers' lines, Twilio calls, the raw webhook log, pre-notification SMS,
and the record of full numbers shown in manual-dial mode.

The respondent's phone number is never copied here: it stays on the sampled unit and only the
TwiML answer to Twilio carries it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fieldwork.dispositions import DISPOSITION_CHOICES

# Twilio's call statuses after which nothing more happens on that leg.
TERMINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


class InterviewerLine(models.Model):
    """The phone Twilio rings first when an interviewer presses Dial (desk phone or mobile)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telephony_line"
    )
    phone = models.CharField(_("phone"), max_length=20, help_text=_("E.164, e.g. +8613812345678"))

    class Meta:
        verbose_name = _("interviewer line")
        verbose_name_plural = _("interviewer lines")

    def __str__(self) -> str:
        return str(self.user)


class Call(models.Model):
    """One click-to-call: the interviewer's leg (created by us) bridged to the respondent's leg.

    `parent_sid` is the interviewer's leg, `sid` the respondent's (known from its first status
    callback). Each leg keeps the sequence number of the last callback applied, so an older
    event arriving late never overwrites a newer status.
    """

    class Purpose(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        # A back-check by phone of an interview already done (a door one too): no attempt
        # is recorded on the case, which stays as it is.
        BACKCHECK = "backcheck", _("Back-check")

    case = models.ForeignKey("fieldwork.Case", on_delete=models.CASCADE, related_name="calls")
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.INTERVIEW
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calls"
    )
    # Set when the interviewer confirms the outcome (or starts the interview).
    attempt = models.OneToOneField(
        "fieldwork.ContactAttempt",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call",
    )
    parent_sid = models.CharField(_("interviewer leg SID"), max_length=34, blank=True)
    parent_status = models.CharField(_("interviewer leg status"), max_length=12, blank=True)
    parent_sequence = models.IntegerField(default=-1)
    sid = models.CharField(_("call SID"), max_length=34, blank=True)
    status = models.CharField(_("status"), max_length=12, blank=True)
    sequence = models.IntegerField(default=-1)
    answered_by = models.CharField(_("answered by"), max_length=24, blank=True)
    sip_response_code = models.CharField(max_length=8, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    recording_sid = models.CharField(_("recording SID"), max_length=34, blank=True)
    recording_url = models.URLField(_("recording URL"), max_length=300, blank=True)
    recording_seconds = models.PositiveIntegerField(
        _("recording duration (s)"), null=True, blank=True
    )
    proposed_disposition = models.CharField(
        _("proposed outcome"), max_length=6, choices=DISPOSITION_CHOICES, blank=True
    )
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When Twilio was given the TwiML that dials the respondent: it is given once per call.
    bridged_at = models.DateTimeField(_("respondent dialled at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["sid"], condition=~Q(sid=""), name="unique_call_sid"),
            models.UniqueConstraint(
                fields=["parent_sid"], condition=~Q(parent_sid=""), name="unique_call_parent_sid"
            ),
        ]
        indexes = [models.Index(fields=["interviewer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case} {self.sid or self.parent_sid}"

    @property
    def is_over(self) -> bool:
        """Nothing more will happen on the line: the respondent's leg (or ours) has ended."""
        return (
            self.status in TERMINAL_STATUSES
            or self.parent_status in TERMINAL_STATUSES
            or bool(self.error)
        )


class PhoneReveal(models.Model):
    """Manual-dial mode: an interviewer was shown a case's full number (who, which case, when).

    Supervisors see these on the case page and, per interviewer, on the wave page.
    """

    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewer"),
        on_delete=models.PROTECT,
        related_name="phone_reveals",
    )
    case = models.ForeignKey(
        "fieldwork.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="phone_reveals",
    )
    revealed_at = models.DateTimeField(_("revealed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("number shown")
        verbose_name_plural = _("numbers shown")
        ordering = ["-revealed_at"]
        indexes = [models.Index(fields=["interviewer", "revealed_at"])]

    def __str__(self) -> str:
        return f"{self.interviewer} {self.case} {self.revealed_at:%Y-%m-%d %H:%M}"


class TwilioEvent(models.Model):
    """Every webhook accepted, once: `key` makes a repeated delivery a no-op.

    `params` holds the request without the phone-number fields (To, From, Called, Caller …).
    """

    key = models.CharField(max_length=120, unique=True)
    call = models.ForeignKey(Call, null=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    params = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Twilio event")
        verbose_name_plural = _("Twilio events")
        ordering = ["received_at"]

    def __str__(self) -> str:
        return self.key


class PrenotificationPlan(models.Model):
    """A wave's pre-notification SMS (预通知短信): the text and the hotline to verify the survey."""

    wave = models.OneToOneField(
        "fieldwork.Wave", on_delete=models.CASCADE, related_name="prenotification"
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Placeholders: {evaluation} (the wave), {client} (the commissioning body), {hotline}.
    template = models.CharField(
        _("message"),
        max_length=300,
        default="【{client}】您好！{client}正委托开展{evaluation}，近日将致电邀请您参加，"
        "感谢支持。核实请拨{hotline}。",
    )
    hotline = models.CharField(_("verification hotline"), max_length=30)

    class Meta:
        verbose_name = _("pre-notification plan")
        verbose_name_plural = _("pre-notification plans")

    def __str__(self) -> str:
        return str(self.wave)


class SmsMessage(models.Model):
    """A pre-notification sent (or tried) to a case: at most one per case."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    case = models.OneToOneField(
        "fieldwork.Case", on_delete=models.CASCADE, related_name="prenotification_sms"
    )
    sid = models.CharField(_("message SID"), max_length=34, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")

    def __str__(self) -> str:
        return f"{self.case} {self.status}"
