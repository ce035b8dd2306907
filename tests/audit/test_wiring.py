"""Every place where something auditable happens writes its event."""

import pytest
from django.urls import reverse

from accounts.models import Organisation, Role
from accounts.services import people
from audit.kinds import Kind
from audit.models import AuditEvent
from fieldwork.services import attempts
from tests.factories import PASSWORD, make_organisation

pytestmark = pytest.mark.django_db


def events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def all_text() -> str:
    return str(list(AuditEvent.objects.values_list("subject", "detail", "actor_name")))


def test_a_login_and_a_failed_login_are_recorded_with_the_address(client, interviewer):
    # when someone types a wrong password, then the right one
    login = reverse("login")
    client.post(login, {"username": interviewer.username, "password": "wrong"})
    client.post(login, {"username": interviewer.username, "password": PASSWORD})
    # then both are in the log, for that user, from the test client's address
    [failed] = events(Kind.LOGIN_FAILED)
    [signed_in] = events(Kind.LOGIN)
    assert failed.actor == signed_in.actor == interviewer
    assert failed.subject == interviewer.username and failed.ip == "127.0.0.1"
    assert signed_in.actor_role == Role.INTERVIEWER


def test_a_failed_login_under_an_unknown_name_keeps_the_name_typed_but_no_number(client):
    client.post(reverse("login"), {"username": "13812345678", "password": "x"})
    [failed] = events(Kind.LOGIN_FAILED)
    assert failed.actor is None and failed.subject == "[phone]"


def test_a_lockout_is_recorded(client, interviewer, settings):
    # given a limit of three failures
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        client.post(reverse("login"), {"username": interviewer.username, "password": "wrong"})
    # then the third locks the account out, and the log says so
    [locked] = events(Kind.LOCKED_OUT)
    assert locked.actor == interviewer and len(events(Kind.LOGIN_FAILED)) == 3


def test_a_wrong_second_factor_code_is_recorded(
    client, analyst, second_factor_not_verified_at_login
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=analyst, name="app", confirmed=True)
    client.post(reverse("login"), {"username": analyst.username, "password": PASSWORD})
    client.post(reverse("accounts:second_factor_verify"), {"code": "000000"})
    [failed] = events(Kind.SECOND_FACTOR_FAILED)
    assert failed.actor == analyst


def test_a_phone_reveal_names_the_household_and_never_the_number(
    client, my_case, interviewer, settings
):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_CALLER_ID = ""
    client.login(username=interviewer.username, password=PASSWORD)
    response = client.post(reverse("fieldwork:reveal_phone", args=[my_case.pk]))
    assert my_case.unit.phone in response.content.decode()
    [reveal] = events(Kind.PHONE_REVEALED)
    assert (reveal.actor, reveal.wave, reveal.subject) == (interviewer, my_case.wave, "H0")
    assert reveal.detail == {"case": my_case.pk}
    assert my_case.unit.phone not in all_text()
    assert my_case.unit.phone[-4:] not in all_text()


def test_changes_to_people_are_recorded_by_whom(analyst):
    firm = make_organisation("评估公司", Organisation.Kind.FIRM)
    user, _password = people.create_user(
        by=analyst, username="wang", full_name="王五", role=Role.INTERVIEWER, organisation=firm
    )
    team = people.save_team(by=analyst, name="一组", supervisor=None)
    people.update_user(
        by=analyst, user=user, full_name="王五", role=Role.INTERVIEWER,
        organisation=firm, team=team,
    )  # fmt: skip
    people.set_active(by=analyst, user=user, active=False)
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", "subject"))
    assert kinds == [
        (Kind.PASSWORD_RESET, "wang"),
        (Kind.USER_CREATED, "wang"),
        (Kind.TEAM_SAVED, "一组"),
        (Kind.USER_CHANGED, "wang"),
        (Kind.USER_DEACTIVATED, "wang"),
    ]
    assert set(AuditEvent.objects.values_list("actor", flat=True)) == {analyst.pk}
    assert "一组" in events(Kind.USER_CHANGED)[0].detail["changes"]


def test_a_refused_reveal_leaves_no_event(client, my_case, interviewer, settings):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_CALLER_ID = ""
    attempts.record_attempt(
        case=my_case, interviewer=interviewer, mode="phone", disposition="2.111"
    )
    client.login(username=interviewer.username, password=PASSWORD)
    client.post(reverse("fieldwork:reveal_phone", args=[my_case.pk]))
    assert not events(Kind.PHONE_REVEALED)


def test_a_wrong_code_while_setting_up_the_second_factor_is_recorded(
    client, analyst, second_factor_not_verified_at_login
):
    client.post(reverse("login"), {"username": analyst.username, "password": PASSWORD})
    client.get(reverse("accounts:second_factor_enrol"))
    client.post(reverse("accounts:second_factor_enrol"), {"code": "000000"})
    [failed] = events(Kind.SECOND_FACTOR_FAILED)
    assert failed.actor == analyst


def test_the_wave_links_to_its_own_audit_events(client, analyst, wave, english):
    from audit.services import record

    record(Kind.PHONE_REVEALED, wave=wave, subject="H1")
    record(Kind.PHONE_REVEALED, subject="elsewhere")
    client.login(username=analyst.username, password=PASSWORD)
    page = client.get(reverse("fieldwork:wave_detail", args=[wave.pk])).content.decode()
    link = f"{reverse('accounts:audit_log')}?wave={wave.pk}"
    assert link in page
    listed = client.get(link).content.decode().split("<tbody>")[1]
    assert "H1" in listed and "elsewhere" not in listed
