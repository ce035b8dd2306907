from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fieldwork.models import Interview


class Review(models.Model):
    """Where an interview stands in quality control. Only approved interviews are scored."""

    class State(models.TextChoices):
        CLEAN = "clean", _("Clean")  # no rule fired; awaiting a supervisor
        FLAGGED = "flagged", _("Flagged")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="review")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.interview} {self.state}"


class ReviewEvent(models.Model):
    """The audit trail: every change of a review's state, with who, when and why."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=10, blank=True)
    to_state = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )  # null: the automatic checks
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state}→{self.to_state}"


class Flag(models.Model):
    """A rule that fired on an interview, with a reason a supervisor can read."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="flags")
    rule = models.CharField(_("rule"), max_length=40)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(fields=["interview", "rule"], name="unique_interview_rule")
        ]

    def __str__(self) -> str:
        return f"{self.interview} {self.rule}"
