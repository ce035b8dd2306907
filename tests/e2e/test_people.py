"""An analyst adds an interviewer to a team from the people pages, in a real browser; the
interviewer logs in with the temporary password, must choose their own, and starts work."""

import pytest

from accounts.models import Organisation, Team, User
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_analyst_adds_an_interviewer_to_a_team_who_logs_in_and_chooses_a_password(
    live_server, new_page, analyst, supervisor
):
    base = live_server.url
    firm = Organisation.objects.create(name="平安调查中心", kind=Organisation.Kind.FIRM)
    desk = new_page()
    log_in(desk, base, analyst.username, PASSWORD)

    # the analyst forms a team under the supervisor
    desk.goto(f"{base}/account/teams/")
    desk.fill("input[name=name]", "一组")
    desk.select_option("select[name=supervisor]", str(supervisor.pk))
    desk.click("form.card button[type=submit]")
    desk.wait_for_load_state()
    team = Team.objects.get(name="一组")
    assert team.supervisor == supervisor
    assert "一组" in desk.inner_text("table")

    # and adds an interviewer to it
    desk.goto(f"{base}/account/users/")
    desk.click("a[href='/account/users/new/']")
    desk.fill("input[name=username]", "zhao.min")
    desk.fill("input[name=full_name]", "赵敏")
    desk.select_option("select[name=role]", "interviewer")
    desk.select_option("select[name=organisation]", str(firm.pk))
    desk.select_option("select[name=team]", str(team.pk))
    desk.click("form.card button[type=submit]")
    desk.wait_for_load_state()
    password = desk.inner_text("[data-temporary-password]").strip()
    assert len(password) == 14
    newcomer = User.objects.get(username="zhao.min")
    assert (newcomer.team, newcomer.organisation, newcomer.role) == (team, firm, "interviewer")

    # the team's page lists the new member
    desk.goto(f"{base}/account/teams/{team.pk}/")
    assert "赵敏" in desk.inner_text("main")

    # the interviewer logs in with the temporary password and must choose their own first
    page = new_page()
    log_in(page, base, "zhao.min", password)
    assert "/account/password/" in page.url
    page.goto(f"{base}/fieldwork/my-cases/")
    assert "/account/password/" in page.url  # no page before the password is changed
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password1]", "hills-and-rivers-2026")
    page.fill("input[name=new_password2]", "hills-and-rivers-2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/fieldwork/my-cases/")
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password

    # the analyst sees the first login on the users page
    desk.goto(f"{base}/account/users/")
    row = desk.locator("tr", has_text="zhao.min")
    assert "临时密码" not in row.inner_text()
