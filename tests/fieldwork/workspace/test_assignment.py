"""Assigning, transferring and returning cases: each with a reason and a history event, and a
result that says what happened and why not."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fieldwork.models import Case, CaseEvent
from fieldwork.services import assignment, attempts, interviews
from fieldwork.workspace.presenters import move_message
from tests.factories import PASSWORD, next_weekday_at


def test_moving_cases_assigns_transfers_and_explains_what_stayed(
    wave, supervisor, interviewer, other_interviewer, english
):
    ids = list(wave.cases.order_by("id").values_list("id", flat=True))
    assignment.move_cases(
        wave=wave, case_ids=ids[:3], to=interviewer, actor=supervisor, reason="开工"
    )
    done, busy = Case.objects.get(pk=ids[0]), Case.objects.get(pk=ids[1])
    attempts.record_attempt(case=done, interviewer=interviewer, mode="phone", disposition="4.30")
    interviews.start_interview(case=busy, interviewer=interviewer, mode="phone")

    result = assignment.move_cases(
        wave=wave,
        case_ids=[*ids[:5], 999999],
        to=other_interviewer,
        actor=supervisor,
        reason="访员请假",
    )

    assert (result.assigned, result.transferred, result.returned) == (2, 1, 0)
    assert dict(result.not_moved) == {"finished": 1, "interviewing": 1, "gone": 1}
    assert set(wave.cases.filter(interviewer=other_interviewer).values_list("id", flat=True)) == {
        ids[2],
        ids[3],
        ids[4],
    }
    moved = CaseEvent.objects.get(case_id=ids[2], kind="transferred")
    assert (moved.from_interviewer, moved.to_interviewer, moved.reason) == (
        interviewer,
        other_interviewer,
        "访员请假",
    )
    text, any_moved = move_message(result)
    assert any_moved
    assert text == (
        "2 assigned; 1 transferred. Not moved: 1 already finished, "
        "1 an interview is under way, 1 not in this wave."
    )


def test_returning_to_the_pool_and_refusals(wave, supervisor, interviewer):
    ids = list(wave.cases.values_list("id", flat=True))
    with pytest.raises(ValidationError):
        assignment.move_cases(wave=wave, case_ids=ids, to=interviewer, actor=supervisor, reason=" ")
    with pytest.raises(ValidationError):
        assignment.move_cases(wave=wave, case_ids=ids, to=supervisor, actor=supervisor, reason="x")
    assert not CaseEvent.objects.exists()
    assignment.move_cases(wave=wave, case_ids=ids[:2], to=interviewer, actor=supervisor, reason="a")
    result = assignment.move_cases(
        wave=wave, case_ids=ids[:3], to=None, actor=supervisor, reason="重新分配"
    )
    assert result.returned == 2 and dict(result.not_moved) == {"unassigned": 1}
    assert not wave.cases.exclude(interviewer=None).exists()
    assert CaseEvent.objects.filter(kind="returned").count() == 2


def test_nothing_to_move_says_why(wave, supervisor, interviewer, english):
    assignment.move_cases(
        wave=wave,
        case_ids=list(wave.cases.values_list("id", flat=True)),
        to=interviewer,
        actor=supervisor,
        reason="a",
    )
    result = assignment.assign_from_pool(
        wave=wave, to=interviewer, count=3, actor=supervisor, reason="b"
    )
    assert move_message(result) == (
        "No case moved. Not moved: 3 not enough unassigned cases left.",
        False,
    )


def _grid(client, wave, **filters):
    return client.get(reverse("fieldwork:wave_cases", args=[wave.pk]), filters)


def test_the_grid_filters_by_interviewer_and_moves_every_case_shown(
    client, wave, supervisor, interviewer, other_interviewer, english
):
    ids = list(wave.cases.order_by("id").values_list("id", flat=True))
    assignment.move_cases(wave=wave, case_ids=ids[:4], to=interviewer, actor=supervisor, reason="a")
    client.login(username=supervisor.username, password=PASSWORD)
    shown = _grid(client, wave, interviewer=interviewer.pk)
    assert [row["id"] for row in shown.context["rows"]] == ids[:4]
    assert shown.context["total"] == 4
    url = reverse("fieldwork:move_cases", args=[wave.pk]) + f"?interviewer={interviewer.pk}"
    response = client.post(
        url, {"scope": "all", "to": other_interviewer.pk, "reason": "调岗"}, follow=True
    )
    assert "4 transferred." in response.content.decode()
    assert wave.cases.filter(interviewer=other_interviewer).count() == 4
    assert CaseEvent.objects.filter(kind="transferred", reason="调岗").count() == 4


def test_the_grid_moves_ticked_cases_and_refuses_without_a_tick(
    client, wave, supervisor, interviewer
):
    client.login(username=supervisor.username, password=PASSWORD)
    url = reverse("fieldwork:move_cases", args=[wave.pk])
    refused = client.post(url, {"scope": "selected", "to": interviewer.pk, "reason": "a"})
    assert refused.status_code == 400 and not CaseEvent.objects.exists()
    first, second = wave.cases.order_by("id").values_list("id", flat=True)[:2]
    client.post(
        url, {"scope": "selected", "cases": [first, second], "to": interviewer.pk, "reason": "a"}
    )
    assert set(wave.cases.filter(interviewer=interviewer).values_list("id", flat=True)) == {
        first,
        second,
    }


def test_the_grid_filters_and_sorts(client, wave, supervisor, interviewer):
    ids = list(wave.cases.order_by("id").values_list("id", flat=True))
    assignment.move_cases(wave=wave, case_ids=ids[:2], to=interviewer, actor=supervisor, reason="a")
    for _ in range(2):
        attempts.record_attempt(
            case=Case.objects.get(pk=ids[1]),
            interviewer=interviewer,
            mode="phone",
            disposition="3.13",
        )
    client.login(username=supervisor.username, password=PASSWORD)
    assert [r["id"] for r in _grid(client, wave, attempts="2").context["rows"]] == [ids[1]]
    assert [r["id"] for r in _grid(client, wave, status="callback").context["rows"]] == [ids[1]]
    assert _grid(client, wave, sort="-attempts").context["rows"][0]["id"] == ids[1]
    pool = _grid(client, wave, interviewer="none").context["rows"]
    assert {r["id"] for r in pool} == set(ids[2:])
    assert _grid(client, wave, outcome="3.13").context["total"] == 1


def test_the_grid_offers_only_the_waves_own_streets(client, wave, supervisor, tree):
    client.login(username=supervisor.username, password=PASSWORD)
    streets = _grid(client, wave).context["filters"].fields["street"].queryset
    assert set(streets) == {case.street for case in wave.cases.all()}
    assert tree["other_street"] not in streets


def test_a_supervisor_moves_one_case_from_its_page_and_reads_why_in_its_history(
    client, wave, supervisor, interviewer
):
    case = wave.cases.first()
    client.login(username=supervisor.username, password=PASSWORD)
    page = reverse("fieldwork:case_detail", args=[case.pk])
    assert 'id="move-case"' in client.get(page).content.decode()
    response = client.post(
        reverse("fieldwork:move_cases", args=[wave.pk]),
        {
            "scope": "selected",
            "cases": case.pk,
            "to": interviewer.pk,
            "reason": "熟悉该小区",
            "next": page,
        },
    )
    assert response.url == page
    case.refresh_from_db()
    assert case.interviewer == interviewer
    assert "熟悉该小区" in client.get(page).content.decode()


def test_a_case_whose_interview_was_stopped_is_not_moved(
    wave, my_case, supervisor, interviewer, other_interviewer, english
):
    case = my_case
    interview = interviews.start_interview(case=case, interviewer=interviewer, mode="phone")
    interviews.stop_interview(interview=interview, at=next_weekday_at(19))
    case.refresh_from_db()
    assert case.status == Case.Status.PENDING  # stopped with a callback: back in the list

    for to in (other_interviewer, None):
        result = assignment.move_cases(
            wave=wave, case_ids=[case.pk], to=to, actor=supervisor, reason="访员请假"
        )
        assert result.moved == 0 and dict(result.not_moved) == {"stopped": 1}
    case.refresh_from_db()
    assert case.interviewer == interviewer
    assert not CaseEvent.objects.filter(case=case, kind__in=["transferred", "returned"]).exists()
    text, any_moved = move_message(result)
    assert not any_moved
    assert "1 an interview was stopped: resume or close it first" in text


def test_every_case_shown_refuses_invalid_filters_instead_of_moving_everything(
    client, wave, supervisor, interviewer, english
):
    client.login(username=supervisor.username, password=PASSWORD)
    url = reverse("fieldwork:move_cases", args=[wave.pk]) + "?interviewer=999999&status=bogus"
    response = client.post(url, {"scope": "all", "to": interviewer.pk, "reason": "调岗"})
    assert response.status_code == 400
    assert "The filters are not valid, so nothing was moved" in response.content.decode()
    assert not wave.cases.filter(interviewer=interviewer).exists()
    assert not CaseEvent.objects.exists()


def test_an_inactive_interviewer_still_holding_cases_can_be_filtered_and_emptied(
    client, wave, supervisor, interviewer, other_interviewer, english
):
    ids = list(wave.cases.order_by("id").values_list("id", flat=True))
    assignment.move_cases(wave=wave, case_ids=ids[:3], to=interviewer, actor=supervisor, reason="a")
    interviewer.is_active = False
    interviewer.save(update_fields=["is_active"])
    client.login(username=supervisor.username, password=PASSWORD)
    shown = _grid(client, wave, interviewer=interviewer.pk)
    assert f"{interviewer} (no longer active)" in shown.content.decode()
    assert [row["id"] for row in shown.context["rows"]] == ids[:3]
    url = reverse("fieldwork:move_cases", args=[wave.pk]) + f"?interviewer={interviewer.pk}"
    client.post(url, {"scope": "all", "to": other_interviewer.pk, "reason": "离职"})
    assert set(
        wave.cases.filter(interviewer=other_interviewer).values_list("id", flat=True)
    ) == set(ids[:3])
