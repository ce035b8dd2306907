"""The telephony pages: Dial on the case page, the call panel, supervisors' call list."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fieldwork.models import Appointment, Call, ContactAttempt
from fieldwork.services import attempts
from fieldwork.telephony import services as telephony_services
from tests.factories import PASSWORD, local_input, next_weekday_at
from tests.fieldwork.telephony_fakes import (
    ACCOUNT_SID,
    LINE,
    signed_post,
)

# These tests check the wording of messages, written in English.
pytestmark = pytest.mark.usefixtures("english")


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def respondent_event(call: Call, status: str, sequence: int, **extra) -> dict:
    return {
        "CallSid": "CA" + "r" * 32,
        "ParentCallSid": call.parent_sid,
        "CallStatus": status,
        "SequenceNumber": str(sequence),
        "To": "+86" + call.case.unit.phone,
        **extra,
    }


def test_the_case_page_offers_dial_when_twilio_is_configured(
    client, fake_twilio, my_case, interviewer
):
    login(client, interviewer)
    body = client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
    assert reverse("fieldwork:telephony:dial", args=[my_case.pk]) in body
    assert reverse("fieldwork:reveal_phone", args=[my_case.pk]) not in body


def test_manual_mode_shows_the_number_button_instead_of_dial(
    client, settings, my_case, interviewer, line
):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_CALLER_ID = ""
    login(client, interviewer)
    body = client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
    assert reverse("fieldwork:reveal_phone", args=[my_case.pk]) in body
    assert reverse("fieldwork:telephony:dial", args=[my_case.pk]) not in body
    response = client.post(reverse("fieldwork:telephony:dial", args=[my_case.pk]))
    assert response.status_code == 200 and "dial by hand" in response.content.decode()
    assert Call.objects.count() == 0


def test_another_interviewer_cannot_dial_or_watch_the_case(
    client, fake_twilio, my_case, interviewer, other_interviewer, line
):
    call = telephony_services.dial(case=my_case, interviewer=interviewer)
    telephony_services.set_interviewer_line(user=other_interviewer, phone="13722223333")
    login(client, other_interviewer)
    assert client.post(reverse("fieldwork:telephony:dial", args=[my_case.pk])).status_code == 404
    for name in ("call_status",):
        assert client.get(reverse(f"fieldwork:telephony:{name}", args=[call.pk])).status_code == 404
    for name in ("confirm_call", "start_interview"):
        url = reverse(f"fieldwork:telephony:{name}", args=[call.pk])
        assert client.post(url, {"disposition": "2.11"}).status_code == 404
    assert len(fake_twilio.posted("Calls")) == 1
    call.refresh_from_db()
    assert call.attempt is None


def test_a_whole_call_never_shows_the_full_number_nor_logs_it(
    client, fake_twilio, my_case, interviewer, supervisor, line, caplog
):
    caplog.set_level(logging.DEBUG)
    phone = my_case.unit.phone
    bodies = []
    login(client, interviewer)
    bodies.append(client.get(reverse("fieldwork:case_detail", args=[my_case.pk])))
    dialled = client.post(reverse("fieldwork:telephony:dial", args=[my_case.pk]))
    bodies.append(dialled)
    call = Call.objects.get()
    assert "every 2s" in dialled.content.decode()  # the panel polls while ringing
    status_url = reverse("fieldwork:telephony:call_status", args=[call.pk])
    twiml = signed_post(
        client, reverse("fieldwork:telephony:twiml", args=[call.pk]), {"CallSid": call.parent_sid}
    )
    assert phone in twiml.content.decode()  # only Twilio gets the number
    path = reverse("fieldwork:telephony:status_callback", args=[call.pk])
    signed_post(client, path, respondent_event(call, "ringing", 1))
    bodies.append(client.get(status_url))
    signed_post(client, path, respondent_event(call, "busy", 2))
    ended = client.get(status_url)
    bodies.append(ended)
    text = ended.content.decode()
    assert "3.12" in text and "every 2s" not in text
    assert 'value="3.12" selected' in text  # the proposal is preselected for confirmation
    confirmed = client.post(
        reverse("fieldwork:telephony:confirm_call", args=[call.pk]),
        {"disposition": "3.12"},
        follow=True,
    )
    bodies.append(confirmed)
    call.refresh_from_db()
    assert call.attempt.disposition == "3.12"
    client.logout()
    login(client, supervisor)
    bodies.append(client.get(reverse("fieldwork:telephony:call_list")))
    bodies.append(client.get(reverse("fieldwork:case_detail", args=[my_case.pk])))
    for response in bodies:
        assert response.status_code == 200
        body = response.content.decode()
        assert phone not in body and masked(phone) in body, response.request["PATH_INFO"]
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert phone not in logged and LINE not in logged
    assert caplog.records  # the flow did log (Twilio's client): the check is not vacuous


def test_start_interview_from_the_call_panel(client, fake_twilio, my_case, interviewer, line):
    call = telephony_services.dial(case=my_case, interviewer=interviewer)
    path = reverse("fieldwork:telephony:status_callback", args=[call.pk])
    signed_post(client, path, respondent_event(call, "in-progress", 2))
    login(client, interviewer)
    panel = client.get(reverse("fieldwork:telephony:call_status", args=[call.pk])).content.decode()
    start_url = reverse("fieldwork:telephony:start_interview", args=[call.pk])
    assert start_url in panel and "every 2s" not in panel
    response = client.post(start_url)
    call.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("fieldwork:interview", args=[call.attempt.case.interview.pk])


def test_only_supervisors_reach_calls_and_recordings(
    client, fake_twilio, my_case, interviewer, supervisor, analyst, line
):
    call = telephony_services.dial(case=my_case, interviewer=interviewer)
    recording_url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE1"
    signed_post(
        client,
        reverse("fieldwork:telephony:recording_callback", args=[call.pk]),
        {
            "CallSid": call.parent_sid,
            "RecordingSid": "RE1",
            "RecordingUrl": recording_url,
            "RecordingStatus": "completed",
            "RecordingDuration": "30",
        },
    )
    listen = reverse("fieldwork:telephony:recording", args=[call.pk])
    login(client, interviewer)
    assert client.get(listen).status_code == 403
    assert client.get(reverse("fieldwork:telephony:call_list")).status_code == 403
    login(client, analyst)  # the QC lead listens from the review page
    assert client.get(reverse("fieldwork:telephony:call_list")).status_code == 403
    assert client.get(listen).status_code == 302
    login(client, supervisor)
    page = client.get(reverse("fieldwork:telephony:call_list")).content.decode()
    assert listen in page
    response = client.get(listen)
    assert response.status_code == 302 and response.url == recording_url + ".mp3"


def test_webhooks_need_no_login_but_a_signature(client, fake_twilio, my_case, interviewer, line):
    call = telephony_services.dial(case=my_case, interviewer=interviewer)
    path = reverse("fieldwork:telephony:twiml", args=[call.pk])
    assert signed_post(client, path, {}).status_code == 200
    assert client.post(path, {}, HTTP_X_TWILIO_SIGNATURE="bm90LWEtc2lnbmF0dXJl").status_code == 403
    assert client.get(path).status_code in (403, 405)


def test_a_final_outcome_of_a_call_needs_a_second_yes(
    client, fake_twilio, my_case, interviewer, line
):
    call = telephony_services.dial(case=my_case, interviewer=interviewer)
    login(client, interviewer)
    url = reverse("fieldwork:telephony:confirm_call", args=[call.pk])
    asked = client.post(url, {"disposition": "4.30"})
    assert asked.status_code == 200 and 'id="confirm-final"' in asked.content.decode()
    call.refresh_from_db()
    assert call.attempt is None
    client.post(url, {"disposition": "4.30", "confirmed": "on"})
    call.refresh_from_db()
    my_case.refresh_from_db()
    assert call.attempt.disposition == "4.30" and my_case.status == "closed"


def test_a_callback_from_the_call_panel_keeps_the_appointment_with_its_time(
    client, fake_twilio, my_case, interviewer, line
):
    earlier = next_weekday_at(19)
    attempts.create_appointment(
        case=my_case,
        at=earlier,
        kind="soft",
        window_end=None,
        note="",
        created_by=interviewer,
        now=timezone.now(),
    )
    call = telephony_services.dial(case=my_case, interviewer=interviewer)
    login(client, interviewer)
    url = reverse("fieldwork:telephony:confirm_call", args=[call.pk])
    client.post(url, {"disposition": "2.21"})  # no time: refused, the old appointment stays
    call.refresh_from_db()
    assert call.attempt is None
    assert Appointment.objects.get(case=my_case, closed_at=None).at == earlier
    at = next_weekday_at(10, days=2)
    client.post(url, {"disposition": "2.21", "appointment_at": local_input(at)})
    call.refresh_from_db()
    assert call.attempt.disposition == "2.21"
    assert Appointment.objects.get(case=my_case, closed_at=None).at == at


def test_record_attempt_itself_refuses_a_callback_without_a_time(my_case, interviewer):
    with pytest.raises(ValidationError, match="Give the time"):
        attempts.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition="2.21"
        )
    assert not ContactAttempt.objects.filter(case=my_case).exists()
