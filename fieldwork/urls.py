"""Fieldwork's URLs: waves, cases, door-to-door, interviews, trials, telephony."""

from django.urls import include, path

from fieldwork import views
from fieldwork.audits import views as audit_views
from fieldwork.capi import views as capi_views
from fieldwork.external import views as external_views
from fieldwork.interview import views as interview_views
from fieldwork.privacy import views as privacy_views
from fieldwork.staff import views as staff_views
from fieldwork.workspace import plan_views, version_views
from fieldwork.workspace import views as workspace_views

app_name = "fieldwork"
urlpatterns = [
    path("waves/", views.wave_list, name="wave_list"),
    path("waves/new/", views.wave_create, name="wave_create"),
    path("waves/external/", external_views.external_import_page, name="external_import"),
    path("waves/<id:wave_id>/", workspace_views.wave_detail, name="wave_detail"),
    path("waves/<id:wave_id>/plan/", plan_views.wave_plan, name="wave_plan"),
    path(
        "waves/<id:wave_id>/audio-audits/",
        audit_views.wave_audio_audits,
        name="wave_audio_audits",
    ),
    path("waves/<id:wave_id>/live/", workspace_views.wave_live, name="wave_live"),
    path("waves/<id:wave_id>/cases/", workspace_views.wave_cases, name="wave_cases"),
    path("waves/<id:wave_id>/cases/move/", workspace_views.move_cases, name="move_cases"),
    path("waves/<id:wave_id>/cases/street/", workspace_views.assign_street, name="assign_street"),
    path(
        "waves/<id:wave_id>/appointments/",
        workspace_views.wave_appointments,
        name="wave_appointments",
    ),
    path(
        "waves/<id:wave_id>/interviewers/",
        workspace_views.wave_interviewers,
        name="wave_interviewers",
    ),
    path("waves/<id:wave_id>/rates/", workspace_views.wave_rates, name="wave_rates"),
    path("waves/<id:wave_id>/quality/", workspace_views.wave_quality, name="wave_quality"),
    path(
        "waves/<id:wave_id>/release/",
        workspace_views.release_replicate,
        name="release_replicate",
    ),
    path("waves/<id:wave_id>/quotas/", workspace_views.quota_target, name="quota_target"),
    path("waves/<id:wave_id>/rates.csv", workspace_views.rates_csv, name="rates_csv"),
    path(
        "interviewers/<id:user_id>/profile/",
        staff_views.interviewer_profile,
        name="interviewer_profile",
    ),
    path("my-cases/", views.my_cases, name="my_cases"),
    path("my-cases/calendar/", workspace_views.my_calendar, name="my_calendar"),
    path("my-cases/due/", views.due_now, name="due_now"),
    path("next-case/", views.next_case, name="next_case"),
    path("cases/<id:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<id:case_id>/start/", views.start_interview, name="start_interview"),
    path("cases/<id:case_id>/attempt/", views.record_attempt, name="record_attempt"),
    path("cases/<id:case_id>/phone/", views.reveal_phone, name="reveal_phone"),
    path("cases/<id:case_id>/reopen/", views.reopen_case, name="reopen_case"),
    path(
        "cases/<id:case_id>/select-respondent/",
        capi_views.select_respondent,
        name="select_respondent",
    ),
    path("households/", capi_views.households, name="households"),
    path("cases/<id:case_id>/visit/", capi_views.record_visit, name="record_visit"),
    path(
        "cases/<id:case_id>/visit/interview/",
        capi_views.start_door_interview,
        name="start_door_interview",
    ),
    path("interviews/<id:interview_id>/", interview_views.interview_wizard, name="interview"),
    path(
        "interviews/<id:interview_id>/stop/", interview_views.stop_interview, name="stop_interview"
    ),
    path(
        "interviews/<id:interview_id>/media/<str:name>",
        interview_views.interview_media,
        name="interview_media",
    ),
    path("localities/", interview_views.locality_options, name="locality_options"),
    path("waves/<id:wave_id>/version/", version_views.switch_version, name="switch_version"),
    path("trials/<id:pk>/", interview_views.trial_start, name="trial_start"),
    path("trials/<id:pk>/page/", interview_views.trial_page, name="trial_page"),
    path("telephony/", include("fieldwork.telephony.urls")),
    path("waves/<id:wave_id>/retention/", privacy_views.wave_retention, name="wave_retention"),
    path(
        "waves/<id:wave_id>/processing-record/",
        privacy_views.processing_record_page,
        name="processing_record",
    ),
    path(
        "waves/<id:wave_id>/processing-record.pdf",
        privacy_views.processing_record_pdf,
        name="processing_record_pdf",
    ),
]
