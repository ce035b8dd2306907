"""Retention dates: required with a default on the wave form, changed from the overview (and
logged), reminders by the daily schedule shown on the wave and the waves list."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.kinds import Kind
from audit.models import AuditEvent
from fieldwork.models import Wave
from fieldwork.privacy import retention
from jobs.schedules import run_due_schedules
from tests.factories import PASSWORD, make_organisation

pytestmark = pytest.mark.django_db


def _form(draw, standard_version, **extra) -> dict:
    return {
        "name": "保留期",
        "client": make_organisation("平安市委政法委").pk,
        "questionnaire_version": standard_version.pk,
        "draw": draw.pk,
        "max_attempts": 5,
        **extra,
    }


def test_a_new_wave_is_kept_the_settings_period_by_default(wave, settings):
    assert wave.retain_until == timezone.localdate() + timedelta(
        days=settings.PERSONAL_DATA_RETENTION_DAYS
    )


def test_the_wave_form_offers_the_default_and_stores_the_date_chosen(
    client, analyst, draw, standard_version, settings
):
    client.login(username=analyst.username, password=PASSWORD)
    page = client.get(reverse("fieldwork:wave_create")).content.decode()
    default = timezone.localdate() + timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    assert f'value="{default:%Y-%m-%d}"' in page
    chosen = timezone.localdate() + timedelta(days=400)
    data = _form(draw, standard_version, retain_until=f"{chosen:%Y-%m-%d}")
    assert client.post(reverse("fieldwork:wave_create"), data).status_code == 302
    assert Wave.objects.get(name="保留期").retain_until == chosen


@pytest.mark.parametrize("given", ["", "yesterday", "today"])
def test_the_wave_form_refuses_a_blank_or_past_date(
    client, analyst, draw, standard_version, english, given
):
    client.login(username=analyst.username, password=PASSWORD)
    today = timezone.localdate()
    value = {"": "", "yesterday": f"{today - timedelta(days=1):%Y-%m-%d}",
             "today": f"{today:%Y-%m-%d}"}[given]  # fmt: skip
    response = client.post(
        reverse("fieldwork:wave_create"), _form(draw, standard_version, retain_until=value)
    )
    assert response.status_code == 200 and not Wave.objects.filter(name="保留期").exists()
    errors = " ".join(response.context["form"].errors["retain_until"])
    expected = "Give the date" if given == "" else "must be after today"
    assert expected in errors


def test_changing_the_date_is_logged_with_the_previous_one(client, analyst, wave):
    client.login(username=analyst.username, password=PASSWORD)
    previous = wave.retain_until
    later = previous + timedelta(days=30)
    url = reverse("fieldwork:wave_retention", args=[wave.pk])
    assert client.post(url, {"retain_until": f"{later:%Y-%m-%d}"}).status_code == 302
    wave.refresh_from_db()
    assert wave.retain_until == later
    event = AuditEvent.objects.get(kind=Kind.RETENTION_CHANGED)
    assert event.actor == analyst and event.wave == wave
    assert event.detail == {"previous": previous.isoformat(), "retain_until": later.isoformat()}


def test_a_supervisor_cannot_change_the_date(client, supervisor, wave):
    client.login(username=supervisor.username, password=PASSWORD)
    url = reverse("fieldwork:wave_retention", args=[wave.pk])
    assert client.post(url, {"retain_until": "2099-01-01"}).status_code == 403


def test_the_schedule_reminds_once_within_the_lead_days(wave, settings):
    # given a wave whose date is 20 days away and a lead of 30 days
    settings.RETENTION_REMINDER_DAYS = 30
    Wave.objects.filter(pk=wave.pk).update(retain_until=timezone.localdate() + timedelta(days=20))
    # when the schedules run, and again a day later
    now = timezone.now()
    assert run_due_schedules(now=now)["retention_reminders"] == 1
    run_due_schedules(now=now + timedelta(days=1, minutes=1))
    # then the wave is reminded once, with one event
    wave.refresh_from_db()
    assert wave.retention_reminded_at >= now
    assert AuditEvent.objects.filter(kind=Kind.RETENTION_REMINDER, wave=wave).count() == 1


def test_no_reminder_before_the_lead_days(wave, settings):
    settings.RETENTION_REMINDER_DAYS = 30
    Wave.objects.filter(pk=wave.pk).update(retain_until=timezone.localdate() + timedelta(days=31))
    assert retention.remind_due() == 0
    wave.refresh_from_db()
    assert wave.retention_reminded_at is None


def test_the_reminder_shows_on_the_wave_and_the_analysts_waves_list(
    client, analyst, supervisor, wave, english
):
    soon = timezone.localdate() + timedelta(days=10)
    Wave.objects.filter(pk=wave.pk).update(retain_until=soon)
    retention.remind_due()
    client.login(username=analyst.username, password=PASSWORD)
    overview = client.get(reverse("fieldwork:wave_detail", args=[wave.pk])).content.decode()
    assert f"to be purged by {soon:%Y-%m-%d}" in overview
    waves = client.get(reverse("fieldwork:wave_list")).content.decode()
    assert f"purge personal data by {soon:%Y-%m-%d} (in 10 days)" in waves
    # the supervisor's list has no reminders (they are the analysts')
    client.login(username=supervisor.username, password=PASSWORD)
    assert "purge personal data" not in client.get(reverse("fieldwork:wave_list")).content.decode()


def test_moving_the_date_away_ends_the_reminder(wave, analyst):
    Wave.objects.filter(pk=wave.pk).update(retain_until=timezone.localdate() + timedelta(days=5))
    retention.remind_due()
    later = timezone.localdate() + timedelta(days=300)
    retention.set_retention(wave=wave, user=analyst, retain_until=later)
    wave.refresh_from_db()
    assert wave.retention_reminded_at is None
