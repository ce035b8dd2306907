"""An audio audit door to door: Chromium records the page once the respondent consents (its
fake microphone plays a speech-like WAV), the recording travels with a page kept offline, is
stored once and its speech measured.

The browser is launched here with Chromium's fake media flags, which the shared one lacks.
"""

import os
import shutil

import pytest

from common.speech import RATE
from fieldwork.models import AudioAudit, Interview
from fieldwork.services import interviews as services
from tests.common.test_speech import as_wav, speech_like
from tests.e2e.conftest import CHROMIUM, answer_current_page, log_in
from tests.factories import PASSWORD


@pytest.fixture(scope="module")
def microphone_browser(tmp_path_factory):
    if not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    wav = tmp_path_factory.mktemp("audio") / "voice.wav"
    wav.write_bytes(as_wav(speech_like(10)))
    assert len(wav.read_bytes()) > RATE
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--use-fake-ui-for-media-stream",
                    "--use-fake-device-for-media-stream",
                    f"--use-file-for-fake-audio-capture={wav}",
                ],
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.mark.django_db(transaction=True)
def test_an_audited_door_interview_records_after_consent_and_is_analysed(
    live_server, microphone_browser, my_case, interviewer
):
    wave = my_case.wave
    wave.audio_audit_percent = 100
    wave.save(update_fields=["audio_audit_percent"])
    interview = services.start_interview(case=my_case, interviewer=interviewer, mode="door")
    context = microphone_browser.new_context(locale="en-US", permissions=["microphone"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/interviews/{interview.pk}/")

    # Before consent nothing records, and the interviewer is told it waits for consent
    banner = page.locator("#audio-audit")
    assert "once the respondent agrees" in banner.inner_text()
    assert "is-recording" not in (banner.get_attribute("class") or "")

    # Consent given: recording starts and says so
    page.check("[data-question=consent] input[value=yes]")
    page.wait_for_selector("#audio-audit.is-recording")
    assert "Recording for quality control" in banner.inner_text()
    answer_current_page(page)
    page.wait_for_timeout(3000)

    # Offline, the page (with its recording) is kept on the device
    page.context.set_offline(True)
    first_heading = page.inner_text("h1")
    page.click("#next")
    page.wait_for_function("() => window.offlineQueue.queue().length === 1")
    body = dict(page.evaluate("window.offlineQueue.queue()")[0]["body"])
    assert body["audit_audio"].startswith("data:audio/webm")
    assert AudioAudit.objects.count() == 0

    # Back online: sent once, stored once, analysed by the job it queued
    page.context.set_offline(False)
    page.wait_for_function(
        "heading => document.querySelector('h1').textContent.trim() !== heading", arg=first_heading
    )
    page.wait_for_load_state()
    audit = AudioAudit.objects.get()
    assert audit.interview_id == interview.pk and audit.step == "opening"
    assert audit.analysed_at is not None and audit.error == ""
    assert 2.0 <= audit.seconds <= 30.0
    assert audit.speech_share > 0.3  # the fake microphone played speech-like sound throughout

    # The next page records from its start (consent is saved), and the file is served
    assert "is-recording" in (page.locator("#audio-audit").get_attribute("class") or "")
    response = page.request.get(
        f"{live_server.url}/fieldwork/interviews/{interview.pk}/media/{audit.name}"
    )
    assert response.status == 200 and response.headers["content-type"] == "audio/webm"
    page.reload()
    page.wait_for_load_state()
    assert AudioAudit.objects.count() == 1
    interview.refresh_from_db()
    assert interview.status == Interview.Status.IN_PROGRESS
    context.close()
