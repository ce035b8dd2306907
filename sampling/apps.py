from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamplingConfig(AppConfig):
    name = "sampling"
    verbose_name = _("Sampling")

    def ready(self) -> None:
        from sampling import tasks  # noqa: F401 - registers the import jobs
