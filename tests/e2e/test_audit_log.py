"""In a real browser: the analyst reads the audit log of their own sign-in and a number shown,
filters it, downloads it; sees a wave's retention date and completes its processing record.
Screenshots at a desktop and a tablet size go to $SCREENSHOTS when set."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from audit.kinds import Kind
from audit.services import record
from fieldwork.models import ProcessingRecord, Wave
from fieldwork.privacy.retention import remind_due
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": (1366, 900), "tablet": (820, 1180)}


def _shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS")
    if not folder:
        return
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(folder) / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_the_analyst_filters_and_downloads_the_audit_log(
    live_server, new_page, analyst, interviewer, wave, tmp_path
):
    base = live_server.url
    record(Kind.PHONE_REVEALED, actor=interviewer, wave=wave, subject="H3", detail={"case": 3})
    record(Kind.DOWNLOAD, actor=analyst, wave=wave, subject=f"results-wave-{wave.pk}.pdf")
    page = new_page()
    log_in(page, base, analyst.username, PASSWORD)

    page.goto(f"{base}/account/audit/")
    table = page.inner_text("table")
    assert "登录" in table and "显示电话号码" in table and "H3" in table
    _shoot(page, "audit-log")

    # filtered to number reveals: only the interviewer's
    page.select_option("select[name=kind]", Kind.PHONE_REVEALED)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    rows = page.query_selector_all("tbody tr")
    assert len(rows) == 1 and "interviewer" in rows[0].inner_text()

    # the download has the filtered row, with a byte-order mark
    with page.expect_download() as download:
        page.click("a:has-text('下载 CSV')")
    path = tmp_path / "log.csv"
    download.value.save_as(path)
    content = path.read_bytes()
    assert content.startswith("\ufeff".encode()) and "H3" in content.decode("utf-8-sig")
    assert content.decode("utf-8-sig").count("\n") == 2


def test_the_analyst_sees_the_retention_reminder_and_completes_the_processing_record(
    live_server, new_page, analyst, wave, tmp_path
):
    base = live_server.url
    Wave.objects.filter(pk=wave.pk).update(retain_until=timezone.localdate() + timedelta(days=12))
    remind_due()
    page = new_page()
    log_in(page, base, analyst.username, PASSWORD)

    page.goto(f"{base}/fieldwork/waves/")
    assert "保存期限将到或已过" in page.inner_text("#retention-reminders")
    _shoot(page, "waves-retention")
    page.goto(f"{base}/fieldwork/waves/{wave.pk}/")
    assert "须于" in page.inner_text("#retention-notice")
    _shoot(page, "wave-retention")

    page.click("#wave-processing-record")
    page.wait_for_load_state()
    page.fill("input[name=protection_officer]", "李敏")
    page.fill("textarea[name=conclusion]", "风险可控")
    page.click("#processing-record-form button[type=submit]")
    page.wait_for_load_state()
    assert ProcessingRecord.objects.get(wave=wave).protection_officer == "李敏"
    assert page.input_value("textarea[name=conclusion]") == "风险可控"
    _shoot(page, "processing-record")

    # the PDF downloads from the page
    with page.expect_download() as download:
        page.click("#processing-record-pdf")
    path = tmp_path / "record.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    if os.environ.get("SCREENSHOTS"):
        download.value.save_as(Path(os.environ["SCREENSHOTS"]) / "processing-record.pdf")
