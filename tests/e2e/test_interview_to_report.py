"""The whole pipeline in a real browser: interview → review → PDF report."""

import shutil
import subprocess

import pytest

from fieldwork.models import Interview
from qc.models import Review
from tests.e2e.conftest import answer_current_page, log_in
from tests.factories import PASSWORD


@pytest.fixture
def pdftotext():
    path = shutil.which("pdftotext")
    if path is None:
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    return path


@pytest.mark.django_db(transaction=True)
def test_interview_is_completed_approved_and_reported(
    live_server,
    new_page,
    wave,
    interviewer,
    supervisor,
    analyst,
    pdftotext,
    tmp_path,
):
    from fieldwork.services import waves as services

    services.assign_cases(wave=wave, interviewer=interviewer, count=1)
    base = live_server.url

    # An interviewer completes an interview through the wizard
    page = new_page()
    log_in(page, base, interviewer.username, PASSWORD)
    assert "/fieldwork/my-cases/" in page.url
    page.click("#my-cases a.button")
    page.goto(page.url + "?mode=door")  # the door-to-door page of the case
    page.click("#start-door-interview")
    page.wait_for_url("**/interviews/**")
    headings = []
    for _ in range(15):
        if "/interviews/" not in page.url:
            break
        headings.append(answer_current_page(page, {"sat_judicial": "2"}))
        page.click("#next")
        page.wait_for_load_state()
    assert "/fieldwork/my-cases/" in page.url
    assert headings[0] == "访问开场"  # Chinese by default
    interview = Interview.objects.get(case__wave=wave)
    assert interview.status == Interview.Status.COMPLETED
    assert interview.answers["/satisfaction/sat_judicial"] == "2"

    # A supervisor finds it in the review queue and proposes approval
    page = new_page()
    log_in(page, base, supervisor.username, PASSWORD)
    page.goto(f"{base}/qc/")
    page.click(f"a:text('#{interview.pk}')")
    page.click("form[action$='/approve/'] button[type=submit]")
    page.wait_for_load_state()
    assert Review.objects.get(interview=interview).state == Review.State.PROPOSED_APPROVE

    # The QC lead (an analyst) confirms it on the same page
    page = new_page()
    log_in(page, base, analyst.username, PASSWORD)
    page.goto(f"{base}/qc/interviews/{interview.pk}/")
    page.click("form[action$='/approve/'] button[type=submit]")
    page.wait_for_load_state()
    assert Review.objects.get(interview=interview).state == Review.State.APPROVED

    # and downloads the PDF report, which names the interview's street
    page.goto(f"{base}/results/")
    with page.expect_download() as download:
        page.click("a[href$='report.pdf']")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert interview.street.name in text  # 东湖街道
