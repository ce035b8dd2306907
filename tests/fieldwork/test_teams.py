"""Supervisors and their teams: each acts on their own team's work and the pool only."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role, Team
from fieldwork.models import Case, PhoneReveal
from fieldwork.services import assignment, attempts, interviews
from fieldwork.workspace.forms import MoveForm
from tests.factories import PASSWORD, make_user


@pytest.fixture
def teams(supervisor, interviewer, other_interviewer):
    """一组: the supervisor and the interviewer; 二组: another supervisor and interviewer2."""
    other_supervisor = make_user("supervisor-b", Role.SUPERVISOR)
    first = Team.objects.create(name="一组", supervisor=supervisor)
    second = Team.objects.create(name="二组", supervisor=other_supervisor)
    interviewer.team, other_interviewer.team = first, second
    interviewer.save(update_fields=["team"])
    other_interviewer.save(update_fields=["team"])
    return {"first": first, "second": second, "other_supervisor": other_supervisor}


def test_a_supervisor_gives_cases_only_to_their_own_team(
    teams, wave, supervisor, interviewer, other_interviewer
):
    pool = list(wave.cases.values_list("pk", flat=True)[:2])
    with pytest.raises(ValidationError):
        assignment.move_cases(
            wave=wave, case_ids=pool, to=other_interviewer, actor=supervisor, reason="分配"
        )
    result = assignment.move_cases(
        wave=wave, case_ids=pool, to=interviewer, actor=supervisor, reason="分配"
    )
    assert result.assigned == 2
    # the other team's supervisor cannot take them back to the pool: they are not theirs
    result = assignment.move_cases(
        wave=wave, case_ids=pool, to=None, actor=teams["other_supervisor"], reason="收回"
    )
    assert result.returned == 0 and result.not_moved["gone"] == 2
    assert set(Case.objects.filter(pk__in=pool).values_list("interviewer", flat=True)) == {
        interviewer.pk
    }


def test_the_move_form_offers_the_supervisors_own_team(
    teams, supervisor, analyst, interviewer, other_interviewer
):
    offered = {value for value, _label in MoveForm(viewer=supervisor).fields["to"].choices}
    assert str(interviewer.pk) in offered and str(other_interviewer.pk) not in offered
    everyone = {value for value, _label in MoveForm(viewer=analyst).fields["to"].choices}
    assert {str(interviewer.pk), str(other_interviewer.pk)} <= everyone


def test_a_case_of_another_team_is_not_found_but_the_pool_is_seen(client, teams, wave, my_case):
    client.login(username="supervisor-b", password=PASSWORD)
    assert client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).status_code == 404
    free = wave.cases.filter(interviewer=None).first()
    assert client.get(reverse("fieldwork:case_detail", args=[free.pk])).status_code == 200
    grid = client.get(reverse("fieldwork:wave_cases", args=[wave.pk]), {"status": "all"})
    shown = {case.pk for case in grid.context["page"].object_list}
    assert my_case.pk not in shown and free.pk in shown


def test_a_supervisor_leading_no_team_sees_every_case(client, wave, my_case):
    lone = make_user("lone-supervisor", Role.SUPERVISOR)
    client.login(username=lone.username, password=PASSWORD)
    assert client.get(reverse("fieldwork:case_detail", args=[my_case.pk])).status_code == 200


def test_the_interviewers_tab_shows_the_supervisors_own_team(client, teams, wave, my_case):
    # given the interviewer of 一组 made a call
    attempts.record_attempt(
        case=my_case, interviewer=my_case.interviewer, mode="phone", disposition="3.13"
    )
    url = reverse("fieldwork:wave_interviewers", args=[wave.pk])
    # then 一组's supervisor sees them; 二组's does not
    client.login(username="supervisor", password=PASSWORD)
    mine = client.get(url).context
    assert [row["interviewer_id"] for row in mine["rows"]] == [my_case.interviewer_id]
    client.login(username="supervisor-b", password=PASSWORD)
    theirs = client.get(url).context
    assert theirs["rows"] == []
    assert all(row["label"] != my_case.interviewer.username for row in theirs["by_interviewer"])


def test_the_overview_and_rates_show_the_supervisors_own_team(client, teams, wave, my_case):
    interviews.start_interview(case=my_case, interviewer=my_case.interviewer, mode="phone")
    PhoneReveal.objects.create(case=my_case, interviewer=my_case.interviewer)
    live = reverse("fieldwork:wave_live", args=[wave.pk])
    overview = reverse("fieldwork:wave_detail", args=[wave.pk])
    rates = reverse("fieldwork:wave_rates", args=[wave.pk])
    csv_url = reverse("fieldwork:rates_csv", args=[wave.pk])
    # 一组's supervisor sees their interviewer at work
    client.login(username="supervisor", password=PASSWORD)
    assert [row["case_id"] for row in client.get(live).context["open_work"]] == [my_case.pk]
    assert len(client.get(live).context["pace"]) == 1
    assert len(client.get(overview).context["phone_reveals"]) == 1
    mine = _interviewer_rates(client.get(rates))
    assert str(my_case.interviewer) in mine
    assert my_case.interviewer.username in _csv_groups(client.get(csv_url, {"by": "interviewer"}))
    # 二组's does not, though the wave-level figures are the same for both
    client.login(username="supervisor-b", password=PASSWORD)
    assert client.get(live).context["open_work"] == []
    assert client.get(live).context["pace"] == []
    assert client.get(overview).context["phone_reveals"] == []
    theirs = _interviewer_rates(client.get(rates))
    assert str(my_case.interviewer) not in theirs and "—" in theirs  # the pool's row stays
    assert my_case.interviewer.username not in _csv_groups(
        client.get(csv_url, {"by": "interviewer"})
    )


def _csv_groups(response) -> list[str]:
    return [row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))][1:]


def _interviewer_rates(response) -> list[str]:
    tables = {breakdown: table for _label, breakdown, table in response.context["rate_tables"]}
    return [row["label"] for row in tables["interviewer"]["rows"]]


def test_filters_and_calendar_offer_the_supervisors_own_team(client, teams, wave, my_case):
    other = teams["second"].members.get()
    client.login(username="supervisor", password=PASSWORD)
    grid = client.get(reverse("fieldwork:wave_cases", args=[wave.pk])).context["filters"]
    offered = {value for value, _label in grid.fields["interviewer"].choices}
    assert str(my_case.interviewer_id) in offered and str(other.pk) not in offered
    calendar = reverse("fieldwork:wave_appointments", args=[wave.pk])
    choices = client.get(calendar).context["calendar_form"].fields["interviewer"].choices
    assert str(my_case.interviewer_id) in {value for value, _label in choices}
    assert str(other.pk) not in {value for value, _label in choices}
    # another team's interviewer asked for by id is not named either
    assert client.get(calendar, {"interviewer": other.pk}).context["who"] == ""
