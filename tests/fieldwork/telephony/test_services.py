"""Twilio click-to-call, callbacks and pre-notification SMS against a local fake Twilio."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from twilio.request_validator import RequestValidator

from fieldwork.models import (
    Call,
    Case,
    ContactAttempt,
    PrenotificationPlan,
    SmsMessage,
    TwilioEvent,
)
from fieldwork.services import attempts
from fieldwork.telephony import services as telephony_services
from tests.factories import PASSWORD
from tests.fieldwork.telephony_fakes import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CALLER_ID,
    LINE,
    PUBLIC_BASE_URL,
    signed_post,
)

# These tests check the wording of messages, written in English.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def call(fake_twilio, my_case, interviewer, line) -> Call:
    return telephony_services.dial(case=my_case, interviewer=interviewer)


def status_path(call: Call) -> str:
    return reverse("fieldwork:telephony:status_callback", args=[call.pk])


def respondent_event(call: Call, status: str, sequence: int, **extra) -> dict:
    return {
        "CallSid": "CA" + "r" * 32,
        "ParentCallSid": call.parent_sid,
        "CallStatus": status,
        "SequenceNumber": str(sequence),
        "To": "+86" + call.case.unit.phone,
        "From": CALLER_ID,
        **extra,
    }


# Dialling


def test_dial_creates_the_interviewers_leg_with_our_twiml_url(call, fake_twilio, my_case):
    [posted] = fake_twilio.posted("Calls")
    assert fake_twilio.requests[0]["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    assert fake_twilio.requests[0]["auth"].startswith("Basic ")
    assert posted["To"] == "+86" + LINE
    assert posted["From"] == CALLER_ID
    assert posted["Url"] == f"{PUBLIC_BASE_URL}/fieldwork/telephony/calls/{call.pk}/twiml/"
    assert (
        posted["StatusCallback"] == f"{PUBLIC_BASE_URL}/fieldwork/telephony/calls/{call.pk}/status/"
    )
    assert posted["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    # the respondent's number is not sent until Twilio asks for the TwiML
    assert my_case.unit.phone not in str([r["form"] for r in fake_twilio.requests])
    assert call.parent_sid.startswith("CA") and call.parent_status == "queued"


def test_twiml_bridges_to_the_respondent_with_recording(client, call, my_case):
    path = reverse("fieldwork:telephony:twiml", args=[call.pk])
    response = signed_post(client, path, {"CallSid": call.parent_sid, "CallStatus": "in-progress"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    twiml = response.content.decode()
    assert "<Number " in twiml and f">+86{my_case.unit.phone}</Number>" in twiml
    assert 'answerOnBridge="true"' in twiml
    assert f'callerId="{CALLER_ID}"' in twiml
    assert 'record="record-from-answer-dual"' in twiml
    assert f'action="{PUBLIC_BASE_URL}/fieldwork/telephony/calls/{call.pk}/dial-action/"' in twiml
    assert (
        f'recordingStatusCallback="{PUBLIC_BASE_URL}/fieldwork/telephony/calls/{call.pk}/recording-status/"'
        in twiml
    )
    assert 'statusCallbackEvent="initiated ringing answered completed"' in twiml


def test_twiml_hangs_up_once_the_case_is_finished(client, call, my_case, interviewer):
    attempts.record_attempt(case=my_case, interviewer=interviewer, mode="phone", disposition="2.11")
    path = reverse("fieldwork:telephony:twiml", args=[call.pk])
    twiml = signed_post(client, path, {"CallSid": call.parent_sid}).content.decode()
    assert "<Hangup" in twiml and my_case.unit.phone not in twiml


def test_dial_without_a_line_asks_for_one(fake_twilio, my_case, interviewer):
    with pytest.raises(ValidationError, match="No phone line"):
        telephony_services.dial(case=my_case, interviewer=interviewer)
    assert fake_twilio.requests == [] and Call.objects.count() == 0


def test_dial_twice_while_on_the_line_is_refused(call, my_case, interviewer, fake_twilio):
    with pytest.raises(ValidationError, match="already has a call"):
        telephony_services.dial(case=my_case, interviewer=interviewer)
    assert len(fake_twilio.posted("Calls")) == 1


def test_a_twilio_error_keeps_only_its_code(fake_twilio, my_case, interviewer, line):
    fake_twilio.fail_with = (
        400,
        {"code": 21211, "message": f"The 'To' number +86{LINE} is not valid.", "status": 400},
    )
    with pytest.raises(ValidationError, match="could not be placed"):
        telephony_services.dial(case=my_case, interviewer=interviewer)
    failed = Call.objects.get()
    assert failed.error == "Twilio error 21211"
    # a failed call does not block the next try
    assert telephony_services.dial(case=my_case, interviewer=interviewer).parent_sid


def test_dial_in_manual_mode_is_refused(settings, my_case, interviewer, line):
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ValidationError, match="dial by hand"):
        telephony_services.dial(case=my_case, interviewer=interviewer)
    assert Call.objects.count() == 0


# Callbacks


@pytest.mark.parametrize(
    ("final", "extra", "code"),
    [
        ("busy", {}, "3.12"),
        ("no-answer", {}, "3.13"),
        ("failed", {"SipResponseCode": "404"}, "4.30"),
        ("completed", {"AnsweredBy": "machine_end_beep", "CallDuration": "17"}, "3.14"),
    ],
)
def test_signed_status_callbacks_update_the_call_and_propose_a_disposition(
    client, call, final, extra, code
):
    for sequence, status in enumerate(["initiated", "ringing"]):
        response = signed_post(client, status_path(call), respondent_event(call, status, sequence))
        assert response.status_code == 204
    call.refresh_from_db()
    assert (call.status, call.proposed_disposition, call.ended_at) == ("ringing", "", None)
    signed_post(client, status_path(call), respondent_event(call, final, 2, **extra))
    call.refresh_from_db()
    assert call.status == final and call.sid == "CA" + "r" * 32
    assert call.proposed_disposition == code
    assert call.ended_at is not None
    if "CallDuration" in extra:
        assert call.duration_seconds == 17


def test_the_interviewers_leg_is_tracked_apart(client, call):
    event = {"CallSid": call.parent_sid, "CallStatus": "no-answer", "SequenceNumber": "2"}
    signed_post(client, status_path(call), event)
    call.refresh_from_db()
    assert (call.parent_status, call.status, call.proposed_disposition) == ("no-answer", "", "")
    assert call.is_over


def test_a_tampered_webhook_is_forbidden_and_changes_nothing(client, call):
    data = respondent_event(call, "busy", 3)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        PUBLIC_BASE_URL + status_path(call), data
    )
    tampered = {**data, "CallStatus": "completed"}
    response = client.post(status_path(call), tampered, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    assert client.post(status_path(call), data).status_code == 403  # unsigned
    wrong_key = signed_post(client, status_path(call), data, base="https://evil.example.org")
    assert wrong_key.status_code == 403
    call.refresh_from_db()
    assert call.status == "" and TwilioEvent.objects.count() == 0


def test_a_repeated_callback_has_one_effect(client, call):
    answered = respondent_event(call, "in-progress", 2)
    signed_post(client, status_path(call), answered)
    call.refresh_from_db()
    first_answer = call.answered_at
    assert signed_post(client, status_path(call), answered).status_code == 204
    call.refresh_from_db()
    assert call.answered_at == first_answer
    assert TwilioEvent.objects.filter(kind="status").count() == 1


def test_a_late_older_callback_does_not_overwrite_a_newer_status(client, call):
    signed_post(client, status_path(call), respondent_event(call, "in-progress", 2))
    signed_post(client, status_path(call), respondent_event(call, "ringing", 1))
    call.refresh_from_db()
    assert (call.status, call.sequence) == ("in-progress", 2)
    signed_post(client, status_path(call), respondent_event(call, "completed", 3))
    signed_post(client, status_path(call), respondent_event(call, "initiated", 0))
    call.refresh_from_db()
    assert (call.status, call.sequence) == ("completed", 3)


def test_dial_action_fills_in_a_lost_final_callback(client, call):
    signed_post(client, status_path(call), respondent_event(call, "ringing", 1))
    path = reverse("fieldwork:telephony:dial_action", args=[call.pk])
    data = {"CallSid": call.parent_sid, "DialCallSid": "CA" + "r" * 32, "DialCallStatus": "busy"}
    response = signed_post(client, path, data)
    assert "<Hangup" in response.content.decode()
    call.refresh_from_db()
    assert (call.status, call.proposed_disposition) == ("busy", "3.12")
    # the final callback arriving afterwards agrees and changes nothing
    signed_post(client, status_path(call), respondent_event(call, "busy", 2))
    call.refresh_from_db()
    assert (call.status, call.proposed_disposition) == ("busy", "3.12")


def test_behind_a_tls_proxy_the_forwarded_scheme_is_signed(client, settings, call):
    settings.PUBLIC_BASE_URL = ""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    data = respondent_event(call, "ringing", 1)
    # Twilio signed https://…; the proxy forwards plain http with X-Forwarded-Proto.
    without_header = signed_post(client, status_path(call), data, base="https://testserver")
    assert without_header.status_code == 403
    response = signed_post(
        client, status_path(call), data, base="https://testserver", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 204
    call.refresh_from_db()
    assert call.status == "ringing"


def test_recording_callback_keeps_the_recording_for_qc(client, call):
    path = reverse("fieldwork:telephony:recording_callback", args=[call.pk])
    data = {
        "CallSid": call.parent_sid,
        "RecordingSid": "RE" + "1" * 32,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE"
        + "1" * 32,
        "RecordingStatus": "completed",
        "RecordingDuration": "95",
    }
    assert signed_post(client, path, data).status_code == 204
    assert signed_post(client, path, data).status_code == 204
    call.refresh_from_db()
    assert call.recording_sid == data["RecordingSid"]
    assert call.recording_url == data["RecordingUrl"]
    assert call.recording_seconds == 95
    assert TwilioEvent.objects.filter(kind="recording").count() == 1


# Confirming the outcome


def test_confirming_the_proposed_outcome_records_the_attempt(client, call, my_case, interviewer):
    signed_post(client, status_path(call), respondent_event(call, "busy", 2))
    call.refresh_from_db()
    attempt = telephony_services.confirm_call(
        call=call, interviewer=interviewer, disposition=call.proposed_disposition
    )
    assert (attempt.mode, attempt.disposition) == ("phone", "3.12")
    assert attempt.started_at == call.created_at and attempt.ended_at == call.ended_at
    call.refresh_from_db()
    my_case.refresh_from_db()
    assert call.attempt == attempt and my_case.attempts == 1
    with pytest.raises(ValidationError, match="already recorded"):
        telephony_services.confirm_call(call=call, interviewer=interviewer, disposition="3.13")
    assert ContactAttempt.objects.filter(case=my_case).count() == 1


def test_a_language_problem_confirmed_on_the_call_panel_goes_to_a_speaker(
    client, call, my_case, interviewer
):
    # given the call ended; the interviewer confirms a language problem, naming Cantonese
    signed_post(client, status_path(call), respondent_event(call, "completed", 2))
    client.login(username=interviewer.username, password=PASSWORD)
    response = client.post(
        reverse("fieldwork:telephony:confirm_call", args=[call.pk]),
        {"disposition": "2.33", "language": "cantonese"},
    )
    # then no second yes is asked: the case is not closed but back in the pool for a speaker
    assert response.status_code == 302 and response.url == reverse("fieldwork:my_cases")
    my_case.refresh_from_db()
    assert (my_case.status, my_case.interviewer, my_case.language) == (
        "pending",
        None,
        "cantonese",
    )
    assert ContactAttempt.objects.get(case=my_case).language == "cantonese"


def test_starting_the_interview_on_the_call_ties_its_attempt(client, call, my_case, interviewer):
    signed_post(client, status_path(call), respondent_event(call, "in-progress", 2))
    interview = telephony_services.start_interview_on_call(call=call, interviewer=interviewer)
    call.refresh_from_db()
    assert interview.case == my_case and interview.mode == "phone"
    assert call.attempt == ContactAttempt.objects.get(case=my_case)


# Pre-notification SMS


@pytest.fixture
def plan(wave):
    return PrenotificationPlan.objects.create(wave=wave, hotline="0571-12345678")


def test_prenotification_is_sent_once_per_case(fake_twilio, wave, plan, my_case, interviewer):
    attempts.record_attempt(case=my_case, interviewer=interviewer, mode="phone", disposition="3.13")
    counts = telephony_services.send_prenotification(wave=wave)
    fresh = Case.objects.filter(wave=wave).exclude(pk=my_case.pk)
    assert counts == {"sent": fresh.count(), "failed": 0, "skipped": 1}
    sent = fake_twilio.posted("Messages")
    assert sorted(m["To"] for m in sent) == sorted("+86" + c.unit.phone for c in fresh)
    assert all(m["From"] == CALLER_ID for m in sent)
    assert wave.client.name in sent[0]["Body"] and "0571-12345678" in sent[0]["Body"]
    assert wave.name in sent[0]["Body"]
    assert SmsMessage.objects.filter(status="sent").count() == fresh.count()

    again = telephony_services.send_prenotification(wave=wave)
    assert again["sent"] == 0 and len(fake_twilio.posted("Messages")) == fresh.count()


def test_a_failed_sms_is_tried_again_next_time(fake_twilio, wave, plan):
    case = Case.objects.filter(wave=wave).first()
    fake_twilio.fail_with = (500, {"code": 20500, "message": "Internal error", "status": 500})
    assert telephony_services.send_prenotification(cases=[case])["failed"] == 1
    assert SmsMessage.objects.get(case=case).error == "Twilio error 20500"
    assert telephony_services.send_prenotification(cases=[case])["sent"] == 1
    assert len(fake_twilio.posted("Messages")) == 2


def test_send_prenotification_command(fake_twilio, wave, plan, capsys):
    call_command("send_prenotification", "--wave", str(wave.pk))
    assert len(fake_twilio.posted("Messages")) == wave.cases.count()
    assert f"{wave.cases.count()} sent" in capsys.readouterr().out


def test_send_prenotification_command_refuses_a_wave_without_a_plan(fake_twilio, wave):
    with pytest.raises(CommandError, match="no pre-notification"):
        call_command("send_prenotification", "--wave", str(wave.pk))
    assert fake_twilio.requests == []


def test_a_bad_message_template_is_reported_before_sending(fake_twilio, wave, plan):
    plan.template = "{client} {name}"
    plan.save(update_fields=["template"])
    with pytest.raises(ValidationError, match=r"\{name\}"):
        telephony_services.send_prenotification(wave=wave)
    assert fake_twilio.requests == [] and SmsMessage.objects.count() == 0


def test_the_command_can_set_the_plan_and_send(fake_twilio, wave):
    call_command(
        "send_prenotification",
        "--wave",
        str(wave.pk),
        "--hotline",
        "12345",
        "--template",
        "{client}：{evaluation}，核实{hotline}",
    )
    bodies = {m["Body"] for m in fake_twilio.posted("Messages")}
    assert bodies == {f"{wave.client.name}：{wave.name}，核实12345"}


def test_a_plan_with_a_bad_template_is_not_saved(wave):
    with pytest.raises(ValidationError, match="unbalanced|not a valid template"):
        telephony_services.set_prenotification_plan(wave=wave, hotline="110", template="{client")
    assert not PrenotificationPlan.objects.exists()


def test_an_interviewer_line_must_be_a_dialable_number(interviewer):
    with pytest.raises(ValidationError, match=r"\+8613812345678"):
        telephony_services.set_interviewer_line(user=interviewer, phone="分机 12")
    call_command("set_interviewer_line", interviewer.username, "139 1111 2222")
    assert interviewer.telephony_line.phone == "+8613911112222"


def test_a_door_only_wave_is_not_dialled(fake_twilio, my_case, interviewer, line):
    my_case.wave.mode = "door"
    my_case.wave.save(update_fields=["mode"])
    with pytest.raises(ValidationError, match="worked"):
        telephony_services.dial(case=my_case, interviewer=interviewer)
    assert not Call.objects.exists() and not fake_twilio.requests
