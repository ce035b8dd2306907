from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    verbose_name = _("Fieldwork")

    def ready(self) -> None:
        from fieldwork import tasks  # noqa: F401 - registers the external-interviews job
        from fieldwork.personal_data import register_holders
        from fieldwork.privacy import tasks as privacy_tasks  # noqa: F401  (retention reminders, audit pruning)

        register_holders()
