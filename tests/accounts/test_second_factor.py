"""Two-step verification: analysts add an authenticator at their first login and confirm every
login with it; others may turn it on; backup codes work once; wrong codes slow the next try.

These tests log in as in production (`second_factor_not_verified_at_login`): the password
alone reaches no page.
"""

import time
from base64 import b32decode
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.factories import PASSWORD, authenticator_code, make_user

pytestmark = pytest.mark.usefixtures("second_factor_not_verified_at_login")

ENROL = reverse("accounts:second_factor_enrol")
VERIFY = reverse("accounts:second_factor_verify")
RESULTS = reverse("scoring:results")


def _log_in(client: Client, user) -> None:
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def _enrol(client: Client, user) -> list[str]:
    """Add an authenticator through the set-up page; the backup codes it shows."""
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": authenticator_code(device), "next": RESULTS})
    assert response.status_code == 200, response.context["form"].errors
    return list(response.context["codes"])


def test_a_password_alone_does_not_open_an_analysts_pages(client, analyst):
    """The requirement is enforced: without this, every test below would pass vacuously."""
    assert client.login(username=analyst.username, password=PASSWORD)  # as most tests do
    response = client.get(RESULTS)
    assert response.status_code == 302 and response.url.startswith(ENROL)
    client.force_login(analyst)
    assert client.get(reverse("jobs:job_list")).url.startswith(ENROL)


def test_an_analyst_sets_up_an_authenticator_at_the_first_login(client, analyst):
    _log_in(client, analyst)
    page = client.get(RESULTS, follow=True)
    assert page.redirect_chain[-1][0].startswith(ENROL)
    content = page.content.decode()
    assert "<svg" in content and "设置两步验证" in content  # the QR code, inline
    device = TOTPDevice.objects.get(user=analyst, confirmed=False)
    shown_key = page.context["setup"]["secret"]  # for typing in by hand, in groups of four
    assert shown_key in content and b32decode(shown_key.replace(" ", "")) == device.bin_key

    wrong = client.post(ENROL, {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"]
    assert client.get(RESULTS).status_code == 302
    time.sleep(1.1)  # one wrong code: the next try waits a second

    codes = _enrol(client, analyst)

    assert len(codes) == 10
    assert client.get(RESULTS).status_code == 200
    assert TOTPDevice.objects.get(user=analyst).confirmed


def test_every_later_login_asks_for_a_code(client, analyst):
    _log_in(client, analyst)
    _enrol(client, analyst)
    client.logout()

    _log_in(client, analyst)
    held = client.get(RESULTS)
    assert held.status_code == 302 and held.url.startswith(VERIFY)
    # an unverified session cannot add a new authenticator instead
    assert client.get(ENROL).url.startswith(VERIFY)
    device = TOTPDevice.objects.get(user=analyst)
    # the code used to set it up is spent: the app's next one
    next_code = authenticator_code(device, steps_ahead=1)
    response = client.post(VERIFY, {"code": next_code, "next": RESULTS})
    assert response.status_code == 302 and response.url == RESULTS
    assert client.get(RESULTS).status_code == 200


def test_a_backup_code_works_once(client, analyst):
    _log_in(client, analyst)
    codes = _enrol(client, analyst)
    client.logout()

    _log_in(client, analyst)
    assert client.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert client.get(RESULTS).status_code == 200
    client.logout()
    _log_in(client, analyst)
    reused = client.post(VERIFY, {"code": codes[0]})
    assert reused.status_code == 200 and reused.context["form"].errors["code"]
    assert client.get(RESULTS).status_code == 302


def test_wrong_codes_make_the_next_try_wait(client, analyst, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a wait no pause of a busy machine outlasts
    _log_in(client, analyst)
    _enrol(client, analyst)
    client.logout()
    _log_in(client, analyst)
    client.post(VERIFY, {"code": "123456"})
    device = TOTPDevice.objects.get(user=analyst)

    response = client.post(VERIFY, {"code": authenticator_code(device, steps_ahead=1)})

    assert response.status_code == 200
    assert "次数过多" in str(response.context["form"].errors["code"])
    assert client.get(RESULTS).status_code == 302


def test_others_may_turn_it_on_and_then_need_it(client, supervisor):
    _log_in(client, supervisor)
    assert client.get(RESULTS).status_code == 200  # optional: off by default
    status = client.get(reverse("accounts:second_factor")).content.decode()
    assert f'href="{ENROL}"' in status

    _enrol(client, supervisor)
    client.logout()
    _log_in(client, supervisor)

    assert client.get(RESULTS).url.startswith(VERIFY)


def test_others_may_turn_it_off_analysts_may_not(client, supervisor, analyst):
    _log_in(client, supervisor)
    _enrol(client, supervisor)
    assert client.post(reverse("accounts:second_factor_disable")).status_code == 302
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    client.logout()
    _log_in(client, analyst)
    _enrol(client, analyst)
    assert client.post(reverse("accounts:second_factor_disable")).status_code == 403
    assert TOTPDevice.objects.filter(user=analyst, confirmed=True).exists()


def test_new_backup_codes_replace_the_old_ones(client, analyst):
    _log_in(client, analyst)
    old = _enrol(client, analyst)
    new = client.post(reverse("accounts:backup_codes")).context["codes"]
    assert len(new) == 10 and not set(old) & set(new)
    client.logout()
    _log_in(client, analyst)
    assert client.post(VERIFY, {"code": old[1]}).status_code == 200  # refused
    time.sleep(1.1)
    assert client.post(VERIFY, {"code": new[1]}).status_code == 302


def test_admin_users_need_it_too(client, db):
    root = make_user("root", Role.INTERVIEWER)
    root.is_staff = root.is_superuser = True
    root.save()
    _log_in(client, root)
    assert client.get("/admin/").url.startswith(ENROL)


def test_the_requirement_for_analysts_follows_the_setting(client, analyst, settings):
    settings.OTP_REQUIRED_FOR_ANALYSTS = False
    _log_in(client, analyst)
    assert client.get(RESULTS).status_code == 200


def test_a_lost_phone_is_removed_from_the_shell_and_set_up_again(client, analyst):
    _log_in(client, analyst)
    _enrol(client, analyst)
    client.logout()

    call_command("remove_second_factor", analyst.username, stdout=StringIO())

    _log_in(client, analyst)
    assert client.get(RESULTS).url.startswith(ENROL)
    with pytest.raises(CommandError, match="No user named"):
        call_command("remove_second_factor", "nobody")
