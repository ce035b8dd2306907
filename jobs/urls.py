from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<id:job_id>/progress/", views.job_progress, name="job_progress"),
    path("<id:job_id>/retry/", views.job_retry, name="job_retry"),
]
