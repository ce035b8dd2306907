"""Back-checks by phone through telephony: a door interview checked by a different
interviewer, whose line rings first and who never sees the respondent's number."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from fieldwork.models import Call, Case, ContactAttempt, Interview, Mode
from fieldwork.telephony import services as telephony
from qc.models import BackCheck
from qc.services.backchecks import dial_backcheck, record_backcheck, select_backchecks
from qc.services.checks import check_interviews
from qc.services.settings import save_qc_settings
from tests.factories import PASSWORD, make_user
from tests.fieldwork.telephony_fakes import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CALLER_ID,
    LINE,
    PUBLIC_BASE_URL,
    signed_post,
    start_fake_twilio,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def fake_twilio(settings):
    """The local stand-in for Twilio's REST API (tests/fieldwork/telephony_fakes.py)."""
    state, server = start_fake_twilio()
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_CALLER_ID = CALLER_ID
    settings.TWILIO_API_BASE_URL = state.url
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def checker(db):
    user = make_user("checker", Role.INTERVIEWER)
    telephony.set_interviewer_line(user=user, phone=LINE)
    return user


@pytest.fixture
def door_backcheck(world, interviewer, checker, supervisor) -> BackCheck:
    interview = world.interview(interviewer, mode=Mode.DOOR, phone="13812345678")
    check_interviews(interviews=Interview.objects.filter(pk=interview.pk))
    save_qc_settings(wave=world.wave, user=supervisor, values={"backcheck_share_new": 1.0})
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=1)
    return BackCheck.objects.get(interview=interview)


def test_a_door_interview_is_back_checked_by_phone_without_the_number(
    client,
    fake_twilio,
    door_backcheck,
    checker,
):
    client.login(username=checker.username, password=PASSWORD)
    page = client.get(reverse("qc:backcheck_form", args=[door_backcheck.interview_id]))
    html = page.content.decode()
    assert "Call the respondent" in html and "checked by phone" in html
    assert "13812345678" not in html

    response = client.post(reverse("qc:backcheck_call", args=[door_backcheck.interview_id]))

    assert response.status_code == 302
    call = Call.objects.get()
    assert call.purpose == Call.Purpose.BACKCHECK and call.interviewer == checker
    [posted] = fake_twilio.posted("Calls")
    assert posted["To"] == "+86" + LINE  # the checker's own line rings first
    assert "13812345678" not in str(fake_twilio.requests)
    # Twilio asks for the TwiML once the checker answers: only then is the household dialled
    twiml = signed_post(client, reverse("fieldwork:telephony:twiml", args=[call.pk]),
                        {"CallSid": call.parent_sid, "CallStatus": "in-progress"})  # fmt: skip
    assert ">+8613812345678</Number>" in twiml.content.decode()
    after = client.get(reverse("qc:backcheck_form", args=[door_backcheck.interview_id]))
    assert "13812345678" not in after.content.decode()
    # the completed case is left as it was: no attempt, no reopening
    case = Case.objects.get(pk=door_backcheck.interview.case_id)
    assert case.status == Case.Status.COMPLETED and not ContactAttempt.objects.exists()


def test_only_the_assigned_checker_may_call_and_only_while_to_do(
    fake_twilio,
    door_backcheck,
    interviewer,
    checker,
):
    with pytest.raises(PermissionDenied):
        dial_backcheck(backcheck=door_backcheck, user=interviewer)
    record_backcheck(backcheck=door_backcheck, user=checker, answers={"sat_1": "5"})
    with pytest.raises(ValidationError, match="already done"):
        dial_backcheck(backcheck=door_backcheck, user=checker)
    assert not Call.objects.exists()


def test_a_household_without_a_number_is_checked_in_person(
    world,
    fake_twilio,
    interviewer,
    checker,
    supervisor,
):
    interview = world.interview(interviewer, mode=Mode.DOOR)
    interview.case.unit.phone = ""  # a door frame without numbers
    interview.case.unit.save(update_fields=["phone"])
    check_interviews(interviews=Interview.objects.filter(pk=interview.pk))
    save_qc_settings(wave=world.wave, user=supervisor, values={"backcheck_share_new": 1.0})
    select_backchecks(wave=world.wave, user=supervisor, checkers=[checker], seed=1)

    with pytest.raises(ValidationError, match="no phone number"):
        dial_backcheck(backcheck=BackCheck.objects.get(interview=interview), user=checker)


def test_a_back_check_call_records_no_outcome_on_the_case(
    fake_twilio,
    door_backcheck,
    checker,
):
    call = dial_backcheck(backcheck=door_backcheck, user=checker)

    with pytest.raises(ValidationError, match="records no outcome"):
        telephony.confirm_call(call=call, interviewer=checker, disposition="1.1")
