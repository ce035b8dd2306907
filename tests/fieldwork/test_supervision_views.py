"""Next case, stopping an interview, and the supervisor's wave page."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse

from fieldwork.models import Appointment, Case, QuotaTarget, Wave
from fieldwork.services import attempts, interviews
from sampling.models import ReplicateRelease
from tests.factories import PASSWORD, local_input, make_organisation, next_weekday_at

ALL_DAY = "00:00-12:00,12:00-00:00"  # the second window crosses midnight: any time is open


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # assertions read English strings
    return client


@pytest.fixture
def open_wave(wave):
    wave.weekday_windows = wave.weekend_windows = ALL_DAY
    wave.save(update_fields=["weekday_windows", "weekend_windows"])
    return wave


def test_next_case_button_takes_a_case_and_opens_it(client, open_wave, interviewer):
    login(client, interviewer)
    page = client.get(reverse("fieldwork:my_cases")).content.decode()
    assert 'id="next-case"' in page
    response = client.post(reverse("fieldwork:next_case"), {"wave": open_wave.pk})
    case = Case.objects.get(interviewer=interviewer)
    assert response.url == reverse("fieldwork:case_detail", args=[case.pk])


def test_next_case_when_nothing_is_due_says_so(client, wave, interviewer):
    wave.weekday_windows = wave.weekend_windows = ""  # no calling at all
    wave.save(update_fields=["weekday_windows", "weekend_windows"])
    login(client, interviewer)
    response = client.post(reverse("fieldwork:next_case"), {"wave": wave.pk}, follow=True)
    assert "No case is due now" in response.content.decode()
    assert not Case.objects.filter(interviewer=interviewer).exists()


def test_stopping_from_the_wizard_page_makes_an_appointment(client, my_case, interviewer):
    interview = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    login(client, interviewer)
    page = client.get(reverse("fieldwork:interview", args=[interview.pk])).content.decode()
    assert reverse("fieldwork:stop_interview", args=[interview.pk]) in page
    response = client.post(
        reverse("fieldwork:stop_interview", args=[interview.pk]),
        {
            "at": local_input(next_weekday_at(19, 30)),
            "kind": "soft",
            "window_end": local_input(next_weekday_at(21)),
            "note": "忙",
        },
    )
    assert response.url == reverse("fieldwork:my_cases")
    appointment = Appointment.objects.get(case=my_case)
    assert appointment.kind == "soft" and appointment.at.hour == 11  # 19:30 Shanghai = 11:30 UTC
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.PENDING
    # The wizard now sends the interviewer to the case page, where Resume records a new call
    wizard = client.get(reverse("fieldwork:interview", args=[interview.pk]))
    assert wizard.url == reverse("fieldwork:case_detail", args=[my_case.pk])
    client.post(reverse("fieldwork:start_interview", args=[my_case.pk]), {"mode": "phone"})
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.IN_PROGRESS and my_case.attempts == 2


def test_a_bad_appointment_stops_nothing(client, my_case, interviewer):
    interview = interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    login(client, interviewer)
    response = client.post(
        reverse("fieldwork:stop_interview", args=[interview.pk]),
        {"at": "2026-11-24T19:30", "kind": "soft", "window_end": "2026-11-24T18:00"},
    )
    assert response.url == reverse("fieldwork:interview", args=[interview.pk])
    assert not Appointment.objects.exists()
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.IN_PROGRESS


def test_wave_tabs_show_live_board_rates_and_quotas(client, wave, supervisor, my_case, interviewer):
    attempts.record_attempt(
        case=my_case, interviewer=interviewer, mode="phone", disposition="2.111"
    )
    QuotaTarget.objects.create(wave=wave, stratum="S1", variable="sex", value="male", target=10)
    login(client, supervisor)
    response = client.get(reverse("fieldwork:wave_detail", args=[wave.pk]))
    body = response.content.decode()
    live = body[body.index('id="live"') : body.index('id="community-map"')]
    assert 'hx-trigger="every 15s"' in live and "<form" not in live  # nothing typed is swapped
    assert "Replicate 1: 2 units" in body
    rates = client.get(reverse("fieldwork:wave_rates", args=[wave.pk]))
    assert "RR1" in rates.content.decode() and "COOP1" in rates.content.decode()
    label, breakdown, overall = rates.context["rate_tables"][0]
    # 6 cases: R = 1, UH = 5 (never attempted, 3.11) → REF1 = 1/6
    assert breakdown == "wave" and overall["rows"][0]["rates"][8] == "16.7"  # REF1, ninth
    quotas = client.get(reverse("fieldwork:quota_target", args=[wave.pk]))
    assert quotas.context["quotas"][0]["target"] == 10


def test_live_board_shows_who_is_on_which_case(client, wave, supervisor, my_case, interviewer):
    interviews.start_interview(case=my_case, interviewer=interviewer, mode="phone")
    login(client, supervisor)
    response = client.get(reverse("fieldwork:wave_live", args=[wave.pk]))
    assert response.context["open_work"][0]["case_id"] == my_case.pk
    assert response.context["pace"][0]["attempts"] == 1
    grid = client.get(reverse("fieldwork:wave_cases", args=[wave.pk]))
    status = {row["street"]: row for row in grid.context["sample_status"]}
    assert status["东湖街道"]["in_progress"] == 1 and status["东湖街道"]["fresh"] == 5


def test_release_button_releases_a_reserve_replicate_and_records_why(client, wave, supervisor):
    login(client, supervisor)
    # without a reason nothing is released
    client.post(reverse("fieldwork:release_replicate", args=[wave.pk]), {"replicate": 1})
    assert wave.cases.count() == 6
    client.post(
        reverse("fieldwork:release_replicate", args=[wave.pk]),
        {"replicate": 1, "reason": "东湖街道应答率偏低"},
    )
    assert wave.cases.count() == 8
    release = ReplicateRelease.objects.get(draw=wave.draw)
    assert (release.replicate, release.released_by, release.reason) == (
        1,
        supervisor,
        "东湖街道应答率偏低",
    )
    # a second release of the same replicate is refused and creates nothing
    client.post(
        reverse("fieldwork:release_replicate", args=[wave.pk]), {"replicate": 1, "reason": "again"}
    )
    assert wave.cases.count() == 8 and ReplicateRelease.objects.count() == 1


def test_rates_csv_per_interviewer(client, wave, supervisor, my_case, interviewer):
    attempts.record_attempt(case=my_case, interviewer=interviewer, mode="phone", disposition="4.30")
    login(client, supervisor)
    response = client.get(reverse("fieldwork:rates_csv", args=[wave.pk]), {"by": "interviewer"})
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    mine = next(row for row in rows if row["interviewer"] == interviewer.username)
    assert mine["NE"] == "1" and mine["RR1"] == ""  # E + U = 0: no rate, not a crash
    assert (
        client.get(reverse("fieldwork:rates_csv", args=[wave.pk]), {"by": "x"}).status_code == 400
    )


def test_rates_csv_opens_in_excel_with_chinese_and_no_formulas(
    client, wave, supervisor, my_case, interviewer
):
    interviewer.username = "=HYPERLINK(1)"
    interviewer.save(update_fields=["username"])
    attempts.record_attempt(case=my_case, interviewer=interviewer, mode="phone", disposition="4.30")
    login(client, supervisor)

    response = client.get(reverse("fieldwork:rates_csv", args=[wave.pk]), {"by": "interviewer"})

    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "'=HYPERLINK(1)" in [row["interviewer"] for row in rows]


def test_supervisor_sets_a_quota_target(client, wave, supervisor, tree):
    login(client, supervisor)
    client.post(
        reverse("fieldwork:quota_target", args=[wave.pk]),
        {"stratum": "S1", "variable": "age_group", "value": "60+", "target": 5},
    )
    quota = QuotaTarget.objects.get(wave=wave)
    assert (quota.stratum, quota.variable, quota.value, quota.target) == (
        "S1",
        "age_group",
        "60+",
        5,
    )


@pytest.mark.parametrize("name", ["wave_live", "rates_csv"])
def test_interviewers_cannot_see_supervision(client, wave, interviewer, name):
    login(client, interviewer)
    assert client.get(reverse(f"fieldwork:{name}", args=[wave.pk])).status_code == 403
    assert (
        client.post(
            reverse("fieldwork:release_replicate", args=[wave.pk]), {"replicate": 1}
        ).status_code
        == 403
    )
    assert wave.cases.count() == 6


def test_a_bad_calling_window_is_refused_on_the_wave_form(client, analyst, draw, standard_version):
    login(client, analyst)
    response = client.post(
        reverse("fieldwork:wave_create"),
        {
            "name": "w",
            "client": make_organisation("c").pk,
            "questionnaire_version": standard_version.pk,
            "draw": draw.pk,
            "max_attempts": 5,
            "weekday_windows": "9-21",
        },
    )
    assert response.status_code == 200
    assert "weekday_windows" in response.context["form"].errors
    assert not Wave.objects.filter(name="w").exists()


def test_recording_no_answer_with_a_callback_time_makes_an_appointment(
    client, my_case, interviewer
):
    login(client, interviewer)
    client.post(
        reverse("fieldwork:record_attempt", args=[my_case.pk]),
        {
            "mode": "phone",
            "disposition": "2.21",
            "appointment_at": local_input(next_weekday_at(19)),
        },
    )
    appointment = Appointment.objects.get(case=my_case)
    assert appointment.kind == "hard" and appointment.created_by == interviewer
