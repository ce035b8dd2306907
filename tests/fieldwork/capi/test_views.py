"""Door-to-door pages: the household list, visits with positions, starting on the doorstep."""

import uuid

import pytest
from django.urls import reverse

from fieldwork.capi import geo
from fieldwork.capi import services as capi_services
from fieldwork.interview import submissions
from fieldwork.models import Case, ContactAttempt, Interview, Mode, Wave, WaveMode
from fieldwork.services import waves
from tests.factories import PASSWORD, make_organisation

COMMUNITY = (28.2000, 112.9500)
NEAR = {"latitude": "28.2010", "longitude": "112.9500", "accuracy_m": "12"}  # ≈ 111 m away
FAR = {"latitude": "28.2300", "longitude": "112.9500", "accuracy_m": "12"}  # ≈ 3.3 km away


@pytest.fixture
def placed(tree):
    community = tree["community"]
    community.latitude, community.longitude = COMMUNITY
    community.save(update_fields=["latitude", "longitude"])
    return community


@pytest.fixture
def door_case(my_case, placed):
    my_case.wave.mode = "door"  # a door-to-door wave: its case page is the visit page
    my_case.wave.save(update_fields=["mode"])
    return my_case


def _visit(browser, case, position, disposition="3.13", **extra):
    url = reverse("fieldwork:record_visit", args=[case.pk])
    return browser.post(url, {"disposition": disposition, **position, **extra}, follow=True)


def test_a_visit_near_the_community_is_recorded_without_warning(browser, door_case):
    response = _visit(browser, door_case, NEAR, note="无人应门")

    visit = ContactAttempt.objects.get(case=door_case)
    assert visit.mode == Mode.DOOR
    assert visit.disposition == "3.13"
    assert (visit.latitude, visit.longitude, visit.accuracy_m) == (28.2010, 112.95, 12)
    assert visit.distance_m == pytest.approx(111.2, abs=0.5)
    assert visit.position_warnings == []
    door_case.refresh_from_db()
    assert door_case.attempts == 1 and door_case.last_outcome == "3.13"
    assert "position-warning" not in response.content.decode()


def test_a_visit_far_from_the_community_is_saved_with_a_warning(browser, door_case, english):
    response = _visit(browser, door_case, FAR)

    visit = ContactAttempt.objects.get(case=door_case)
    assert visit.position_warnings == [geo.FAR]
    assert visit.distance_m == pytest.approx(3335.9, abs=1)
    page = response.content.decode()
    assert "3.3 km from the assigned community" in page  # on the case page
    households = browser.get(reverse("fieldwork:households")).content.decode()
    assert "3.3 km from the assigned community" in households  # and on the household list


def test_the_distance_threshold_comes_from_the_settings(browser, door_case, settings):
    settings.CAPI_MAX_DISTANCE_M = 5000
    _visit(browser, door_case, FAR)
    assert ContactAttempt.objects.get(case=door_case).position_warnings == []


def test_a_visit_without_position_is_saved_and_warned(browser, door_case, english):
    response = _visit(browser, door_case, {"position_error": "denied"})

    visit = ContactAttempt.objects.get(case=door_case)
    assert visit.latitude is None and visit.distance_m is None
    assert visit.position_error == "denied"
    assert visit.position_warnings == [geo.MISSING]
    assert "No position: location permission denied" in response.content.decode()


def test_a_half_position_is_kept_as_none(browser, door_case):
    _visit(browser, door_case, {"latitude": "28.2", "accuracy_m": "5"})
    visit = ContactAttempt.objects.get(case=door_case)
    assert visit.latitude is None and visit.position_error == "unavailable"
    assert visit.position_warnings == [geo.MISSING]


def test_a_coarse_position_is_warned_as_inaccurate(browser, door_case):
    _visit(browser, door_case, {**NEAR, "accuracy_m": "850"})
    assert ContactAttempt.objects.get(case=door_case).position_warnings == [geo.INACCURATE]


def test_a_visit_without_outcome_is_refused_and_nothing_saved(browser, door_case, english):
    response = _visit(browser, door_case, NEAR, disposition="")
    assert response.status_code == 400
    assert "Visit not recorded: see the form below." in response.content.decode()
    assert not ContactAttempt.objects.filter(case=door_case).exists()


