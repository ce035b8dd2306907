"""Case handling that cannot misfire: outcome lists by mode, no default outcome, a second yes
for final codes, validated callbacks, the wave's mode, and a supervisor's reopening."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fieldwork.models import Appointment, Case, CaseEvent, ContactAttempt
from fieldwork.services import assignment, attempts, interviews, next_case
from tests.factories import PASSWORD, local_input, next_weekday_at


@pytest.fixture
def browser(client, interviewer):
    client.login(username=interviewer.username, password=PASSWORD)
    return client


def _options(page: str, form_id: str) -> list[str]:
    form = page[page.index(f'id="{form_id}"') :]
    select = form[form.index('name="disposition"') : form.index("</select>")]
    return [part.split('"')[0] for part in select.split('<option value="')[1:]]


def test_the_phone_outcome_list_starts_empty_and_names_codes_in_words(browser, my_case, english):
    page = browser.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
    codes = _options(page, "attempt-form")
    assert codes[0] == ""  # no outcome until one is picked
    assert "3.13" in codes and "2.21" in codes and "4.20" in codes
    assert "4.60" not in codes  # no vacant flats on the phone
    assert "Callback requested · 2.21" in page and "Line busy · 3.12" in page


def test_the_door_list_has_no_fax_or_voicemail(browser, my_case):
    page = browser.get(reverse("fieldwork:case_detail", args=[my_case.pk]) + "?mode=door")
    codes = _options(page.content.decode(), "visit-form")
    assert codes[0] == "" and "4.60" in codes and "3.18" in codes
    assert not {"4.20", "3.14", "2.221"} & set(codes)


def test_pressing_record_without_an_outcome_records_nothing(browser, my_case):
    url = reverse("fieldwork:record_attempt", args=[my_case.pk])
    response = browser.post(url, {"mode": "phone", "disposition": ""})
    assert response.status_code == 400
    assert not ContactAttempt.objects.exists()


def test_a_callback_needs_its_time(browser, my_case, english):
    url = reverse("fieldwork:record_attempt", args=[my_case.pk])
    response = browser.post(url, {"mode": "phone", "disposition": "2.21"})
    assert "Give the time the respondent asked for." in response.content.decode()
    assert not ContactAttempt.objects.exists()


def test_a_past_callback_is_refused_and_nothing_is_written(browser, my_case, english):
    url = reverse("fieldwork:record_attempt", args=[my_case.pk])
    response = browser.post(
        url, {"mode": "phone", "disposition": "2.21", "appointment_at": "2020-01-01T03:00"}
    )
    assert response.status_code == 400
    assert "2020-01-01 03:00 has already passed" in response.content.decode()
    assert not ContactAttempt.objects.exists() and not Appointment.objects.exists()


def test_a_soft_callback_in_the_evening_is_kept_for_whoever_takes_the_case(
    browser, my_case, supervisor, client
):
    at = next_weekday_at(19)
    url = reverse("fieldwork:record_attempt", args=[my_case.pk])
    browser.post(
        url,
        {
            "mode": "phone",
            "disposition": "2.21",
            "appointment_at": local_input(at),
            "appointment_kind": "soft",
        },
    )
    appointment = Appointment.objects.get(case=my_case)
    assert (appointment.at, appointment.kind) == (at, "soft")
    my_case.refresh_from_db()
    assert (my_case.status, my_case.disposition) == (Case.Status.PENDING, "2.21")
    page = browser.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
    assert 'id="open-appointment"' in page and at.strftime("%Y-%m-%d %H:%M") in page


def test_a_final_outcome_needs_a_second_yes(browser, my_case, english):
    url = reverse("fieldwork:record_attempt", args=[my_case.pk])
    asked = browser.post(url, {"mode": "phone", "disposition": "2.112", "note": "不需要"})
    page = asked.content.decode()
    assert 'id="confirm-final"' in page and "Refused by the respondent · 2.112" in page
    assert not ContactAttempt.objects.exists()
    browser.post(url, {"mode": "phone", "disposition": "2.112", "confirmed": "on"})
    my_case.refresh_from_db()
    assert (my_case.status, my_case.disposition) == (Case.Status.CLOSED, "2.112")


def test_a_door_only_wave_cannot_be_called(my_case, interviewer, english):
    my_case.wave.mode = "door"
    my_case.wave.save(update_fields=["mode"])
    with pytest.raises(ValidationError, match="worked"):
        interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    with pytest.raises(ValidationError):
        attempts.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition="3.13"
        )
    assert not ContactAttempt.objects.exists()


def test_a_phone_wave_shows_one_page_without_door_forms(browser, my_case):
    my_case.wave.mode = "phone"
    my_case.wave.save(update_fields=["mode"])
    page = browser.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
    assert 'id="phone-call"' in page and 'id="door-visit"' not in page
    assert reverse("fieldwork:select_respondent", args=[my_case.pk]) not in page


def test_a_supervisor_reopens_a_wrong_refusal_with_a_reason(
    client, my_case, interviewer, supervisor
):
    attempts.record_attempt(case=my_case, interviewer=interviewer, mode="phone", disposition="3.13")
    attempts.record_attempt(case=my_case, interviewer=interviewer, mode="phone", disposition="2.11")
    client.login(username=supervisor.username, password=PASSWORD)
    url = reverse("fieldwork:reopen_case", args=[my_case.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    client.post(url, {"reason": "误点拒访"})
    my_case.refresh_from_db()
    # The refusal no longer decides the case; the earlier no-answer does
    assert (my_case.status, my_case.disposition) == (Case.Status.PENDING, "3.13")
    event = CaseEvent.objects.get(case=my_case)
    assert (event.kind, event.reason, event.previous_disposition, event.actor) == (
        "reopened",
        "误点拒访",
        "2.11",
        supervisor,
    )
    refusal = ContactAttempt.objects.get(case=my_case, disposition="2.11")
    assert refusal.voided_at is not None
    page = client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
    assert "误点拒访" in page and 'class="void"' in page


def test_only_a_closed_case_is_reopened(my_case, supervisor):
    with pytest.raises(ValidationError):
        assignment.reopen_case(case=my_case, actor=supervisor, reason="试试")
    assert not CaseEvent.objects.exists()


def test_a_case_reopened_after_a_wrong_last_attempt_gets_that_attempt_back(
    client, my_case, interviewer, supervisor, english
):
    # Calls made in an afternoon (whatever the time the test runs), so that next case's
    # morning is a day part this case was not tried in
    afternoon = next_weekday_at(15, days=1)
    for i, code in enumerate(["3.13", "3.13", "3.12", "3.13", "2.11"]):  # the fifth by mistake
        attempts.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition=code,
            now=afternoon + timedelta(minutes=i),
        )  # fmt: skip
    assignment.reopen_case(case=my_case, actor=supervisor, reason="误点拒访")
    my_case.refresh_from_db()
    assert (my_case.status, my_case.attempts) == (Case.Status.PENDING, 4)
    # The scheduler offers it again: it is under the wave's maximum of 5
    offered = next_case.assign_next_case(
        wave=my_case.wave, interviewer=interviewer, now=next_weekday_at(10, after=afternoon)
    )
    assert offered is not None and offered.case == my_case
    event = CaseEvent.objects.get(case=my_case, kind="reopened")
    assert event.attempts_counted == 4
    client.login(username=supervisor.username, password=PASSWORD)
    page = client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
    assert "attempts counted again without the voided ones: 4 of 5" in page


def test_a_number_written_in_a_note_is_masked_in_the_case_history(browser, my_case, interviewer):
    attempts.record_attempt(
        case=my_case, interviewer=interviewer, mode="phone", disposition="3.13",
        note="家人说改拨１３９ 1234 5678",
    )  # fmt: skip
    page = browser.get(reverse("fieldwork:case_detail", args=[my_case.pk])).content.decode()
    assert "家人说改拨139****5678" in page and "１３９ 1234 5678" not in page
