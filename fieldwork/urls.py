from django.urls import path

from fieldwork import views

app_name = "fieldwork"
urlpatterns = [
    path("waves/", views.wave_list, name="wave_list"),
    path("waves/new/", views.wave_create, name="wave_create"),
    path("waves/<int:wave_id>/", views.wave_detail, name="wave_detail"),
    path("my-cases/", views.my_cases, name="my_cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/start/", views.start_interview, name="start_interview"),
    path("cases/<int:case_id>/attempt/", views.record_attempt, name="record_attempt"),
    path("cases/<int:case_id>/phone/", views.reveal_phone, name="reveal_phone"),
    path("interviews/<int:interview_id>/", views.interview_wizard, name="interview"),
    path("localities/", views.locality_options, name="locality_options"),
]
