"""One definition of a missed appointment for the overview's alert, the case grid's filter and
the interviewer's day; "active now" means an attempt started recently."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from fieldwork import presenters
from fieldwork.models import Appointment, ContactAttempt
from fieldwork.services import assignment, attempts
from tests.factories import PASSWORD, next_weekday_at


def _two_appointments(wave, supervisor, interviewer):
    """A hard appointment three hours late (missed) and a soft one whose window, opened three
    hours ago, is still open (not missed: it can be kept now)."""
    hard, soft = wave.cases.order_by("id")[:2]
    assignment.move_cases(
        wave=wave, case_ids=[hard.pk, soft.pk], to=interviewer, actor=supervisor, reason="a"
    )
    for case, kind in ((hard, "hard"), (soft, "soft")):
        case.refresh_from_db()
        at = next_weekday_at(19)
        window_end = at + timedelta(hours=1) if kind == "soft" else None
        attempts.make_appointment(
            case=case, interviewer=interviewer, at=at, kind=kind, window_end=window_end
        )
    now = timezone.now()
    Appointment.objects.filter(case=hard).update(at=now - timedelta(hours=3))
    Appointment.objects.filter(case=soft).update(
        at=now - timedelta(hours=3), window_end=now + timedelta(hours=1)
    )
    return hard, soft


def test_the_missed_alert_and_the_grids_missed_filter_show_the_same_cases(
    client, wave, supervisor, interviewer
):
    hard, _soft = _two_appointments(wave, supervisor, interviewer)
    client.login(username=supervisor.username, password=PASSWORD)
    live = client.get(reverse("fieldwork:wave_live", args=[wave.pk]))
    assert live.context["numbers"]["missed"] == 1
    grid = client.get(
        reverse("fieldwork:wave_cases", args=[wave.pk]), {"appointment": "missed", "status": "all"}
    )
    assert [row["id"] for row in grid.context["rows"]] == [hard.pk]


def test_the_interviewers_day_keeps_appointments_missed_long_ago(wave, supervisor, interviewer):
    hard, _soft = _two_appointments(wave, supervisor, interviewer)
    Appointment.objects.filter(case=hard).update(at=timezone.now() - timedelta(days=12))
    day = presenters.my_day(interviewer, timezone.now())
    missed = [row["case_id"] for row in day["due_rows"] if row["state"] == "missed"]
    assert missed == [hard.pk]


def test_active_now_needs_a_recent_start(client, wave, supervisor, interviewer, other_interviewer):
    case, other = wave.cases.order_by("id")[:2]
    now = timezone.now()
    # Left open five hours ago (the interviewer went home): not active
    ContactAttempt.objects.create(
        case=case, interviewer=interviewer, mode="phone", started_at=now - timedelta(hours=5)
    )
    # An interview under way for forty minutes: active
    ContactAttempt.objects.create(
        case=other,
        interviewer=other_interviewer,
        mode="phone",
        started_at=now - timedelta(minutes=40),
    )
    client.login(username=supervisor.username, password=PASSWORD)
    live = client.get(reverse("fieldwork:wave_live", args=[wave.pk]))
    assert live.context["numbers"]["active_now"] == 1
