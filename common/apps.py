from django.apps import AppConfig
from django.urls import register_converter


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from common.ids import IdConverter

        # Before any URLconf is imported: every app's URLs use <id:...> for database ids.
        register_converter(IdConverter, "id")
