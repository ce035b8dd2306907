"""The TwiML webhook gives Twilio the respondent's number only while that call's respondent leg
is pending: once, for the call's own interviewer leg. Signed requests carry no timestamp, so a
replay must not get the number again."""

import pytest
from django.urls import reverse

from fieldwork.models import Call
from fieldwork.telephony import services as telephony_services
from tests.fieldwork.telephony_fakes import signed_post


@pytest.fixture
def call(fake_twilio, my_case, interviewer, line) -> Call:
    return telephony_services.dial(case=my_case, interviewer=interviewer)


def twiml(client, call: Call, **data) -> str:
    path = reverse("fieldwork:telephony:twiml", args=[call.pk])
    response = signed_post(client, path, {"CallStatus": "in-progress", **data})
    assert response.status_code == 200
    return response.content.decode()


def gives_the_number(body: str, call: Call) -> bool:
    return call.case.unit.phone in body


def test_the_first_request_dials_the_respondent_and_a_replay_hangs_up(client, call):
    path = reverse("fieldwork:telephony:twiml", args=[call.pk])
    response = signed_post(client, path, {"CallSid": call.parent_sid})
    first = response.content.decode()
    assert gives_the_number(first, call) and "<Dial" in first
    assert "no-store" in response["Cache-Control"]
    call.refresh_from_db()
    assert call.bridged_at is not None
    replay = twiml(client, call, CallSid=call.parent_sid)
    assert "<Hangup" in replay and not gives_the_number(replay, call)


def test_another_call_sid_gets_a_hangup(client, call):
    other = twiml(client, call, CallSid="CA" + "f" * 32)
    assert "<Hangup" in other and not gives_the_number(other, call)
    without = twiml(client, call)
    assert "<Hangup" in without and not gives_the_number(without, call)
    # the genuine request still works afterwards
    assert gives_the_number(twiml(client, call, CallSid=call.parent_sid), call)


def test_after_the_respondent_leg_ended_the_number_is_not_given(client, call):
    status = reverse("fieldwork:telephony:status_callback", args=[call.pk])
    signed_post(
        client,
        status,
        {
            "CallSid": "CA" + "r" * 32,
            "ParentCallSid": call.parent_sid,
            "CallStatus": "completed",
            "SequenceNumber": "3",
        },
    )
    body = twiml(client, call, CallSid=call.parent_sid)
    assert "<Hangup" in body and not gives_the_number(body, call)


def test_after_the_interviewers_leg_ended_the_number_is_not_given(client, call):
    status = reverse("fieldwork:telephony:status_callback", args=[call.pk])
    signed_post(
        client,
        status,
        {"CallSid": call.parent_sid, "CallStatus": "no-answer", "SequenceNumber": "2"},
    )
    body = twiml(client, call, CallSid=call.parent_sid)
    assert "<Hangup" in body and not gives_the_number(body, call)


def test_twilio_asking_before_dial_saved_the_sid_is_answered_once(client, call):
    Call.objects.filter(pk=call.pk).update(parent_sid="", parent_status="")
    sid = "CA" + "a" * 32
    assert gives_the_number(twiml(client, call, CallSid=sid), call)
    call.refresh_from_db()
    assert call.parent_sid == sid
    assert not gives_the_number(twiml(client, call, CallSid=sid), call)


def test_unsigned_webhooks_are_rate_limited_per_address_and_signed_ones_never(
    client, rate_limits, call
):
    rate_limits(twilio="3/m")
    path = reverse("fieldwork:telephony:status_callback", args=[call.pk])
    event = {"CallSid": call.parent_sid, "CallStatus": "ringing", "SequenceNumber": "1"}
    forged = [
        client.post(path, event, HTTP_X_TWILIO_SIGNATURE="forged").status_code for _ in range(4)
    ]
    signed = [signed_post(client, path, event).status_code for _ in range(4)]
    assert forged == [403, 403, 403, 429]
    assert signed == [204, 204, 204, 204]  # Twilio itself is never held up by others' noise
    elsewhere = client.post(path, event, REMOTE_ADDR="10.1.2.3", HTTP_X_TWILIO_SIGNATURE="x")
    assert elsewhere.status_code == 403
