from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QcConfig(AppConfig):
    name = "qc"
    verbose_name = _("Quality control")
