from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QcConfig(AppConfig):
    name = "qc"
    verbose_name = _("Quality control")

    def ready(self) -> None:
        from fieldwork import reactions
        from qc import services

        reactions.on_interview_completed(services.check_completed_interview)
        reactions.filter_voided_interviews(services.exclude_rejected)
