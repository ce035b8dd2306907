from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.results, name="results"),
    path("waves/<int:wave_id>/report.pdf", views.report_pdf, name="report_pdf"),
]
