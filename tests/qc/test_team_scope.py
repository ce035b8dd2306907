"""A team's supervisor sees their own team's QC work only, on every QC page and file that
lists a wave's interviewers (the review queue's row-level rule, accounts.teams): the
dashboard, the export, the back-checks and the interviewer risk list. A QC lead (analyst)
sees the whole wave."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Role, Team
from fieldwork.models import Case
from qc.models import BackCheck, Review
from qc.services.backchecks import select_backchecks
from qc.services.checks import check_completed_interview
from tests.factories import PASSWORD, make_user
from tests.qc.conftest import straight_answers, varied_answers


@pytest.fixture
def teams(world, supervisor, interviewer, other_interviewer):
    """一组: the supervisor and `interviewer` (3 rushed, straight-lined interviews); 二组:
    supervisor-b and `other_interviewer` (2 of them); every interview checked."""
    first = Team.objects.create(name="一组", supervisor=supervisor)
    second = Team.objects.create(name="二组", supervisor=make_user("supervisor-b", Role.SUPERVISOR))
    interviewer.team, other_interviewer.team = first, second
    interviewer.save(update_fields=["team"])
    other_interviewer.save(update_fields=["team"])
    for who, n in ((interviewer, 3), (other_interviewer, 2)):
        for k in range(n):
            interview = world.interview(who, answers=straight_answers("4"), duration=45 + k)
            check_completed_interview(interview)
    for k in range(4):  # ordinary interviews by both, so the risk ranking has peers
        for who in (interviewer, other_interviewer):
            answers = varied_answers(sat_1=str(1 + k % 5), sat_2=str(1 + (k + 2) % 5))
            check_completed_interview(world.interview(who, answers=answers, duration=400 + k))
    return world.wave


def _signed_in(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def test_the_dashboard_counts_the_supervisors_own_team(client, teams, interviewer, analyst):
    url = reverse("qc:dashboard", args=[teams.pk])
    mine = _signed_in(client, "supervisor").get(url).context["data"]
    assert mine["n_flagged"] == 3 and mine["n_reviews"] == 7
    assert [name for name, _n in mine["by_interviewer"]] == [str(interviewer)]
    whole = _signed_in(client, analyst.username).get(url).context["data"]
    assert whole["n_flagged"] == 5 and whole["n_reviews"] == 13


def test_the_export_holds_the_supervisors_own_team(
    client, teams, interviewer, other_interviewer, analyst
):
    url = reverse("qc:export", args=[teams.pk])
    browser = _signed_in(client, "supervisor-b")
    flags = _rows(browser.get(url))
    assert flags and {row[1] for row in flags} == {str(other_interviewer)}
    theirs = {int(row[0]) for row in flags}
    events = _rows(browser.get(url, {"table": "events"}))
    assert len(events) == 6 and {int(row[0]) for row in events} >= theirs
    assert {int(row[0]) for row in events} <= set(
        other_interviewer.interviews.values_list("pk", flat=True)
    )
    everyone = _rows(_signed_in(client, analyst.username).get(url))
    assert {row[1] for row in everyone} == {str(interviewer), str(other_interviewer)}


def test_the_back_checks_list_the_supervisors_own_team(
    client, teams, interviewer, other_interviewer, analyst
):
    checker = make_user("checker", Role.INTERVIEWER)
    select_backchecks(wave=teams, user=analyst, checkers=[checker], seed=7)
    drawn = set(BackCheck.objects.values_list("interview__interviewer", flat=True))
    assert drawn == {interviewer.pk, other_interviewer.pk}
    url = reverse("qc:backchecks", args=[teams.pk])
    page = _signed_in(client, "supervisor").get(url).context
    assert page["rows"] and {row["interviewer"] for row in page["rows"]} == {str(interviewer)}
    assert [row["interviewer"] for row in page["discrepancies"]] == [str(interviewer)]
    dashboard = client.get(reverse("qc:dashboard", args=[teams.pk])).context
    assert [row["interviewer"] for row in dashboard["discrepancies"]] == [str(interviewer)]
    whole = _signed_in(client, analyst.username).get(url).context
    assert {row["interviewer"] for row in whole["rows"]} == {
        str(interviewer),
        str(other_interviewer),
    }


def test_the_risk_list_shows_the_supervisors_own_team_at_their_wave_ranks(
    client, teams, interviewer, other_interviewer, analyst
):
    url = reverse("qc:interviewer_risk", args=[teams.pk])
    whole = _signed_in(client, analyst.username).get(url).context["rows"]
    assert {row["interviewer_id"] for row in whole} == {interviewer.pk, other_interviewer.pk}
    rank = {row["interviewer_id"]: row["rank"] for row in whole}
    mine = _signed_in(client, "supervisor-b").get(url).context["rows"]
    assert [(row["interviewer_id"], row["rank"]) for row in mine] == [
        (other_interviewer.pk, rank[other_interviewer.pk])
    ]


def test_a_re_interview_goes_to_an_interviewer_of_the_supervisors_own_team(
    client, teams, interviewer, other_interviewer
):
    first = Team.objects.get(name="一组")
    colleague = make_user("interviewer3", Role.INTERVIEWER)
    colleague.team = first
    colleague.save(update_fields=["team"])
    flagged = interviewer.interviews.filter(review__state=Review.State.FLAGGED).first()
    url = reverse("qc:review_return", args=[flagged.pk])
    browser = _signed_in(client, "supervisor")
    offered = browser.get(reverse("qc:review_detail", args=[flagged.pk])).context["return_form"]
    assert set(offered.fields["interviewer"].queryset) == {interviewer, colleague}
    listed = browser.get(reverse("qc:review_list")).context["form"].fields["interviewer"]
    assert set(listed.queryset) == {interviewer, colleague}

    response = browser.post(
        url, {"return-reason": "重访", "return-interviewer": other_interviewer.pk}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["重访须交给本组的访员。"]
    assert Review.objects.get(interview=flagged).state == Review.State.FLAGGED
    assert Case.objects.get(interview=flagged).interviewer == interviewer

    browser.post(url, {"return-reason": "重访", "return-interviewer": colleague.pk})
    assert Case.objects.get(interview=flagged).interviewer == colleague
