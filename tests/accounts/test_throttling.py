"""Failed logins lock a user name out from one address (django-axes): the login page and the
admin alike, with a translated page, lifted by an analyst or `manage.py axes_reset_username`."""

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Role
from common.client_ip import client_ip
from tests.factories import PASSWORD, make_user

LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"


def _attempt(client, username: str, password: str, *, url: str = LOGIN, ip: str = "10.0.0.7"):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=""
    )


def _fail(client, username: str, times: int, **where) -> list[int]:
    return [_attempt(client, username, "wrong-password", **where).status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_user_out_even_with_the_right_one(client, interviewer):
    assert _fail(client, interviewer.username, 5) == [200, 200, 200, 200, 429]

    response = _attempt(client, interviewer.username, PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "15 分钟后再试" in page  # Chinese by default
    assert "_auth_user_id" not in client.session


def test_the_locked_out_page_speaks_english_on_request(client, interviewer, english):
    _fail(client, interviewer.username, 4)
    response = client.post(
        LOGIN, {"username": interviewer.username, "password": "x"}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()


def test_the_admin_login_is_throttled_and_shares_the_lockout(client, db):
    admin = make_user("root", Role.ANALYST)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    _fail(client, "root", 4, url=ADMIN_LOGIN)
    assert _attempt(client, "root", "wrong-password", url=ADMIN_LOGIN).status_code == 429
    assert _attempt(client, "root", PASSWORD).status_code == 429  # the login page too


def test_the_lockout_is_per_user_name_and_address(client, interviewer, other_interviewer):
    _fail(client, interviewer.username, 5)
    # a colleague behind the same address, and the same user elsewhere, still log in
    assert _attempt(client, other_interviewer.username, PASSWORD).status_code == 302
    client.logout()
    assert _attempt(client, interviewer.username, PASSWORD, ip="10.0.0.8").status_code == 302


def test_a_successful_login_forgets_earlier_failures(client, interviewer):
    _fail(client, interviewer.username, 4)
    assert _attempt(client, interviewer.username, PASSWORD).status_code == 302
    client.logout()
    _fail(client, interviewer.username, 4)
    assert _attempt(client, interviewer.username, PASSWORD).status_code == 302


def test_an_analyst_unlocks_a_locked_out_user(client, interviewer, analyst):
    _fail(client, interviewer.username, 5)
    client.force_login(analyst)
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "已锁定" in page

    response = client.post(reverse("accounts:unlock", args=[interviewer.pk]))

    assert response.status_code == 302
    client.logout()
    assert _attempt(client, interviewer.username, PASSWORD).status_code == 302


def test_the_axes_reset_command_unlocks(client, interviewer):
    _fail(client, interviewer.username, 5)
    call_command("axes_reset_username", interviewer.username)
    assert _attempt(client, interviewer.username, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (True, "203.0.113.9", "203.0.113.9"),
        # a client's own X-Forwarded-For comes first; nginx appends what it saw
        (True, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (True, "", "127.0.0.1"),
        (False, "203.0.113.9", "127.0.0.1"),  # no proxy: the header is the client's word
    ],
)
def test_the_client_address_comes_from_the_proxy_only_behind_it(
    settings, behind_proxy, forwarded, expected
):
    settings.BEHIND_TLS_PROXY = behind_proxy
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", **headers)
    assert client_ip(request) == expected


def test_behind_the_proxy_a_forged_forwarded_address_does_not_escape_the_lockout(
    client, interviewer, settings
):
    settings.BEHIND_TLS_PROXY = True
    for n in range(5):
        client.post(
            LOGIN,
            {"username": interviewer.username, "password": "wrong-password"},
            REMOTE_ADDR="127.0.0.1",  # nginx
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
        )
    response = client.post(
        LOGIN,
        {"username": interviewer.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.9",
    )
    assert response.status_code == 429


def test_addresses_of_one_ipv6_network_share_the_lockout(client, interviewer):
    statuses = [
        _attempt(client, interviewer.username, "wrong-password", ip=f"2001:db8::{n:x}").status_code
        for n in range(1, 6)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    assert _attempt(client, interviewer.username, PASSWORD, ip="2001:db8::99").status_code == 429


def test_a_user_name_tried_from_many_networks_is_limited_too(client, interviewer, rate_limits):
    rate_limits(login_user="6/h")
    addresses = [f"2001:db8:{n:x}::1" for n in range(1, 8)]  # seven different /64 networks

    statuses = [
        _attempt(client, interviewer.username, "wrong-password", ip=ip).status_code
        for ip in addresses
    ]

    assert statuses[:6] == [200] * 6 and statuses[6] == 429
    other = _attempt(client, "someone-else", "wrong-password", ip="2001:db8:99::1")
    assert other.status_code == 200  # the limit is the user name's, not the form's
