"""The interviewer risk pages: ranking, drill-down, access."""

import pytest
from django.urls import reverse

from qc.services.checks import check_completed_interview
from tests.factories import PASSWORD
from tests.qc.conftest import straight_answers, varied_answers


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def wave_with_a_suspect(world, interviewer, other_interviewer):
    """interviewer: 6 short, straight-lined interviews; other_interviewer: 6 ordinary ones."""
    for k in range(6):
        check_completed_interview(
            world.interview(interviewer, answers=straight_answers("4"), duration=50 + k)
        )
        answers = varied_answers(sat_1=str(1 + k % 5), sat_2=str(1 + (k + 2) % 5))
        check_completed_interview(
            world.interview(other_interviewer, answers=answers, duration=400 + 10 * k)
        )
    return world.wave


def test_risk_list_ranks_the_suspect_first_with_reasons(
    client,
    supervisor,
    interviewer,
    other_interviewer,
    wave_with_a_suspect,
    django_assert_max_num_queries,
):
    login(client, supervisor)
    url = reverse("qc:interviewer_risk", args=[wave_with_a_suspect.pk])
    # cold: the page (session, user, wave, the wave's state: 4, the cache), the ranking job
    # (its row, claim and outcome with savepoints; in it the wave, its state, the interviews,
    # flags, outcomes and settings, the cache writes: this state and the latest), then the cache
    # and the interviewers; the second factor and the session's new expiry (3)
    with django_assert_max_num_queries(48):
        response = client.get(url)
    assert response.status_code == 200
    # warm: the ranking is reused until the wave changes
    with django_assert_max_num_queries(13):
        warm = client.get(url).text
    assert warm.count("<tr>") == response.text.count("<tr>") > 2
    text = response.text
    suspect = reverse("qc:interviewer_detail", args=[wave_with_a_suspect.pk, interviewer.pk])
    ordinary = reverse("qc:interviewer_detail", args=[wave_with_a_suspect.pk, other_interviewer.pk])
    assert suspect in text and ordinary in text
    assert text.index(suspect) < text.index(ordinary)
    assert "median interview 52 s against 425 s" in text or "访问时长中位数 52 秒" in text


def test_interviewer_detail_shows_figures_items_and_flags(
    client, analyst, interviewer, wave_with_a_suspect
):
    login(client, analyst)
    url = reverse("qc:interviewer_detail", args=[wave_with_a_suspect.pk, interviewer.pk])
    response = client.get(url)
    assert response.status_code == 200
    text = response.text
    # the per-item table names the question and its answers, not the path and codes
    assert "满意度第1题" in text and "/satisfaction/sat_1" not in text
    assert "满意: 100%" in text and "4: 100%" not in text  # everything answered "4" (满意)
    assert "10 项量表题中 10 项回答「满意」" in text and "10 of 10 scale items" not in text
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    assert "10 of 10 scale items" in english and "10 项量表题中" not in english
    data = response.context["data"]
    assert data["n"] == 6 and data["rank"] == 1
    assert data["figures"][0]["own"] == pytest.approx(52.5)  # median of 50..55 s
    assert data["figures"][0]["peers"] == pytest.approx(425.0)  # median of 400..450 s


def test_interviewer_without_interviews_in_the_wave_is_not_found(
    client, supervisor, wave_with_a_suspect
):
    login(client, supervisor)
    url = reverse("qc:interviewer_detail", args=[wave_with_a_suspect.pk, supervisor.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role_fixture", ["interviewer", "client_user"])
def test_interviewers_and_clients_cannot_see_the_risk_pages(
    request, client, interviewer, wave_with_a_suspect, role_fixture
):
    login(client, request.getfixturevalue(role_fixture))
    for url in (
        reverse("qc:interviewer_risk", args=[wave_with_a_suspect.pk]),
        reverse("qc:interviewer_detail", args=[wave_with_a_suspect.pk, interviewer.pk]),
    ):
        assert client.get(url).status_code == 403


def test_interviewer_alone_in_a_street_sees_items_against_all_other_interviewers(
    client, analyst, world, interviewer, other_interviewer
):
    # Each works a street alone (door to door): no peers in the same street.
    for k in range(6):
        answers = varied_answers(sat_1=str(1 + k % 5), sat_2=str(1 + (k + 2) % 5))
        check_completed_interview(
            world.interview(interviewer, answers=straight_answers("4"), street=world.street)
        )
        check_completed_interview(
            world.interview(other_interviewer, answers=answers, street=world.other_street)
        )
    login(client, analyst)
    url = reverse("qc:interviewer_detail", args=[world.wave.pk, interviewer.pk])
    data = client.get(url).context["data"]
    assert data["peers_everywhere"] and data["divergence"]["df"]
    items = {row["item"]: row for row in data["items"]}
    assert (
        items["满意度第1题"]["observed"]
        == "非常不满意: 0% · 不满意: 0% · 一般: 0% · 满意: 100% · 非常满意: 0%"
    )
    assert items["满意度第1题"]["n"] == 6


def test_interviewer_flags_are_paginated(client, analyst, world, interviewer, other_interviewer):
    for _ in range(30):  # 30 interviews flagged twice (straight-lined, too short): 60 flags
        check_completed_interview(
            world.interview(interviewer, answers=straight_answers("4"), duration=20)
        )
    check_completed_interview(world.interview(other_interviewer))
    login(client, analyst)
    url = reverse("qc:interviewer_detail", args=[world.wave.pk, interviewer.pk])
    first = client.get(url)
    assert len(first.context["data"]["flags"]) == 50 and first.context["data"]["n_flags"] == 60
    assert "?page=2" in first.text
    second = client.get(url + "?page=2").context["data"]["flags"]
    assert len(second) == 10
    shown = {(f["interview_id"], f["rule"]) for f in first.context["data"]["flags"]}
    assert not shown & {(f["interview_id"], f["rule"]) for f in second}
