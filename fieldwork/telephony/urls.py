"""Telephony pages and Twilio's webhooks, under fieldwork:telephony."""

from django.urls import path

from fieldwork.telephony import views

app_name = "telephony"
urlpatterns = [
    path("cases/<id:case_id>/dial/", views.dial, name="dial"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/<id:call_id>/", views.call_status, name="call_status"),
    path("calls/<id:call_id>/confirm/", views.confirm_call, name="confirm_call"),
    path("calls/<id:call_id>/interview/", views.start_interview, name="start_interview"),
    path("calls/<id:call_id>/recording/", views.recording, name="recording"),
    # Twilio's webhooks
    path("calls/<id:call_id>/twiml/", views.twiml, name="twiml"),
    path("calls/<id:call_id>/status/", views.status_callback, name="status_callback"),
    path("calls/<id:call_id>/dial-action/", views.dial_action, name="dial_action"),
    path(
        "calls/<id:call_id>/recording-status/", views.recording_callback, name="recording_callback"
    ),
]
