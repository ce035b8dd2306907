import pytest
from django.urls import reverse

from fieldwork.models import Case, ContactAttempt, Wave
from fieldwork.services import interviews, waves
from tests.factories import PASSWORD, make_organisation


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_my_cases_lists_only_my_cases_with_masked_phones(
    client, wave, interviewer, other_interviewer, django_assert_max_num_queries
):
    waves.assign_cases(wave=wave, interviewer=interviewer, count=2)
    waves.assign_cases(wave=wave, interviewer=other_interviewer, count=3)
    login(client, interviewer)
    # the second factor, the session's new expiry; the day's appointments, attempts, completes
    # and target; constant in the number of cases
    with django_assert_max_num_queries(15):
        response = client.get(reverse("fieldwork:my_cases"))
    mine = set(wave.cases.filter(interviewer=interviewer).values_list("id", flat=True))
    assert {row["id"] for row in response.context["rows"]} == mine
    body = response.content.decode()
    assert "138****0000" in body or "138****0001" in body
    assert "13800000000" not in body and "13800000001" not in body


def test_another_interviewers_case_is_not_found(client, my_case, other_interviewer):
    login(client, other_interviewer)
    assert client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).status_code == 404
    url = reverse("fieldwork:reveal_phone", args=[my_case.pk])
    assert client.post(url).status_code == 404


def test_assigned_interviewer_can_reveal_the_number_to_dial(client, my_case, interviewer):
    login(client, interviewer)
    response = client.post(reverse("fieldwork:reveal_phone", args=[my_case.pk]))
    assert response.status_code == 200
    assert my_case.unit.phone in response.content.decode()


def test_case_detail_masks_the_phone(client, my_case, interviewer, supervisor):
    for user in (interviewer, supervisor):
        login(client, user)
        body = client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
        assert my_case.unit.phone not in body
        assert f"{my_case.unit.phone[:3]}****{my_case.unit.phone[-4:]}" in body


def test_recording_an_outcome_from_the_case_page(client, my_case, interviewer):
    login(client, interviewer)
    url = reverse("fieldwork:record_attempt", args=[my_case.pk])
    outcome = {"mode": "phone", "disposition": "2.111", "note": "户主拒访"}
    asked = client.post(url, outcome)
    # A refusal closes the case: the page asks first, and nothing is written yet
    assert asked.status_code == 200 and 'id="confirm-final"' in asked.content.decode()
    assert not ContactAttempt.objects.filter(case=my_case).exists()
    response = client.post(url, {**outcome, "confirmed": "on"})
    assert response.status_code == 302
    attempt = ContactAttempt.objects.get(case=my_case)
    assert (attempt.disposition, attempt.note) == ("2.111", "户主拒访")
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.CLOSED


def test_starting_an_interview_redirects_to_its_wizard(client, my_case, interviewer):
    login(client, interviewer)
    response = client.post(
        reverse("fieldwork:start_interview", args=[my_case.pk]), {"mode": "door"}
    )
    interview = my_case.interview
    assert response.url == reverse("fieldwork:interview", args=[interview.pk])
    assert interview.mode == "door"


def test_supervisor_assigns_cases_of_a_street_from_the_cases_tab(
    client, wave, supervisor, interviewer
):
    login(client, supervisor)
    street = wave.cases.first().street
    response = client.post(
        reverse("fieldwork:assign_street", args=[wave.pk]),
        {"interviewer": interviewer.pk, "count": 4, "street": street.pk, "reason": "新访员"},
    )
    assert response.status_code == 302
    assert wave.cases.filter(interviewer=interviewer, street=street).count() == 4


def test_assigning_to_a_supervisor_is_refused_by_the_form(client, wave, supervisor):
    login(client, supervisor)
    street = wave.cases.first().street
    response = client.post(
        reverse("fieldwork:assign_street", args=[wave.pk]),
        {"interviewer": supervisor.pk, "count": 1, "street": street.pk, "reason": "x"},
    )
    assert response.status_code == 400
    assert "interviewer" in response.context["street_form"].errors
    assert not wave.cases.exclude(interviewer=None).exists()


def test_analyst_creates_a_wave_from_a_draw(client, analyst, draw, standard_version):
    login(client, analyst)
    response = client.post(
        reverse("fieldwork:wave_create"),
        {
            "name": "2027年第一季度",
            "client": make_organisation("平安市委政法委").pk,
            "questionnaire_version": standard_version.pk,
            "draw": draw.pk,
            "max_attempts": 6,
        },
    )
    wave = Wave.objects.get(name="2027年第一季度")
    assert response.url == reverse("fieldwork:wave_detail", args=[wave.pk])
    assert wave.cases.count() == 6 and wave.max_attempts == 6


@pytest.mark.parametrize("role_fixture", ["supervisor", "interviewer", "client_user"])
def test_only_analysts_create_waves(client, request, role_fixture):
    login(client, request.getfixturevalue(role_fixture))
    assert client.get(reverse("fieldwork:wave_create")).status_code == 403


@pytest.mark.parametrize("role_fixture", ["interviewer", "analyst", "supervisor"])
def test_locality_options_cascade_to_the_children_of_the_chosen_parent(
    client, request, tree, role_fixture
):
    """The interviewer's wizard, and staff's test run of a questionnaire, which shows the
    same pages."""
    login(client, request.getfixturevalue(role_fixture))
    response = client.get(
        reverse("fieldwork:locality_options"),
        {
            "level": "street",
            "param": "locality-district",
            "locality-district": "D2",
            "clear": "id_locality-community",
        },
    )
    body = response.content.decode()
    assert "青山镇" in body and "东湖街道" not in body
    assert 'id="id_locality-community"' in body  # the community list is emptied too


def test_my_cases_lists_interviews_under_way_first(client, wave, interviewer):
    waves.assign_cases(wave=wave, interviewer=interviewer, count=3)
    last = wave.cases.filter(interviewer=interviewer).order_by("id").last()
    interviews.start_interview(case=last, interviewer=interviewer, mode="phone")
    login(client, interviewer)
    rows = client.get(reverse("fieldwork:my_cases")).context["rows"]
    assert rows[0]["id"] == last.pk
    assert [row["id"] for row in rows[1:]] == sorted(row["id"] for row in rows[1:])


def test_with_telephony_configured_the_number_is_never_revealed(
    client, settings, my_case, interviewer
):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_CALLER_ID = "+8602000000000"
    login(client, interviewer)
    response = client.post(reverse("fieldwork:reveal_phone", args=[my_case.pk]))
    assert response.status_code == 403
    assert my_case.unit.phone not in response.content.decode()
