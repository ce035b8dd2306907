from django.apps import AppConfig
from django.urls import register_converter


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from common.ids import IdConverter
        from common.threads import limit_blas_threads

        limit_blas_threads()

        # Before any URLconf is imported: every app's URLs use <id:...> for database ids.
        register_converter(IdConverter, "id")
