"""An analyst purges a wave's personal data in a real browser: the page lists what the wave
holds, a wrong name purges nothing, the wave's name starts the purge, and the certificates
appear to download."""

import os
from pathlib import Path

import pytest

from privacy.models import Purge
from sampling.models import SampledUnit
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
from tests.fieldwork.conftest import fake_twilio  # noqa: F401  (fixture)
from tests.privacy.world import personal_world, secret_keys  # noqa: F401  (fixtures)
from tests.scoring.conftest import (  # noqa: F401  (fixtures)
    field_interviewer,
    make_interview,
    media_in_tmp,
    places,
    safety_draw,
    safety_version,
    safety_wave,
)
from tests.scoring.test_results_against_r import built  # noqa: F401  (fixture)

SIZES = {"desktop": (1366, 900), "tablet": (820, 1180)}


def _shoot(page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=folder / f"{name}-{size}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_analyst_purges_a_waves_personal_data_and_downloads_the_certificate(
    live_server,
    new_page,
    analyst,
    personal_world,  # noqa: F811
    tmp_path,
):
    world = personal_world
    page = new_page()
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/waves/{world.wave.pk}/")
    page.click("#wave-personal-data")
    page.wait_for_load_state()
    assert "个人信息" in page.inner_text("h1")
    held = page.inner_text("#personal-data-held")
    assert "受访者电话号码" in held and "家庭成员姓名" in held and "通话录音" in held
    assert not [phone for phone in world.phones if phone in page.content()]
    _shoot(page, tmp_path, "personal-data-held")

    page.fill("input[name=confirm]", "别的批次")
    page.click("#purge-form button[type=submit]")
    page.wait_for_load_state()
    assert "输入的名称不是该调查批次的名称" in page.inner_text("#purge-form")
    assert not Purge.objects.exists()

    page.set_default_timeout(120_000)
    page.fill("input[name=confirm]", world.wave.name)
    page.click("#purge-form button[type=submit]")  # jobs run at once in tests
    page.wait_for_load_state()
    page.locator("#purge-certificates a[download]").first.wait_for()
    assert page.inner_text("#personal-data-total") == "0"
    _shoot(page, tmp_path, "personal-data-purged")
    with page.expect_download() as caught:
        page.click("#purge-certificates a[href$='.pdf']")
    saved = tmp_path / "certificate.pdf"
    caught.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    unit = SampledUnit.objects.filter(draw=world.wave.draw).first()
    assert (unit.phone, unit.address) == ("", "")


@pytest.mark.django_db(transaction=True)
def test_a_recording_twilio_would_not_delete_is_shown_on_the_page_after_the_purge(
    live_server,
    new_page,
    analyst,
    personal_world,  # noqa: F811
    tmp_path,
):
    world = personal_world
    world.twilio.failing["RE5e1f"] = (500, {"code": 20500, "message": "Internal", "status": 500})
    page = new_page()
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(f"{live_server.url}/privacy/waves/{world.wave.pk}/")
    page.set_default_timeout(120_000)
    page.fill("input[name=confirm]", world.wave.name)
    page.click("#purge-form button[type=submit]")
    page.wait_for_load_state()
    page.locator(".purge-not-removed").wait_for()
    notice = page.inner_text(".purge-not-removed")
    assert "1 项未能删除：请再次清除以重试。" in notice
    # what it is (the call's time and household) and why, in Chinese; never Twilio's id
    assert "的通话录音：Twilio 拒绝：错误 20500。" in notice and "致住户" in notice
    assert "RE5e1f" not in notice
    _shoot(page, tmp_path, "personal-data-not-removed")
    assert world.twilio.recordings == {"RE5e1f"}
