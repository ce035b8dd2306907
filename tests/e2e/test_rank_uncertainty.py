"""The results page in a real browser: every rank with its rank interval, an unreliable
street listed but not ranked, and a short board that tells the lowest estimates from the
streets significantly below the overall; the index page ranks as the results page does."""

import numpy as np
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
# street → (respondents, probabilities of the answers 5, 4, 3, 2, 1)
STREETS = {
    "east_a": (40, [0.5, 0.3, 0.1, 0.05, 0.05]),
    "east_b": (5, [1.0, 0.0, 0.0, 0.0, 0.0]),  # five people, all delighted: unreliable
    "west_a": (40, [0.1, 0.2, 0.3, 0.2, 0.2]),
}


@pytest.fixture
def wave_with_streets(safety_wave, places, make_interview):  # noqa: F811
    rng = np.random.default_rng(20)
    for street, (n, p) in STREETS.items():
        for _ in range(n):
            order, police = rng.choice(["5", "4", "3", "2", "1"], size=2, p=p)
            make_interview(
                safety_wave, places[street], answers(safety="4", order=order, police1=police)
            )
    return safety_wave


@pytest.mark.django_db(transaction=True)
def test_ranks_carry_their_intervals_and_the_short_board_is_tested(
    live_server, new_page, analyst, wave_with_streets, tmp_path
):
    page = new_page()
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(f"{live_server.url}/results/?wave={wave_with_streets.pk}&level=street")
    page.wait_for_selector("#ranking")
    rows = page.locator("#ranking tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    # the five-respondent street scores highest but is listed without a rank
    assert "东兴街道" in texts[0] and texts[0].split("\t")[0].strip() == "—"
    assert texts[1].split("\t")[0].strip() == "1" and "1–1" in texts[1]
    assert texts[2].split("\t")[0].strip() == "2" and "2–2" in texts[2]
    assert "排名区间" in page.inner_text("#ranking thead")
    assert "西岭镇" in page.inner_text("#below-overall")
    assert "西岭镇" in page.inner_text("#lowest-estimates")
    assert "东兴街道" not in page.inner_text("#lowest-estimates")
    assert "本期未设满意度目标" in page.inner_text("#below-target")
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=tmp_path / f"ranks-{name}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_index_page_ranks_as_the_results_page_does(
    live_server, new_page, analyst, wave_with_streets, tmp_path
):
    page = new_page()
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(f"{live_server.url}/results/waves/{wave_with_streets.pk}/index/?level=street")
    rows = page.locator("table").first.locator("tbody tr")
    texts = {
        rows.nth(i).inner_text().split("\t")[2].strip(" *"): rows.nth(i).inner_text()
        for i in range(rows.count())
    }
    cells = {name: [cell.strip() for cell in text.split("\t")] for name, text in texts.items()}
    # the five delighted respondents' street is listed, starred, without a rank or interval
    assert cells["东兴街道"][:2] == ["—", "—"] and "*" in texts["东兴街道"]
    # the others are ranked, each with the rank interval of its ranks in the joint draws
    assert sorted(cells[name][0] for name in ("东华街道", "西岭镇")) == ["1", "2"]
    for name in ("东华街道", "西岭镇"):
        low, high = (int(x) for x in cells[name][1].split("–"))
        assert 1 <= low <= int(cells[name][0]) <= high <= 2
    assert "排名区间" in page.inner_text("table thead")
    # though its composite is the highest; and no interval passes the scale's ends
    assert float(cells["东兴街道"][6]) > max(float(cells[n][6]) for n in ("东华街道", "西岭镇"))
    low, high = (float(x) for x in cells["东兴街道"][7].split("–"))
    assert 0.0 <= low and high <= 100.0
    for name in ("东华街道", "西岭镇"):
        low, high = (float(x) for x in cells[name][7].split("–"))
        assert 0.0 <= low < float(cells[name][6]) < high <= 100.0
    assert "不排名、不比较" in page.inner_text("body")
    # a short board's tiny q reads as a bound, not as a rounded zero
    assert "q < 0.001" in page.inner_text("body") and "q = 0.0）" not in page.inner_text("body")
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=tmp_path / f"index-{name}.png", full_page=True)
