"""Browser tests: the Python playwright package driving Debian's Chromium.

No browser is downloaded: the tests use /usr/bin/chromium (apt-get install chromium). Without
it they are skipped locally; in CI a skip fails the run.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread for as long as the
    # browser lives; the ORM calls the tests make meanwhile are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch(sync_playwright)
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def _launch(sync_playwright):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    contexts = []

    def open_page():
        context = chromium.new_context(locale="zh-CN", accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def answer_current_page(page, answers: dict[str, str] | None = None) -> str:
    """Answer every question on the wizard page shown; return the page's heading.

    Radio groups get the answer named in `answers` (by question name) or their first option;
    number inputs 45; selects keep a chosen value or take the first real option.
    """
    answers = {"consent": "yes", "resident_6m": "yes", "victim_past_year": "no", **(answers or {})}
    heading = page.inner_text("h1")
    for question in page.query_selector_all("[data-question]"):
        name = question.get_attribute("data-question")
        radios = question.query_selector_all("input[type=radio]")
        checkboxes = question.query_selector_all("input[type=checkbox]")
        number = question.query_selector("input[type=number]")
        select = question.query_selector("select")
        if radios:
            wanted = answers.get(name)
            target = next((r for r in radios if r.get_attribute("value") == wanted), radios[0])
            target.check()
        elif checkboxes:
            checkboxes[0].check()
        elif number:
            number.fill(answers.get(name, "45"))
        elif select:
            if not select.input_value():
                values = [o.get_attribute("value") for o in select.query_selector_all("option")]
                select.select_option(next(v for v in values if v))
        else:
            textarea = question.query_selector("textarea")
            if textarea:
                textarea.fill(answers.get(name, "希望晚上多巡逻"))
    return heading
