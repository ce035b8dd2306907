"""A team's supervisor sees their own team's QC work only, on every QC page and file that
lists a wave's interviewers (the review queue's row-level rule, accounts.teams): the
dashboard, the export, the back-checks and the interviewer risk list. A QC lead (analyst)
sees the whole wave."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role, Team, User
from audit.kinds import Kind
from audit.models import AuditEvent
from fieldwork.models import Case, Interview
from qc.models import BackCheck, Review
from qc.services.backchecks import select_backchecks
from qc.services.checks import check_completed_interview
from qc.services.reviews import return_interview
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

    refused = browser.post(
        url, {"return-reason": "重访", "return-interviewer": other_interviewer.pk}
    )
    assert refused.status_code == 200 and refused.context["return_form"].errors["interviewer"]
    assert other_interviewer not in refused.context["return_form"].fields["interviewer"].queryset
    assert Review.objects.get(interview=flagged).state == Review.State.FLAGGED
    assert Case.objects.get(interview=flagged).interviewer == interviewer
    with pytest.raises(PermissionDenied, match="本组"):  # the service holds the rule too
        return_interview(
            review=flagged.review,
            user=User.objects.get(username="supervisor"),
            reason="重访",
            interviewer=other_interviewer,
        )

    browser.post(url, {"return-reason": "重访", "return-interviewer": colleague.pk})
    assert Case.objects.get(interview=flagged).interviewer == colleague


def test_approving_all_a_filter_shows_approves_nothing_when_the_filter_does_not_hold(
    client, teams, other_interviewer
):
    browser = _signed_in(client, "supervisor")
    query = f"?wave={teams.pk}&interviewer={other_interviewer.pk}"  # another team's
    response = browser.post(reverse("qc:review_bulk_approve") + query, {"scope": "all"})
    assert response.status_code == 302
    assert not Review.objects.filter(state=Review.State.PROPOSED_APPROVE).exists()
    shown = [str(m) for m in browser.get(response.url).context["messages"]]
    assert shown and "选择一个有效的选项" in shown[0]


def test_a_supervisor_draws_back_checks_of_their_own_team_for_their_own_team(
    client, teams, interviewer, other_interviewer
):
    first = Team.objects.get(name="一组")
    mine, theirs = (make_user(name, Role.INTERVIEWER) for name in ("checker", "checker-b"))
    mine.team = first
    mine.save(update_fields=["team"])
    url = reverse("qc:backchecks", args=[teams.pk])
    browser = _signed_in(client, "supervisor")
    offered = browser.get(url).context["form"].fields["checkers"].queryset
    assert mine in offered and theirs not in offered and other_interviewer not in offered
    browser.post(url, {"checkers": [theirs.pk], "seed": 3})
    assert not BackCheck.objects.exists()
    with pytest.raises(ValidationError, match="本组"):
        select_backchecks(
            wave=teams, user=User.objects.get(username="supervisor"), checkers=[theirs], seed=3
        )
    browser.post(url, {"checkers": [mine.pk], "seed": 3})
    drawn = BackCheck.objects.all()
    assert drawn and {b.interview.interviewer_id for b in drawn} == {interviewer.pk}
    assert {b.assigned_to_id for b in drawn} == {mine.pk}


def test_a_back_check_stays_with_the_team_of_the_interviewer_it_checked(
    client, teams, interviewer, other_interviewer, analyst
):
    checker = make_user("checker", Role.INTERVIEWER)
    select_backchecks(wave=teams, user=analyst, checkers=[checker], seed=7)
    judged = BackCheck.objects.filter(interview__interviewer=interviewer).first()
    judged.interviewer = interviewer
    judged.save(update_fields=["interviewer"])
    # the interview is re-interviewed by the other team's interviewer
    Interview.objects.filter(pk=judged.interview_id).update(interviewer=other_interviewer)
    url = reverse("qc:backchecks", args=[teams.pk])
    first = _signed_in(client, "supervisor").get(url).context["rows"]
    assert judged.interview_id in {row["interview_id"] for row in first}
    second = _signed_in(client, "supervisor-b").get(url).context["rows"]
    assert judged.interview_id not in {row["interview_id"] for row in second}


def test_a_supervisor_leading_no_team_sees_the_whole_wave(client, teams, interviewer):
    lone = make_user("lone-supervisor", Role.SUPERVISOR)
    browser = _signed_in(client, lone.username)
    data = browser.get(reverse("qc:dashboard", args=[teams.pk])).context["data"]
    assert data["n_flagged"] == 5 and data["n_reviews"] == 13
    flags = _rows(browser.get(reverse("qc:export", args=[teams.pk])))
    assert len({row[0] for row in flags}) == 5


def test_the_review_queue_downloads_as_filtered_for_the_supervisors_own_team(
    client, teams, interviewer, other_interviewer
):
    browser = _signed_in(client, "supervisor")
    query = {"wave": teams.pk, "rule": "rushed"}
    page = browser.get(reverse("qc:review_list"), query)
    listed = [row["interview_id"] for row in page.context["rows"]]
    assert len(listed) == 3  # 一组's three rushed interviews; 二组's two are not theirs
    assert reverse("qc:review_export") in page.text
    response = browser.get(reverse("qc:review_export"), query)
    assert response["Content-Disposition"] == 'attachment; filename="qc-review-queue.csv"'
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text))
    assert header == [
        "访问", "访员", "区县", "街道", "访问方式", "完成时间", "时长（秒）", "审核状态",
        "质控标记", "原因",
    ]  # fmt: skip
    assert [int(row[0]) for row in rows] == listed  # the queue's rows in its order
    assert {(row[1], row[4], row[7]) for row in rows} == {
        (str(interviewer), "电话访问（CATI）", "存疑")
    }
    assert all(row[8].startswith("用时过短 (高); ") for row in rows)
    assert sorted(int(row[6]) for row in rows) == [45, 46, 47]  # the interviews' seconds
    workbook = browser.get(reverse("qc:review_export"), {**query, "format": "xlsx"})
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["审核队列"] and book.active.max_row == 4
    # a filter that does not hold (another team's interviewer) gives no file
    refused = browser.get(reverse("qc:review_export"), {"interviewer": other_interviewer.pk})
    assert refused.status_code == 302 and refused.url == reverse("qc:review_list")


@pytest.mark.parametrize("state", ["", "clean"])
def test_the_download_holds_every_page_of_the_queue_in_its_order(
    client, teams, analyst, monkeypatch, state
):
    monkeypatch.setattr("qc.views.PAGE_SIZE", 5)
    browser = _signed_in(client, analyst.username)
    query = {"wave": teams.pk, "state": state}
    listed, number = [], 1
    while True:
        page = browser.get(reverse("qc:review_list"), {**query, "page": number})
        listed += [row["interview_id"] for row in page.context["rows"]]
        if not page.context["page"].has_next():
            break
        number += 1
    assert len(listed) == (13 if not state else 8) and number > 1  # flagged first, then clean
    link = browser.get(reverse("qc:review_list"), {**query, "page": 2}).text
    assert f'href="/qc/download/?wave={teams.pk}&amp;state={state}&amp;format=xlsx"' in link

    downloaded = _rows(browser.get(reverse("qc:review_export"), query))
    assert [int(row[0]) for row in downloaded] == listed
    event = AuditEvent.objects.filter(kind=Kind.DOWNLOAD).latest("pk")
    assert (event.subject, event.wave_id) == ("qc-review-queue.csv", teams.pk)
    assert event.detail["rows"] == len(listed)
    assert event.detail["filters"] == {"wave": str(teams.pk), **({"state": state} if state else {})}
