"""An analyst loads a Kobo export (GBK, group paths, 0/1 choice columns) as an external wave
in a real browser, sees every problem of a bad file first, then the wave."""

import os
from pathlib import Path

import pytest

from fieldwork.models import Interview, Wave
from tests.e2e.conftest import log_in
from tests.factories import CLIENT_ORGANISATION, PASSWORD, make_organisation
from tests.fieldwork.external.test_services import _csv, _kobo_rows

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("SCREENSHOTS")  # a folder: the page at a desk's and a tablet's size


def _fill(page, path: Path, version, client) -> None:
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=version]", str(version.pk))
    page.fill("input[name=name]", "2026 外部数据")
    page.select_option("select[name=client]", str(client.pk))
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()


def test_an_analyst_loads_a_kobo_export_as_a_wave(
    live_server, new_page, analyst, standard_version, tree, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = make_organisation(CLIENT_ORGANISATION)
    header, rows = _kobo_rows(6)
    bad_rows = [list(r) for r in rows]
    bad_rows[2][header.index("satisfaction/sat_patrol")] = "满意极了"
    good, bad = tmp_path / "kobo.csv", tmp_path / "kobo_bad.csv"
    good.write_bytes(_csv(header, rows, "gbk"))
    bad.write_bytes(_csv(header, bad_rows, "gbk"))
    page = new_page()
    log_in(page, live_server.url, analyst.username, PASSWORD)

    page.goto(f"{live_server.url}/fieldwork/waves/")
    page.click("a[href='/fieldwork/waves/external/']")
    _fill(page, bad, standard_version, client)
    problems = page.inner_text("main")
    assert "kobo_bad.csv：1 个问题" in problems or "1 个问题" in problems
    assert "第 4 行，satisfaction/sat_patrol 列：满意极了 不是题目 sat_patrol 的选项" in problems
    assert not Wave.objects.filter(name="2026 外部数据").exists()
    if SHOTS:
        for width, height in ((1366, 900), (820, 1180)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{SHOTS}/external_problems_{width}.png", full_page=True)

    _fill(page, good, standard_version, client)
    assert "kobo.csv：已载入 6 份访问。" in page.inner_text("main")
    if SHOTS:
        for width, height in ((1366, 900), (820, 1180)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{SHOTS}/external_loaded_{width}.png", full_page=True)
    page.click("text=打开该轮次")
    page.wait_for_load_state()
    wave = Wave.objects.get(name="2026 外部数据")
    assert page.url.endswith(f"/fieldwork/waves/{wave.pk}/")
    assert Interview.objects.filter(case__wave=wave, status="completed").count() == 6
