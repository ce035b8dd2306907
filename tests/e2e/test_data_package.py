"""An analyst builds a wave's data package from the wave's page in a real browser, watches it
being built and downloads it."""

import os
import zipfile
from pathlib import Path

import pytest

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
from tests.scoring.conftest import (  # noqa: F401  (fixtures)
    field_interviewer,
    make_interview,
    places,
    safety_draw,
    safety_version,
    safety_wave,
)
from tests.scoring.factories import answers

SIZES = {"desktop": (1366, 900), "tablet": (820, 1180)}


def _shoot(page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=folder / f"{name}-{size}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_analyst_builds_and_downloads_the_data_package(
    live_server,
    new_page,
    analyst,
    safety_wave,  # noqa: F811
    places,  # noqa: F811
    make_interview,  # noqa: F811
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    for street, reply in (("east_a", "5"), ("east_a", "4"), ("west_a", "3")):
        make_interview(safety_wave, places[street], answers(safety=reply, police1=reply))
    page = new_page()
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/waves/{safety_wave.pk}/")
    page.click("#wave-data-package")
    page.wait_for_load_state()
    assert "数据包" in page.inner_text("h1")
    assert page.is_checked("input[name=states][value=approved]")
    _shoot(page, tmp_path, "data-package-empty")

    # jobs run at once in tests: the request builds the package (the results included)
    page.set_default_timeout(120_000)
    page.click("#package-form button[type=submit]")
    page.wait_for_load_state()
    link = page.locator("a[download]")
    link.wait_for()
    row = page.inner_text("table tbody tr")
    assert "已通过" in row and "已完成" in row and "KB" in row
    _shoot(page, tmp_path, "data-package-built")
    with page.expect_download() as caught:
        link.click()
    saved = tmp_path / "package.zip"
    caught.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        assert "manifest.json" in names and "data/spss/interviews_zh.sav" in names
        assert archive.read("data/interviews.csv").decode("utf-8-sig").count("\n") == 4
