"""The analyst's people pages: users, leavers, teams, organisations, interviewers' profiles."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.models import Organisation, Role, Team, User
from fieldwork.models import Case, InterviewerProfile
from fieldwork.services import assignment
from tests.factories import PASSWORD, make_organisation, make_user


@pytest.fixture
def firm(db):
    return make_organisation("平安调查中心", Organisation.Kind.FIRM)


@pytest.fixture
def team(supervisor):
    return Team.objects.create(name="一组", supervisor=supervisor)


def log_in(client, user):
    client.login(username=user.username, password=PASSWORD)


def test_an_analyst_adds_an_interviewer_to_a_team_who_must_choose_a_password(
    client, analyst, firm, team
):
    log_in(client, analyst)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "wang.qiang",
            "full_name": "王强",
            "role": Role.INTERVIEWER,
            "organisation": firm.pk,
            "team": team.pk,
        },
    )
    # the temporary password is shown once, and works once
    assert response.status_code == 200
    password = response.context["password"]
    user = User.objects.get(username="wang.qiang")
    assert (user.team, user.organisation, user.must_change_password) == (team, firm, True)
    assert LogEntry.objects.filter(object_id=str(user.pk), user=analyst).exists()
    client.logout()
    assert client.login(username="wang.qiang", password=password)
    assert client.get(reverse("fieldwork:my_cases")).url.startswith(
        reverse("accounts:password_change")
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"role": Role.CLIENT}, "__all__", "client body"),
        ({"role": Role.SUPERVISOR, "team": "team"}, "__all__", "Only interviewers"),
        ({"role": Role.ANALYST}, "role", "valid choice"),
        ({"username": "analyst"}, "__all__", "taken"),
        ({"username": "has space"}, "username", "Letters"),
    ],
)
def test_a_user_that_cannot_be_is_refused_with_a_reason(
    client, analyst, team, fields, field, message
):
    client.cookies["django_language"] = "en"
    log_in(client, analyst)
    data = {"username": "new", "full_name": "新人", "role": Role.INTERVIEWER, **fields}
    if data.get("team") == "team":
        data["team"] = team.pk
    response = client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not User.objects.filter(username=data["username"], first_name="新人").exists()


def test_a_client_belongs_to_a_client_body(client, analyst):
    body = make_organisation("平安市委政法委")
    log_in(client, analyst)
    data = {"username": "c2", "full_name": "委托方", "role": Role.CLIENT, "organisation": body.pk}
    assert client.post(reverse("accounts:user_create"), data).status_code == 200
    assert User.objects.get(username="c2").organisation == body


def test_a_leaver_cannot_log_in_and_their_cases_can_be_moved_on(
    client, analyst, supervisor, my_case, interviewer, other_interviewer
):
    log_in(client, analyst)
    response = client.post(reverse("accounts:user_active", args=[interviewer.pk]), {"active": "0"})
    assert response.status_code == 302
    interviewer.refresh_from_db()
    assert not interviewer.is_active
    client.logout()
    assert not client.login(username=interviewer.username, password=PASSWORD)
    # the case stays theirs, visible, until a supervisor moves it
    assert Case.objects.get(pk=my_case.pk).interviewer == interviewer
    result = assignment.move_cases(
        wave=my_case.wave,
        case_ids=[my_case.pk],
        to=other_interviewer,
        actor=supervisor,
        reason="离职",
    )
    assert result.transferred == 1
    assert LogEntry.objects.filter(object_id=str(interviewer.pk)).count() == 1


def test_editing_a_user_logs_what_changed(client, analyst, interviewer, team):
    log_in(client, analyst)
    data = {"full_name": "李明", "role": Role.INTERVIEWER, "team": team.pk}
    response = client.post(reverse("accounts:user_edit", args=[interviewer.pk]), data)
    assert response.status_code == 302
    interviewer.refresh_from_db()
    assert (interviewer.first_name, interviewer.team) == ("李明", team)
    entry = LogEntry.objects.get(object_id=str(interviewer.pk))
    assert "一组" in entry.change_message and "李明" in entry.change_message
    page = client.get(reverse("accounts:user_edit", args=[interviewer.pk]))
    assert "一组" in page.content.decode()


def test_a_supervisor_who_leads_a_team_keeps_the_role_until_the_team_has_another(
    client, analyst, supervisor, team
):
    log_in(client, analyst)
    data = {"full_name": "何建国", "role": Role.INTERVIEWER}
    response = client.post(reverse("accounts:user_edit", args=[supervisor.pk]), data)
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert User.objects.get(pk=supervisor.pk).role == Role.SUPERVISOR


def test_teams_are_added_and_a_taken_name_is_refused(client, analyst, supervisor, team):
    log_in(client, analyst)
    url = reverse("accounts:team_list")
    assert client.post(url, {"name": "二组", "supervisor": supervisor.pk}).status_code == 302
    refused = client.post(url, {"name": "一组"})
    assert refused.status_code == 400 and refused.context["form"].non_field_errors()
    assert list(Team.objects.values_list("name", flat=True)) == ["一组", "二组"]


def test_an_organisation_with_users_keeps_its_kind(client, analyst, client_user):
    body = client_user.organisation
    log_in(client, analyst)
    url = reverse("accounts:organisation_edit", args=[body.pk])
    refused = client.post(url, {"name": body.name, "kind": Organisation.Kind.FIRM})
    assert refused.status_code == 400
    assert client.post(url, {"name": "平安市政法委", "kind": body.kind}).status_code == 302
    body.refresh_from_db()
    assert (body.name, body.kind) == ("平安市政法委", Organisation.Kind.CLIENT)


def test_an_interviewers_home_county_and_languages(client, analyst, interviewer, tree):
    log_in(client, analyst)
    url = reverse("fieldwork:interviewer_profile", args=[interviewer.pk])
    data = {"home_county": tree["district"].pk, "dialects": ["minnan", "hakka"]}
    assert client.post(url, data).status_code == 302
    profile = InterviewerProfile.objects.get(user=interviewer)
    assert (profile.home_county, profile.dialects) == (tree["district"], ["minnan", "hakka"])
    # a street is not a county: not offered, refused
    street = {"home_county": tree["street"].pk}
    assert client.post(url, street).status_code == 400
    # only interviewers have one
    supervisor = make_user("sup3", Role.SUPERVISOR)
    assert (
        client.get(reverse("fieldwork:interviewer_profile", args=[supervisor.pk])).status_code
        == 404
    )
