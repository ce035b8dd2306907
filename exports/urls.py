from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("waves/<id:wave_id>/", views.wave_exports, name="wave_exports"),
    path(
        "waves/<id:wave_id>/packages/<id:job_id>/",
        views.package_download,
        name="package_download",
    ),
]
