"""An analyst sets the wave's satisfaction targets in a real browser, and the short board
then tells the streets significantly below target from those whose estimate only is."""

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


@pytest.fixture
def reliable_wave(safety_wave, places, make_interview):  # noqa: F811
    """Enough respondents per street to be judged: 东华街道 mostly satisfied (order 4 and 5),
    西岭镇 mostly not (2 and 3)."""
    for street, orders in (("east_a", ["4", "5"]), ("west_a", ["2", "3"])):
        for n in range(36):
            order = orders[n % 2]
            make_interview(safety_wave, places[street], answers(safety="4", order=order))
    return safety_wave


@pytest.mark.django_db(transaction=True)
def test_targets_set_in_the_browser_reach_the_short_board(
    live_server,
    new_page,
    analyst,
    reliable_wave,
    tmp_path,
):
    page = new_page()
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(f"{live_server.url}/results/?wave={reliable_wave.pk}")
    page.click("#below-target a")
    page.fill("input[name=satisfaction_score]", "70")
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=tmp_path / f"targets-{name}.png", full_page=True)
    page.click("#targets-form button[type=submit]")
    page.wait_for_load_state()
    assert "目标已保存" in page.content()
    assert page.input_value("input[name=satisfaction_score]") == "70.0"
    # the results: 西岭镇 (orders 2 and 3 → 37.5) is far below 70, its interval too
    page.goto(f"{live_server.url}/results/?wave={reliable_wave.pk}")
    board = page.inner_text("#below-target")
    assert "满意度得分" in board and "西岭镇" in board and "显著低于目标" in board
    assert "东华街道" not in board
    page.locator("#below-target").screenshot(path=tmp_path / "board.png")
