"""An analyst chooses the nonresponse adjustment in a real browser and reads the per-stratum
table the results page then shows."""

import pytest

from fieldwork.models import Case
from sampling.models import SampledUnit
from scoring.models import WaveWeighting
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
def wave_with_classes(safety_wave, places, make_interview):  # noqa: F811
    """东华街道: four approved interviews in high and low buildings, two unreached cases in
    low buildings; 西岭镇: two approved interviews."""
    for building, street in (
        [("high", "east_a")] * 2 + [("low", "east_a")] * 2 + [("low", "west_a")] * 2
    ):
        interview = make_interview(safety_wave, places[street], answers(safety="4", order="5"))
        SampledUnit.objects.filter(cases__interview=interview).update(
            attributes={"building": building}
        )
    for n in range(2):
        unit = SampledUnit.objects.create(
            draw=safety_wave.draw,
            unit_id=f"AWAY{n}",
            stratum=places["east_a"].code,
            locality=places["east_a"],
            street=places["east_a"],
            inclusion_probability=1.0,
            design_weight=1.0,
            attributes={"building": "low"},
        )
        Case.objects.create(wave=safety_wave, unit=unit, street=places["east_a"], attempts=3)
    return safety_wave


@pytest.mark.django_db(transaction=True)
def test_an_analyst_sets_classes_and_sees_the_stratum_table(
    live_server, new_page, analyst, wave_with_classes, tmp_path
):
    page = new_page()
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(f"{live_server.url}/results/?wave={wave_with_classes.pk}")
    page.click("text=加权")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "加权"
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=tmp_path / f"weighting-{name}.png", full_page=True)

    page.check("input[value=stratum_attribute]")
    page.select_option("select[name=attribute]", "building")
    page.click("#nonresponse-form button[type=submit]")
    page.wait_for_load_state()

    assert "加权设置已保存" in page.content()
    choice = WaveWeighting.objects.get(wave=wave_with_classes)
    assert (choice.nonresponse, choice.attribute) == ("stratum_attribute", "building")
    page.click("text=调查结果")
    page.wait_for_load_state()
    page.click("#strata summary")
    table = page.inner_text("#strata table")
    assert "东华街道" in table and "66.7" in table  # 4 approved of 6 released
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.locator("#strata").screenshot(path=tmp_path / f"strata-{name}.png")
