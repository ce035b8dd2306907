"""A wave's processing record (PIPL art. 55–56): what the firm states about its processing of
the respondents' personal information for the wave. Generated in part from the wave
(fieldwork.privacy.record), completed by the firm in these fields, kept at least three years:
it holds no personal information of respondents and is not removed by a purge."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fieldwork.models.waves import Wave


class ProcessingRecord(models.Model):
    wave = models.OneToOneField(
        Wave, on_delete=models.PROTECT, related_name="processing_record", verbose_name=_("wave")
    )
    purposes = models.TextField(_("purposes of processing"), blank=True)
    legal_basis = models.TextField(_("legal basis and entrustment"), blank=True)
    contract_reference = models.CharField(_("entrustment contract"), max_length=200, blank=True)
    protection_officer = models.CharField(
        _("person responsible for personal information"), max_length=200, blank=True
    )
    telephony_provider = models.CharField(_("telephony provider"), max_length=200, blank=True)
    storage_location = models.CharField(_("where the data is stored"), max_length=200, blank=True)
    other_safeguards = models.TextField(_("other safeguards"), blank=True)
    risks = models.TextField(_("risks and how they are handled"), blank=True)
    conclusion = models.TextField(_("conclusion of the assessment"), blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("processing record")
        verbose_name_plural = _("processing records")

    def __str__(self) -> str:
        return str(self.wave)
