"""The wave's plan set from its overview: target, fieldwork period, daily goal per interviewer."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fieldwork.services import waves
from tests.factories import PASSWORD


def test_a_supervisor_sets_the_plan_and_the_overview_measures_against_it(
    client, wave, supervisor, english
):
    today = timezone.localdate()
    client.login(username=supervisor.username, password=PASSWORD)
    overview = client.get(reverse("fieldwork:wave_detail", args=[wave.pk])).content.decode()
    assert 'id="wave-plan"' in overview and 'name="target_completes"' in overview
    response = client.post(
        reverse("fieldwork:wave_plan", args=[wave.pk]),
        {
            "target_completes": "30",
            "starts_on": (today - timedelta(days=4)).isoformat(),
            "ends_on": (today + timedelta(days=5)).isoformat(),
            "daily_target": "6",
            "min_age": "18",
            "max_age": "70",
        },
    )
    assert response.status_code == 302
    wave.refresh_from_db()
    assert (wave.target_completes, wave.daily_target) == (30, 6)
    assert (wave.min_age, wave.max_age) == (18, 70)
    assert wave.is_eligible_age(18) and wave.is_eligible_age(70)
    assert not wave.is_eligible_age(17) and not wave.is_eligible_age(71)
    assert (wave.ends_on - wave.starts_on).days == 9
    numbers = client.get(reverse("fieldwork:wave_live", args=[wave.pk])).context["numbers"]
    assert numbers["target"] == 30 and numbers["expected"] == 15  # 30 × 5/10 days


def test_a_plan_ending_before_it_starts_is_refused_and_nothing_saved(
    client, wave, supervisor, english
):
    client.login(username=supervisor.username, password=PASSWORD)
    response = client.post(
        reverse("fieldwork:wave_plan", args=[wave.pk]),
        {"target_completes": "30", "starts_on": "2026-05-10", "ends_on": "2026-05-01"},
    )
    assert response.status_code == 400
    assert "Fieldwork cannot end before it starts." in response.content.decode()
    wave.refresh_from_db()
    assert (wave.target_completes, wave.starts_on, wave.ends_on) == (None, None, None)


def test_the_service_refuses_a_reversed_period_and_interviewers(wave, interviewer, supervisor):
    today = timezone.localdate()
    plan = {"target_completes": 10, "daily_target": None}
    with pytest.raises(ValidationError):
        waves.set_plan(
            wave=wave, actor=supervisor, starts_on=today, ends_on=today - timedelta(days=1), **plan
        )
    with pytest.raises(ValidationError):
        waves.set_plan(wave=wave, actor=interviewer, starts_on=None, ends_on=None, **plan)
    wave.refresh_from_db()
    assert wave.target_completes is None


def test_an_age_range_upside_down_is_refused(client, wave, supervisor, english):
    client.login(username=supervisor.username, password=PASSWORD)
    response = client.post(
        reverse("fieldwork:wave_plan", args=[wave.pk]), {"min_age": "60", "max_age": "18"}
    )
    assert response.status_code == 400
    assert "The oldest age cannot be below the youngest." in response.content.decode()
    wave.refresh_from_db()
    assert (wave.min_age, wave.max_age) == (16, None)
