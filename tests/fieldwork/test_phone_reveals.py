"""Manual-dial mode: the full number only for an open case the interviewer holds now, each time
recorded, and not too often."""

import pytest
from django.urls import reverse

from fieldwork.models import Case, PhoneReveal
from fieldwork.services import attempts, waves
from tests.factories import PASSWORD, make_user


@pytest.fixture(autouse=True)
def manual_dial(settings):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_CALLER_ID = ""


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def reveal(client, case):
    return client.post(reverse("fieldwork:reveal_phone", args=[case.pk]), HTTP_HX_REQUEST="true")


def test_the_number_of_an_open_case_is_shown_recorded_and_not_cached(client, my_case, interviewer):
    login(client, interviewer)
    response = reveal(client, my_case)
    assert response.status_code == 200
    assert my_case.unit.phone in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    [record] = PhoneReveal.objects.all()
    assert (record.interviewer, record.case) == (interviewer, my_case)
    assert record.revealed_at is not None


@pytest.mark.parametrize("disposition", ["2.111", "4.30"])  # a refusal, a non-working number
def test_a_finished_case_keeps_its_number_hidden(client, my_case, interviewer, disposition):
    attempts.record_attempt(
        case=my_case, interviewer=interviewer, mode="phone", disposition=disposition
    )
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.CLOSED
    login(client, interviewer)
    page = client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
    assert reverse("fieldwork:reveal_phone", args=[my_case.pk]) not in page
    response = reveal(client, my_case)
    assert response.status_code == 409
    body = response.content.decode()
    assert my_case.unit.phone not in body and "号码不再显示" in body
    assert not PhoneReveal.objects.exists()


def test_a_completed_case_keeps_its_number_hidden(client, my_case, interviewer):
    Case.objects.filter(pk=my_case.pk).update(status=Case.Status.COMPLETED, disposition="1.1")
    login(client, interviewer)
    response = reveal(client, my_case)
    assert response.status_code == 409 and my_case.unit.phone not in response.content.decode()
    assert not PhoneReveal.objects.exists()


def test_a_case_the_interviewer_no_longer_holds_is_not_found(
    client, my_case, interviewer, other_interviewer
):
    Case.objects.filter(pk=my_case.pk).update(interviewer=other_interviewer)
    login(client, interviewer)
    response = reveal(client, my_case)
    assert response.status_code == 404 and my_case.unit.phone not in response.content.decode()
    assert not PhoneReveal.objects.exists()


def test_with_telephony_the_number_is_never_shown(client, settings, my_case, interviewer):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_CALLER_ID = "+8602000000000"
    login(client, interviewer)
    response = reveal(client, my_case)
    assert response.status_code == 403 and my_case.unit.phone not in response.content.decode()
    assert not PhoneReveal.objects.exists()


def test_reveals_are_limited_per_interviewer_with_a_message(
    client, rate_limits, wave, interviewer, other_interviewer
):
    rate_limits(reveal_phone="3/h")
    waves.assign_cases(wave=wave, interviewer=interviewer, count=4)
    waves.assign_cases(wave=wave, interviewer=other_interviewer, count=1)
    mine = list(wave.cases.filter(interviewer=interviewer))
    login(client, interviewer)
    assert [reveal(client, case).status_code for case in mine[:3]] == [200, 200, 200]
    refused = reveal(client, mine[3])
    assert refused.status_code == 429
    body = refused.content.decode()
    assert mine[3].unit.phone not in body
    assert "请求过于频繁" in body  # the request's language: Chinese by default
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "no-store" in refused["Cache-Control"]
    assert PhoneReveal.objects.count() == 3
    english = client.post(
        reverse("fieldwork:reveal_phone", args=[mine[3].pk]),
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 429 and "Too many requests" in english.content.decode()
    # the limit is the interviewer's own: a colleague still dials
    login(client, other_interviewer)
    assert reveal(client, wave.cases.get(interviewer=other_interviewer)).status_code == 200


def test_supervisors_see_who_was_shown_a_number_and_when(
    client, wave, my_case, interviewer, supervisor
):
    login(client, interviewer)
    reveal(client, my_case)
    reveal(client, my_case)
    login(client, supervisor)
    page = client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
    assert page.count("人工拨号时显示号码的记录") == 1
    shown = page.split("人工拨号时显示号码的记录", 1)[1].split("</table>", 1)[0]
    assert shown.count(f"<td>{interviewer}</td>") == 2
    assert my_case.unit.phone not in page
    rows = client.get(reverse("fieldwork:wave_detail", args=[wave.pk])).context["phone_reveals"]
    assert [(r["interviewer"], r["shown"], r["cases"]) for r in rows] == [
        (interviewer.username, 2, 1)
    ]


def test_the_admin_lists_reveals_read_only(client, my_case, interviewer):
    login(client, interviewer)
    reveal(client, my_case)
    admin = make_user("admin", "analyst")
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    login(client, admin)
    listing = client.get(reverse("admin:fieldwork_phonereveal_changelist"))
    assert listing.status_code == 200 and interviewer.username in listing.content.decode()
    record = PhoneReveal.objects.get()
    assert (
        client.post(reverse("admin:fieldwork_phonereveal_delete", args=[record.pk])).status_code
        == 403
    )
    assert PhoneReveal.objects.count() == 1


def test_a_door_only_waves_number_is_not_shown(client, my_case, interviewer):
    my_case.wave.mode = "door"
    my_case.wave.save(update_fields=["mode"])
    login(client, interviewer)
    response = reveal(client, my_case)
    assert response.status_code == 409
    assert my_case.unit.phone not in response.content.decode()
    assert not PhoneReveal.objects.exists()
