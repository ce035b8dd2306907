"""Who may be given a case: cross-region calling and cases that failed on language (2.33),
through the attempt service, the database queue and the case page (SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from fieldwork.models import Case, CaseEvent, ContactAttempt, InterviewerProfile, Wave
from fieldwork.services import attempts, next_case
from tests.factories import PASSWORD, make_organisation, make_user, next_weekday_at

MONDAY_10 = next_weekday_at(10)


def speaks(user, *dialects, home=None) -> None:
    InterviewerProfile.objects.update_or_create(
        user=user, defaults={"dialects": list(dialects), "home_county": home}
    )


def test_a_language_problem_with_the_language_sends_the_case_to_a_speaker(
    wave, my_case, interviewer, other_interviewer
):
    # given the wave's other cases are taken, so only the language case could be given
    speaks(other_interviewer, "cantonese")
    Case.objects.filter(wave=wave).exclude(pk=my_case.pk).update(status=Case.Status.CLOSED)
    # when the interviewer records a language problem with the respondent's language
    attempts.record_attempt(
        case=my_case,
        interviewer=interviewer,
        mode="phone",
        disposition="2.33",
        language="cantonese",
        now=MONDAY_10 - timedelta(hours=3),
    )
    # then the case is open, back in the pool, marked with its language, the return recorded
    my_case.refresh_from_db()
    assert (my_case.status, my_case.interviewer_id, my_case.language) == (
        Case.Status.PENDING,
        None,
        "cantonese",
    )
    assert ContactAttempt.objects.get(case=my_case).language == "cantonese"
    event = CaseEvent.objects.get(case=my_case, kind=CaseEvent.Kind.RETURNED)
    assert event.from_interviewer == interviewer and event.actor == interviewer
    # and "Next case" gives it to the Cantonese speaker, never to the interviewer who failed
    assert next_case.assign_next_case(wave=wave, interviewer=interviewer, now=MONDAY_10) is None
    given = next_case.assign_next_case(wave=wave, interviewer=other_interviewer, now=MONDAY_10)
    assert given is not None and given.case.pk == my_case.pk


def test_a_language_problem_without_the_language_closes_the_case(my_case, interviewer):
    attempts.record_attempt(case=my_case, interviewer=interviewer, mode="phone", disposition="2.33")
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.CLOSED and my_case.interviewer == interviewer


def test_an_unknown_language_is_refused(my_case, interviewer):
    with pytest.raises(ValidationError):
        attempts.record_attempt(
            case=my_case, interviewer=interviewer, mode="phone", disposition="2.33", language="x"
        )
    assert not ContactAttempt.objects.filter(case=my_case).exists()


def test_cross_region_calling_keeps_interviewers_out_of_their_home_county(
    wave, tree, interviewer, other_interviewer
):
    # given every case of the wave is in 城东区 and the wave asks for cross-region calling
    wave.cross_region = True
    wave.save(update_fields=["cross_region"])
    speaks(interviewer, home=tree["district"])
    speaks(other_interviewer, home=tree["other_district"])
    # when / then: the interviewer from 城东区 gets nothing, the one from 临湖县 a case
    assert next_case.assign_next_case(wave=wave, interviewer=interviewer, now=MONDAY_10) is None
    given = next_case.assign_next_case(wave=wave, interviewer=other_interviewer, now=MONDAY_10)
    assert given is not None and given.case.street.parent_id == tree["district"].pk
    # without cross-region calling the home county is no bar
    wave.cross_region = False
    wave.save(update_fields=["cross_region"])
    assert next_case.assign_next_case(wave=wave, interviewer=interviewer, now=MONDAY_10)


def test_the_case_page_records_the_language_and_sends_the_interviewer_to_their_cases(
    client, my_case, interviewer
):
    client.login(username=interviewer.username, password=PASSWORD)
    response = client.post(
        reverse("fieldwork:record_attempt", args=[my_case.pk]),
        {"mode": "phone", "disposition": "2.33", "language": "minnan"},
    )
    assert response.status_code == 302 and response.url == reverse("fieldwork:my_cases")
    my_case.refresh_from_db()
    assert my_case.language == "minnan" and my_case.interviewer is None
    # the case is no longer theirs
    assert client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).status_code == 404


def test_the_analyst_asks_for_cross_region_calling_on_the_wave_form(
    client, analyst, draw, standard_version
):
    client.login(username=analyst.username, password=PASSWORD)
    data = {
        "name": "异地",
        "client": make_organisation("平安市委政法委").pk,
        "questionnaire_version": standard_version.pk,
        "draw": draw.pk,
        "max_attempts": 5,
        "cross_region": "on",
    }
    assert client.post(reverse("fieldwork:wave_create"), data).status_code == 302
    assert Wave.objects.get(name="异地").cross_region is True


def test_the_supervisor_turns_cross_region_calling_on_from_the_wave_plan(client, supervisor, wave):
    client.login(username=supervisor.username, password=PASSWORD)
    url = reverse("fieldwork:wave_plan", args=[wave.pk])
    assert client.post(url, {"cross_region": "on"}).status_code == 302
    assert Wave.objects.get(pk=wave.pk).cross_region is True
    assert client.post(url, {}).status_code == 302
    assert Wave.objects.get(pk=wave.pk).cross_region is False


def _press(client, user, wave):
    """ "Next case" on the page: the id of the case given, or None when nothing is due."""
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    response = client.post(reverse("fieldwork:next_case"), {"wave": wave.pk})
    assert response.status_code == 302
    if response.url == reverse("fieldwork:my_cases"):
        return None
    return Case.objects.get(interviewer=user, status=Case.Status.PENDING).pk


def test_the_button_reads_the_caller_s_county_and_languages_with_the_wave(
    client, wave, my_case, tree, interviewer, other_interviewer
):
    # given every case of the wave in 城东区 is closed but one that needs Cantonese, calling
    # all day, cross-region calling on
    all_day = "00:00-12:00,12:00-00:00"
    Wave.objects.filter(pk=wave.pk).update(
        cross_region=True, weekday_windows=all_day, weekend_windows=all_day
    )
    Case.objects.filter(wave=wave).exclude(pk=my_case.pk).update(status=Case.Status.CLOSED)
    Case.objects.filter(pk=my_case.pk).update(interviewer=None, language="cantonese")
    # a Cantonese speaker from 城东区, one from 临湖县, and one without a profile
    speaks(interviewer, "cantonese", home=tree["district"])
    speaks(other_interviewer, "minnan", home=tree["other_district"])
    nobody = make_user("interviewer3", Role.INTERVIEWER)
    # then the speaker from the case's own county, the one without Cantonese and the one
    # without a profile (Mandarin only) are given nothing
    assert _press(client, interviewer, wave) is None
    assert _press(client, other_interviewer, wave) is None
    assert _press(client, nobody, wave) is None
    # and once the one from 临湖县 speaks Cantonese too, they are given the case
    speaks(other_interviewer, "minnan", "cantonese", home=tree["other_district"])
    assert _press(client, other_interviewer, wave) == my_case.pk


@pytest.mark.parametrize("posted", ["", "abc", "-1", "99999999", "closed"])
def test_a_press_for_no_wave_in_fieldwork_says_so_and_gives_nothing(
    client, wave, interviewer, posted
):
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.FIELDWORK)
    if posted == "closed":
        Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
        posted = str(wave.pk)
    client.login(username=interviewer.username, password=PASSWORD)
    response = client.post(reverse("fieldwork:next_case"), {"wave": posted}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("fieldwork:my_cases")
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["请选择执行中的调查批次。"]  # "Choose a wave in fieldwork.", in Chinese
    assert not Case.objects.filter(interviewer=interviewer).exists()
