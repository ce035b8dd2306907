"""Logging in, in a real browser: repeated wrong passwords lock the login (and the admin's)
until an analyst unlocks it; an analyst adds an authenticator at the first login, types its
codes, and a wrong code is refused."""

import time
from base64 import b32decode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, authenticator_code

pytestmark = pytest.mark.django_db(transaction=True)


def _submit_admin_login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_wrong_passwords_lock_the_login_until_an_analyst_unlocks_it(
    live_server, new_page, interviewer, analyst
):
    base = live_server.url
    page = new_page()
    for _ in range(4):
        log_in(page, base, interviewer.username, "wrong-password")
        assert "用户名或密码错误" in page.inner_text("main")
    log_in(page, base, interviewer.username, "wrong-password")
    assert page.inner_text("h1") == "登录失败次数过多"

    # the right password is refused now, on the login page and the admin's
    log_in(page, base, interviewer.username, PASSWORD)
    assert page.inner_text("h1") == "登录失败次数过多"
    assert "15 分钟后再试" in page.inner_text("main")
    _submit_admin_login(page, base, interviewer.username, PASSWORD)
    assert page.inner_text("h1") == "登录失败次数过多"

    # an analyst unlocks the user from the users page
    desk = new_page()
    log_in(desk, base, analyst.username, PASSWORD)
    desk.goto(f"{base}/account/users/")
    row = desk.locator("tr", has_text=interviewer.username)
    assert "已锁定" in row.inner_text()
    row.locator("button", has_text="解除锁定").click()
    desk.wait_for_load_state()

    log_in(page, base, interviewer.username, PASSWORD)
    assert page.url.endswith("/fieldwork/my-cases/")


def test_an_analyst_adds_an_authenticator_and_confirms_each_login_with_it(
    live_server, new_page, analyst, second_factor_not_verified_at_login
):
    base = live_server.url
    page = new_page()
    log_in(page, base, analyst.username, PASSWORD)

    # the first login leads to the set-up page: a QR code drawn in the page, and its key
    assert "/account/two-step/set-up/" in page.url
    assert page.locator(".qr svg path").count() == 1
    app = TOTPDevice(key=b32decode(page.inner_text("[data-secret]").replace(" ", "")).hex())
    page.fill("input[name=code]", "000000")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "验证码错误" in page.inner_text("main")
    time.sleep(1.1)  # after a wrong code the next try waits a second
    page.fill("input[name=code]", authenticator_code(app))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    codes = page.locator("[data-backup-codes] code").all_inner_texts()
    assert len(codes) == 10
    page.click("text=继续")
    page.goto(f"{base}/results/")
    assert page.url.endswith("/results/") and page.locator("h1").count()

    # the next login asks for a code: a wrong one is refused, the app's next one accepted
    page.click("form[action='/logout/'] button")
    page.wait_for_load_state()
    log_in(page, base, analyst.username, PASSWORD)
    assert "/account/two-step/verify/" in page.url
    page.goto(f"{base}/results/")
    assert "/account/two-step/verify/" in page.url
    page.fill("input[name=code]", "123456")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "验证码错误" in page.inner_text("main")
    time.sleep(1.1)
    page.fill("input[name=code]", authenticator_code(app, steps_ahead=1))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/results/")
