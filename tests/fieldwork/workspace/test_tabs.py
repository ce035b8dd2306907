"""The workspace's tabs: the overview's plan figures and alerts, the calendars, productivity,
and every quality-control page one click from the wave."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldwork.models import Appointment, Case
from fieldwork.services import assignment, attempts
from tests.factories import PASSWORD, next_weekday_at


def test_the_overview_answers_target_completed_expected_and_pace(client, wave, supervisor, english):
    today = timezone.localdate()
    wave.target_completes = 30
    wave.starts_on = today - timedelta(days=4)  # day 5
    wave.ends_on = today + timedelta(days=5)  # of 10
    wave.save(update_fields=["target_completes", "starts_on", "ends_on"])
    Case.objects.filter(pk__in=wave.cases.values("pk")[:2]).update(status=Case.Status.COMPLETED)
    client.login(username=supervisor.username, password=PASSWORD)
    numbers = client.get(reverse("fieldwork:wave_live", args=[wave.pk])).context["numbers"]
    assert (numbers["target"], numbers["progress"]["completed"]) == (30, 2)
    assert numbers["expected"] == 15  # 30 × 5/10
    assert numbers["projected"] == 4  # 2 completes in 5 days → 0.4 a day × 10 days
    alerts = client.get(reverse("fieldwork:wave_live", args=[wave.pk])).context["alerts"]
    assert (
        alerts[0]["bad"] and "Behind plan: 2 completed, 15 expected by today." in alerts[0]["text"]
    )


def test_a_missed_appointment_is_an_alert_and_on_the_calendar(
    client, wave, supervisor, interviewer, english
):
    case = wave.cases.first()
    assignment.move_cases(
        wave=wave, case_ids=[case.pk], to=interviewer, actor=supervisor, reason="a"
    )
    case.refresh_from_db()
    at = next_weekday_at(19)
    attempts.make_appointment(case=case, interviewer=interviewer, at=at, note="晚上")
    Appointment.objects.filter(case=case).update(at=timezone.now() - timedelta(hours=3))
    client.login(username=supervisor.username, password=PASSWORD)
    live = client.get(reverse("fieldwork:wave_live", args=[wave.pk]))
    assert live.context["numbers"]["missed"] == 1
    assert any("1 appointments missed" in a["text"] for a in live.context["alerts"])

    Appointment.objects.filter(case=case).update(at=at)
    day = client.get(
        reverse("fieldwork:wave_appointments", args=[wave.pk]),
        {"view": "day", "day": at.date().isoformat()},
    )
    slots = [
        slot for row in day.context["calendar"]["rows"] for cell in row["cells"] for slot in cell
    ]
    assert [(s["case_id"], s["local"].hour, s["kind"]) for s in slots] == [(case.pk, 19, "hard")]
    week = client.get(
        reverse("fieldwork:wave_appointments", args=[wave.pk]),
        {"view": "week", "day": at.date().isoformat(), "interviewer": interviewer.pk},
    )
    assert week.context["calendar"]["count"] == 1 and week.context["calendar"]["week"]


def test_an_interviewer_sees_only_their_own_calendar(
    client, wave, supervisor, interviewer, other_interviewer
):
    mine, theirs = wave.cases.all()[:2]
    for case, who in ((mine, interviewer), (theirs, other_interviewer)):
        assignment.move_cases(wave=wave, case_ids=[case.pk], to=who, actor=supervisor, reason="a")
        case.refresh_from_db()
        attempts.make_appointment(case=case, interviewer=who, at=next_weekday_at(19))
    client.login(username=interviewer.username, password=PASSWORD)
    day = next_weekday_at(19).date().isoformat()
    calendar = client.get(reverse("fieldwork:my_calendar"), {"day": day}).context["calendar"]
    assert calendar["count"] == 1


def test_every_quality_page_is_one_click_from_every_tab(client, wave, supervisor):
    client.login(username=supervisor.username, password=PASSWORD)
    for name in ("wave_detail", "wave_cases", "wave_interviewers", "wave_quality"):
        page = client.get(reverse(f"fieldwork:{name}", args=[wave.pk])).content.decode()
        assert reverse("qc:interviewer_risk", args=[wave.pk]) in page, name
        assert reverse("qc:dashboard", args=[wave.pk]) in page, name
        assert reverse("qc:backchecks", args=[wave.pk]) in page, name
        assert reverse("qc:settings", args=[wave.pk]) in page, name


def test_productivity_names_interviewers_as_the_other_tables_do(
    client, wave, supervisor, interviewer
):
    interviewer.first_name, interviewer.last_name = "芳", "王"
    interviewer.save(update_fields=["first_name", "last_name"])
    case = wave.cases.first()
    assignment.move_cases(
        wave=wave, case_ids=[case.pk], to=interviewer, actor=supervisor, reason="a"
    )
    case.refresh_from_db()
    attempts.record_attempt(case=case, interviewer=interviewer, mode="phone", disposition="3.13")
    client.login(username=supervisor.username, password=PASSWORD)
    page = client.get(reverse("fieldwork:wave_interviewers", args=[wave.pk]))
    row = page.context["rows"][0]
    assert (row["interviewer"], row["attempts"], row["contacts"]) == (str(interviewer), 1, 0)
    assert f">{interviewer.username}<" not in page.content.decode()  # no login in a cell


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
@pytest.mark.parametrize("view", ["day", "week"])
def test_extreme_dates_get_a_message_not_a_server_error(
    client, wave, supervisor, interviewer, english, day, view
):
    client.login(username=supervisor.username, password=PASSWORD)
    for name in ("wave_appointments", "wave_interviewers"):
        url = reverse(f"fieldwork:{name}", args=[wave.pk])
        response = client.get(url, {"day": day, "view": view})
        assert response.status_code == 200, name
        assert "Choose a date between 1900-01-01 and 2999-12-31." in response.content.decode()
    client.login(username=interviewer.username, password=PASSWORD)
    response = client.get(reverse("fieldwork:my_calendar"), {"day": day, "view": view})
    assert response.status_code == 200
    assert "Choose a date between 1900-01-01 and 2999-12-31." in response.content.decode()


def test_the_last_day_allowed_shows_its_week(client, wave, supervisor):
    client.login(username=supervisor.username, password=PASSWORD)
    url = reverse("fieldwork:wave_appointments", args=[wave.pk])
    response = client.get(url, {"day": "2999-12-31", "view": "week"})
    assert response.status_code == 200 and response.context["first"].isoformat() == "2999-12-30"
