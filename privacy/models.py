"""A completed purge of one wave's personal data: its certificate (the JSON here, the PDF in
the file storage) is what the firm hands its client."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Purge(models.Model):
    # The wave may be deleted later; the certificate names it and stays.
    wave = models.ForeignKey(
        "fieldwork.Wave", null=True, on_delete=models.SET_NULL, related_name="purges"
    )
    wave_name = models.CharField(_("wave"), max_length=200)
    purged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    purged_at = models.DateTimeField(_("purged at"))
    # {holder key: items removed}
    counts = models.JSONField(_("items removed"), default=dict)
    certificate = models.JSONField(_("certificate"), default=dict)
    pdf_path = models.CharField(_("certificate (PDF)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("purge")
        verbose_name_plural = _("purges")
        ordering = ["-purged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.wave_name} {self.purged_at:%Y-%m-%d %H:%M}"
