"""The Content-Security-Policy holds on the main pages: no inline script, event handler or
style in the browser's eyes, and what used to be inline still works (the language and filter
menus, htmx swaps, the interview wizard, the charts)."""

import re

import pytest

from demo.services import PASSWORD, SMALL, load_demo
from fieldwork.models import Case, PhoneReveal
from tests.e2e.conftest import log_in

# Every violation of the policy (enforced or not) and every console error, per page.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_CALLER_ID = ""
    return load_demo(seed=7, size=SMALL, say=lambda line: None)


def _watched(new_page):
    page = new_page()
    page.add_init_script(WATCH)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def _clean(page, errors, where: str) -> None:
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__violations")
    assert violations == [], where
    assert errors == [], where


@pytest.mark.django_db(transaction=True)
def test_the_main_pages_break_no_rule_of_the_policy(live_server, new_page, demo):
    base = live_server.url
    page, errors = _watched(new_page)
    response = page.goto(f"{base}/login/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    _clean(page, errors, "login")

    # The interviewer: my cases (the filter menu submits itself), a case, its number, the wizard
    log_in(page, base, "interviewer01", PASSWORD)
    page.goto(f"{base}/fieldwork/my-cases/")
    with page.expect_navigation():
        page.select_option("select[name=status]", "all")
    assert "status=all" in page.url
    _clean(page, errors, "my cases")
    case = Case.objects.filter(interviewer__username="interviewer01", status="pending").first()
    page.goto(f"{base}/fieldwork/cases/{case.pk}/")
    page.click("button[hx-post$='/phone/']")
    page.wait_for_function(
        "phone => document.querySelector('#phone').textContent.includes(phone)",
        arg=case.unit.phone,
    )
    assert PhoneReveal.objects.filter(case=case).count() == 1
    _clean(page, errors, "case and number")
    page.click("#start-interview")  # the phone page of a case with a number
    page.wait_for_url(re.compile(r"/fieldwork/interviews/\d+/"))
    assert page.locator("progress.progress").count() == 1
    _clean(page, errors, "interview wizard")

    # The supervisor: the wave page (live board, htmx), the QC dashboard
    page, errors = _watched(new_page)
    log_in(page, base, "supervisor", PASSWORD)
    page.goto(f"{base}/fieldwork/waves/{demo.pk}/")
    _clean(page, errors, "wave")
    page.goto(f"{base}/qc/waves/{demo.pk}/dashboard/")
    _clean(page, errors, "QC dashboard")

    # The analyst: results with charts, the jobs page (filter menu), and English
    page, errors = _watched(new_page)
    log_in(page, base, "analyst", PASSWORD)
    page.goto(f"{base}/results/?wave={demo.pk}")
    page.wait_for_selector("svg", timeout=60_000)
    _clean(page, errors, "results")
    page.goto(f"{base}/jobs/")
    with page.expect_navigation():
        page.select_option("select[name=status]", "succeeded")
    assert "status=succeeded" in page.url
    _clean(page, errors, "jobs")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    _clean(page, errors, "language")