def test_another_interviewers_household_cannot_be_visited(client, door_case, other_interviewer):
    client.login(username=other_interviewer.username, password=PASSWORD)
    response = _visit(client, door_case, NEAR)
    assert response.status_code == 404
    assert not ContactAttempt.objects.filter(case=door_case).exists()


def test_several_visits_are_kept_per_household(browser, door_case):
    _visit(browser, door_case, NEAR, disposition="3.13")
    _visit(browser, door_case, FAR, disposition="3.17")
    visits = ContactAttempt.objects.filter(case=door_case).order_by("started_at", "id")
    assert [v.disposition for v in visits] == ["3.13", "3.17"]
    assert [v.position_warnings for v in visits] == [[], [geo.FAR]]


def test_starting_on_the_doorstep_opens_a_door_interview_with_the_position(browser, door_case):
    url = reverse("fieldwork:start_door_interview", args=[door_case.pk])
    response = browser.post(url, NEAR)

    interview = Interview.objects.get(case=door_case)
    assert response.url == reverse("fieldwork:interview", args=[interview.pk])
    assert interview.mode == Mode.DOOR
    visit = ContactAttempt.objects.get(case=door_case)
    assert visit.mode == Mode.DOOR and visit.ended_at is None
    assert visit.distance_m == pytest.approx(111.2, abs=0.5)


def test_the_case_page_of_a_door_case_offers_visit_map_and_respondent_selection(browser, door_case):
    page = browser.get(reverse("fieldwork:case_detail", args=[door_case.pk])).content.decode()
    assert reverse("fieldwork:record_visit", args=[door_case.pk]) in page
    assert reverse("fieldwork:select_respondent", args=[door_case.pk]) in page
    assert "https://uri.amap.com/marker?position=112.950000,28.200000" in page


def test_a_phone_only_wave_has_no_visit_section(browser, door_case):
    door_case.wave.mode = WaveMode.PHONE
    door_case.wave.save(update_fields=["mode"])
    page = browser.get(reverse("fieldwork:case_detail", args=[door_case.pk])).content.decode()
    assert reverse("fieldwork:record_visit", args=[door_case.pk]) not in page


def test_the_household_list_shows_only_the_interviewers_open_door_cases(
    browser, wave, interviewer, other_interviewer, placed, english
):
    waves.assign_cases(wave=wave, interviewer=interviewer, count=3)
    waves.assign_cases(wave=wave, interviewer=other_interviewer, count=2)
    mine = list(wave.cases.filter(interviewer=interviewer).order_by("id"))
    mine[2].status = Case.Status.COMPLETED
    mine[2].save(update_fields=["status"])
    _visit(browser, mine[0], FAR)

    response = browser.get(reverse("fieldwork:households"))

    rows = response.context["rows"]
    assert [row["id"] for row in rows] == [mine[0].pk, mine[1].pk]
    first, second = rows
    assert first["address"] == mine[0].unit.address
    assert first["community"] == "东湖第一社区"
    assert first["n_visits"] == 1 and first["warned"]
    assert first["next_action"] == "Visit again at another time of day"
    assert second["next_action"] == "First visit" and not second["warned"]
    assert first["map_url"].startswith("https://uri.amap.com/marker?position=112.950000,28.2")
    page = response.content.decode()
    others = wave.cases.filter(interviewer=other_interviewer)
    assert all(f'id="household-{case.pk}"' not in page for case in others)


def test_the_household_list_leaves_out_phone_only_waves(browser, door_case):
    door_case.wave.mode = WaveMode.PHONE
    door_case.wave.save(update_fields=["mode"])
    assert browser.get(reverse("fieldwork:households")).context["rows"] == []


def test_the_household_list_takes_a_fixed_number_of_queries(
    browser, wave, interviewer, placed, django_assert_num_queries
):
    waves.assign_cases(wave=wave, interviewer=interviewer, count=4)
    for case in wave.cases.filter(interviewer=interviewer):
        _visit(browser, case, NEAR)
    # session, user with whether they have a second factor, cases, their visits, their open
    # appointments (the session's idle expiry was moved on less than a minute ago: not
    # written again)
    with django_assert_num_queries(5):
        browser.get(reverse("fieldwork:households"))


def test_the_household_list_is_for_interviewers_only(client, supervisor, door_case):
    client.login(username=supervisor.username, password=PASSWORD)
    assert client.get(reverse("fieldwork:households")).status_code == 403


