from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from scoring import tasks  # noqa: F401 - registers the results job
        from scoring.personal_data import register_holders

        register_holders()
