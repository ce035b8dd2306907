"""Passwords: everyone changes their own; an analyst gives a user a temporary one, which the
user must replace before anything else; weak passwords are refused."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from tests.factories import PASSWORD, make_user

CHANGE = reverse("accounts:password_change")


def _change(client, old: str, new: str, confirm: str | None = None):
    return client.post(
        CHANGE, {"old_password": old, "new_password1": new, "new_password2": confirm or new}
    )


def test_numeric_only_and_short_passwords_are_refused_by_the_settings():
    validators = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert "NumericPasswordValidator" in validators
    for weak in ("73910264558217", "k9#Lm2!qZ"):  # only digits; 9 characters
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("k9#Lm2!qZx")  # 10 characters, not only digits


def test_a_user_changes_their_password(client, interviewer):
    client.force_login(interviewer)
    assert "修改密码" in client.get(CHANGE).content.decode()

    response = _change(client, PASSWORD, "quiet-river-lantern-42")

    assert response.status_code == 302
    interviewer.refresh_from_db()
    assert interviewer.check_password("quiet-river-lantern-42")
    # the session stays logged in
    assert client.get(reverse("fieldwork:my_cases")).status_code == 200


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("not-my-password", "quiet-river-lantern-42", "old_password"),
        (PASSWORD, "48201937561", "new_password2"),  # only digits
        (PASSWORD, "short-pw", "new_password2"),
        (PASSWORD, PASSWORD, "new_password2"),  # the same as now
    ],
)
def test_a_wrong_current_password_or_a_weak_new_one_is_refused(
    client, interviewer, old, new, error
):
    client.force_login(interviewer)
    response = _change(client, old, new)
    assert response.status_code == 200
    assert response.context["form"].errors[error]
    interviewer.refresh_from_db()
    assert interviewer.check_password(PASSWORD)


def test_the_top_bar_links_to_the_password_change_and_two_step_pages(client, client_user):
    client.force_login(client_user)
    page = client.get(reverse("scoring:results")).content.decode()
    assert f'href="{CHANGE}"' in page
    assert f'href="{reverse("accounts:second_factor")}"' in page


def test_an_analyst_gives_a_temporary_password_that_must_be_replaced(client, analyst, interviewer):
    client.force_login(analyst)
    assert interviewer.username in client.get(reverse("accounts:user_list")).content.decode()
    url = reverse("accounts:reset_password", args=[interviewer.pk])
    assert client.get(url).status_code == 200  # asks first
    interviewer.refresh_from_db()
    assert interviewer.check_password(PASSWORD)

    response = client.post(url)

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    temporary = response.context["password"]
    interviewer.refresh_from_db()
    assert interviewer.check_password(temporary) and interviewer.must_change_password
    # the user logs in with it and is held at the password change until they choose their own
    client.logout()
    client.post("/login/", {"username": interviewer.username, "password": temporary})
    held = client.get(reverse("fieldwork:my_cases"))
    assert held.status_code == 302 and held.url.startswith(CHANGE)
    assert "临时密码" in client.get(held.url).content.decode()
    assert _change(client, temporary, "quiet-river-lantern-42").status_code == 302
    assert client.get(reverse("fieldwork:my_cases")).status_code == 200
    interviewer.refresh_from_db()
    assert not interviewer.must_change_password


def test_a_reset_ends_the_users_sessions(client, analyst, interviewer, django_user_model):
    from django.test import Client

    theirs = Client()
    theirs.force_login(interviewer)
    client.force_login(analyst)
    client.post(reverse("accounts:reset_password", args=[interviewer.pk]))
    response = theirs.get(reverse("fieldwork:my_cases"))
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_only_analysts_reset_passwords_and_never_their_own_or_a_superusers(
    client, analyst, supervisor, interviewer
):
    root = make_user("root", Role.INTERVIEWER)
    root.is_superuser = True
    root.save()
    client.force_login(supervisor)
    assert client.post(reverse("accounts:reset_password", args=[interviewer.pk])).status_code == 403
    client.force_login(analyst)
    for person in (analyst, root):
        url = reverse("accounts:reset_password", args=[person.pk])
        assert client.post(url).status_code == 404
    listed = client.get(reverse("accounts:user_list")).content.decode()
    assert "root" not in listed
    interviewer.refresh_from_db()
    assert interviewer.check_password(PASSWORD)


def test_an_analyst_cannot_reset_another_analyst_or_an_admin_user(client, analyst, supervisor):
    colleague = make_user("analyst2", Role.ANALYST)
    staff = make_user("ops", Role.INTERVIEWER)
    staff.is_staff = True
    staff.save()
    client.force_login(analyst)

    for person in (colleague, staff):
        url = reverse("accounts:reset_password", args=[person.pk])
        assert client.post(url).status_code == 404
    listed = client.get(reverse("accounts:user_list")).content.decode()
    assert "analyst2" not in listed and "ops" not in listed
    assert client.post(reverse("accounts:reset_password", args=[supervisor.pk])).status_code != 404