def test_an_analyst_creates_a_door_to_door_wave(client, analyst, draw, standard_version):
    client.login(username=analyst.username, password=PASSWORD)
    data = {
        "name": "入户调查",
        "client": make_organisation("平安市委政法委").pk,
        "questionnaire_version": standard_version.pk,
        "draw": draw.pk,
        "max_attempts": 3,
        "mode": WaveMode.DOOR,
    }
    response = client.post(reverse("fieldwork:wave_create"), data)
    wave = Wave.objects.get(name="入户调查")
    assert response.url == reverse("fieldwork:wave_detail", args=[wave.pk])
    assert wave.mode == WaveMode.DOOR


def test_a_wave_made_without_choosing_a_mode_is_mixed(wave):
    assert wave.mode == WaveMode.MIXED


def test_a_visit_sent_twice_with_its_key_is_recorded_once(browser, door_case):
    key = str(uuid.uuid4())
    url = reverse("fieldwork:record_visit", args=[door_case.pk])
    data = {"disposition": "3.13", "submission_key": key, **NEAR}

    first = browser.post(url, data)
    second = browser.post(url, data)

    assert ContactAttempt.objects.filter(case=door_case).count() == 1
    door_case.refresh_from_db()
    assert door_case.attempts == 1
    assert first["X-Submission-Applied"] == "1"
    assert second.status_code == 302 and second["X-Duplicate-Submission"] == "1"
    assert second.url == reverse("fieldwork:case_detail", args=[door_case.pk]) + "?mode=door"
    assert second.cookies["submission_received"].value == key


def test_two_visits_with_different_keys_are_both_recorded(browser, door_case):
    url = reverse("fieldwork:record_visit", args=[door_case.pk])
    for _ in range(2):
        browser.post(url, {"disposition": "3.13", "submission_key": str(uuid.uuid4()), **NEAR})
    assert ContactAttempt.objects.filter(case=door_case).count() == 2


def test_a_visit_racing_past_the_check_is_refused_by_the_key_with_nothing_saved(
    door_case, interviewer
):
    key = uuid.uuid4()
    visit = {
        "case": door_case,
        "interviewer": interviewer,
        "disposition": "3.13",
        "position": capi_services.Position(error="denied"),
        "key": key,
    }
    capi_services.record_visit(**visit)
    with pytest.raises(submissions.DuplicateSubmission):
        capi_services.record_visit(**visit)
    assert ContactAttempt.objects.filter(case=door_case).count() == 1
    door_case.refresh_from_db()
    assert door_case.attempts == 1


def test_a_doorstep_start_sent_again_after_a_stop_opens_no_second_attempt(
    browser, door_case, interviewer
):
    key = str(uuid.uuid4())
    url = reverse("fieldwork:start_door_interview", args=[door_case.pk])
    first = browser.post(url, {"submission_key": key, **NEAR})
    assert first["X-Submission-Applied"] == "1"
    # the interview is stopped with an appointment: a new start would be a new attempt
    Case.objects.filter(pk=door_case.pk).update(status=Case.Status.PENDING)

    again = browser.post(url, {"submission_key": key, **NEAR})

    assert again.status_code == 302 and again["X-Duplicate-Submission"] == "1"
    assert again.url == reverse("fieldwork:case_detail", args=[door_case.pk]) + "?mode=door"
    assert ContactAttempt.objects.filter(case=door_case).count() == 1


def test_the_visit_forms_carry_a_submission_key_field(browser, door_case):
    # The doorstep start, the visit and the household roster are kept on the tablet offline.
    page = browser.get(reverse("fieldwork:case_detail", args=[door_case.pk])).content.decode()
    assert page.count('name="submission_key"') == 3


def test_the_household_list_is_in_address_order_though_addresses_are_encrypted(
    browser, wave, interviewer
):
    waves.assign_cases(wave=wave, interviewer=interviewer, count=3)
    mine = list(wave.cases.filter(interviewer=interviewer).order_by("id"))
    for case, address in zip(mine, ["幸福路3号", "幸福路1号", "幸福路2号"], strict=True):
        case.unit.locality = mine[0].unit.locality
        case.unit.address = address
        case.unit.save(update_fields=["locality", "address"])
    rows = browser.get(reverse("fieldwork:households")).context["rows"]
    assert [row["address"] for row in rows] == ["幸福路1号", "幸福路2号", "幸福路3号"]
