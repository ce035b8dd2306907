from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("waves/<id:wave_id>/", views.wave_personal_data, name="wave_personal_data"),
    path(
        "waves/<id:wave_id>/purges/<id:purge_id>.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "waves/<id:wave_id>/purges/<id:purge_id>.json",
        views.certificate_json,
        name="certificate_json",
    ),
]
