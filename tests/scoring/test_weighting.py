import pandas as pd
import pytest
from django.utils import translation

from sampling.models import FrameStratumCount
from scoring.loaders import RESPONDENT_COLUMNS, population_cells, respondent_frame, stratum_names
from scoring.methodology import note_places, weighting_lines
from scoring.score_tables import domain_scores
from scoring.weighting import wave_weights, weighted_answers
from tests.scoring.factories import answers

EAST = {"M|30-44": 300, "F|30-44": 200, "M|45-59": 250, "F|45-59": 250}
WEST = {"M|30-44": 100, "F|30-44": 100}


@pytest.fixture
def populated(places):
    places["east"].population = EAST
    places["east"].save(update_fields=["population"])
    places["west"].population = WEST
    places["west"].save(update_fields=["population"])
    return places


@pytest.fixture
def respondents(safety_wave, populated, make_interview):
    """Five respondents in 城东区 and two in 西山县, unequal design weights."""
    people = [
        ("east_a", "male", 40, 2.0),
        ("east_a", "female", 40, 1.0),
        ("east_b", "male", 50, 3.0),
        ("east_b", "female", 50, 1.5),
        ("east_a", "男", 33, 1.0),
        ("west_a", "M", 40, 4.0),
        ("west_a", "female", 35, 2.0),
    ]
    return [
        make_interview(
            safety_wave, populated[street], answers(order="4", sex=sex, age=age), weight=weight
        )
        for street, sex, age, weight in people
    ]


def totals(weighting, columns) -> dict:
    frame = weighting.respondents.assign(w=weighting.weights.to_numpy())
    return frame.groupby(columns)["w"].sum().to_dict()


def test_respondent_frame_reads_design_sex_and_age_group(safety_wave, respondents, safety_draw):
    FrameStratumCount.objects.create(frame=safety_draw.frame, stratum="C0101", n_units=500)
    frame = respondent_frame(safety_wave)
    assert list(frame.columns) == RESPONDENT_COLUMNS
    first = frame.iloc[0]
    assert (first["sex"], first["age_group"], first["stratum"]) == ("M", "30-44", "C0101")
    assert first["fpc"] == 500.0 and first["weight"] == 2.0
    assert list(frame["sex"]) == ["M", "F", "M", "F", "M", "M", "F"]
    assert frame.loc[frame["stratum"] == "C0201", "fpc"].isna().all()
    assert list(frame["district"].unique()) == ["C01", "C02"]


def test_population_cells_split_sex_and_age_group(populated):
    cells = population_cells(["C02"])
    assert cells.to_dict("records") == [
        {"locality": "C02", "sex": "F", "age_group": "30-44", "Freq": 100.0},
        {"locality": "C02", "sex": "M", "age_group": "30-44", "Freq": 100.0},
    ]


def test_raked_weights_hit_district_sex_and_age_totals(safety_wave, respondents):
    weighting = wave_weights(wave=safety_wave, trim_bounds=None)
    assert weighting.report["margins"] == ["district", "district × sex", "district × age_group"]
    by_sex = totals(weighting, ["district", "sex"])
    assert by_sex[("C01", "M")] == pytest.approx(550)
    assert by_sex[("C01", "F")] == pytest.approx(450)
    assert by_sex[("C02", "F")] == pytest.approx(100)
    by_age = totals(weighting, ["district", "age_group"])
    assert by_age[("C01", "45-59")] == pytest.approx(500)
    assert weighting.weights.sum() == pytest.approx(1200)
    report = weighting.report
    assert report["design"]["total"] == pytest.approx(14.5)
    assert report["final"]["kish_deff"] == pytest.approx(
        1 + (weighting.weights.std(ddof=0) / weighting.weights.mean()) ** 2
    )
    assert report["final"]["n_eff"] < report["n"] == 7


def test_an_unknown_sex_drops_only_that_margin_and_says_so(safety_wave, populated, make_interview):
    make_interview(safety_wave, populated["east_a"], answers(order="4", age=40), weight=1.0)
    make_interview(safety_wave, populated["east_a"], answers(order="4", sex="male", age=50))
    make_interview(safety_wave, populated["west_a"], answers(order="4", sex="female", age=40))
    weighting = wave_weights(wave=safety_wave, trim_bounds=None)
    assert "district × sex: 1 respondent(s) unknown" in weighting.report["skipped"]
    assert weighting.report["margins"] == ["district", "district × age_group"]
    assert totals(weighting, ["district"]) == pytest.approx({"C01": 1000, "C02": 200})


def test_without_population_data_the_design_weights_stay(safety_wave, places, make_interview):
    make_interview(safety_wave, places["east_a"], answers(order="4", sex="male"), weight=3.0)
    make_interview(safety_wave, places["east_b"], answers(order="4", sex="female"), weight=5.0)
    weighting = wave_weights(wave=safety_wave, trim_bounds=None)
    assert list(weighting.weights) == [3.0, 5.0]
    assert weighting.report["skipped"] == ["all margins: no population data for C01"]
    assert weighting.report["margins"] == []

    # the appendix says it in the reader's language, the place by its name
    names = stratum_names(note_places(weighting.report))
    with translation.override("zh-hans"):
        notes = [v for k, v in weighting_lines(weighting.report, names) if k == "加权：说明"]
    assert notes == ["全部边际均未使用：城东区 没有人口数据"]


def test_a_margin_left_out_is_named_in_words(safety_wave, populated, make_interview):
    make_interview(safety_wave, populated["east_a"], answers(order="4", age=40), weight=1.0)
    make_interview(safety_wave, populated["east_a"], answers(order="4", sex="male", age=50))
    weighting = wave_weights(wave=safety_wave, trim_bounds=None)
    with translation.override("zh-hans"):
        lines = dict(
            weighting_lines(weighting.report, stratum_names(note_places(weighting.report)))
        )
    assert lines["加权：说明"] == "区县 × 性别：1 名受访者该项未知，未使用此边际"


def test_trimming_caps_weights_at_the_multiple_of_the_mean(safety_wave, places, make_interview):
    for weight in [1.0, 1.0, 1.0, 1.0, 16.0]:
        make_interview(safety_wave, places["east_a"], answers(order="4"), weight=weight)
    weighting = wave_weights(wave=safety_wave, trim_bounds=(0.25, 2.0))
    # mean 4 → upper 8; the 8 trimmed off is shared by the other four
    assert list(weighting.weights) == pytest.approx([3.0, 3.0, 3.0, 3.0, 8.0])
    assert weighting.report["trimmed"] == 5
    assert weighting.report["final"]["ratio"] == pytest.approx(8 / 3)


def test_a_wave_without_approved_interviews_gives_no_weights(safety_wave):
    weighting = wave_weights(wave=safety_wave)
    assert weighting.weights.empty and weighting.report["n"] == 0
    assert isinstance(weighting.respondents, pd.DataFrame)


def test_weighted_answers_carry_the_raked_weights_and_the_strata(safety_wave, respondents):
    long, meta, report = weighted_answers(wave=safety_wave, trim_bounds=None)
    weighting = wave_weights(wave=safety_wave, trim_bounds=None)
    per = long.drop_duplicates("interview_id").set_index("interview_id")
    assert per["weight"].to_dict() == pytest.approx(weighting.weights.to_dict())
    assert set(per["stratum"]) == {"C0101", "C0102", "C0201"}
    assert "fpc" not in long  # the draw has no stratum counts here
    assert report["margins"] == weighting.report["margins"]
    assert meta.n_interviews == 7
    # the district scores use them: 城东区 weighs 1000, 西山县 200
    table = domain_scores(long, ["district"]).set_index("district")
    assert table.loc["C01", "weight_sum"] == pytest.approx(1000)
    assert table.loc["C01", "se"] >= 0


def test_released_reserves_and_the_main_sample_share_one_weight(
    safety_wave, safety_draw, places, make_interview, analyst
):
    # given N_h = 300; 20 main units (stored weight 15) and replicate 1's 10 units (stored 10)
    from sampling.models import ReplicateRelease, SampledUnit

    FrameStratumCount.objects.create(frame=safety_draw.frame, stratum="C0101", n_units=300)
    for weight in [15.0] * 20 + [10.0] * 10:
        make_interview(safety_wave, places["east_a"], answers(order="4"), weight=weight)
    SampledUnit.objects.filter(draw=safety_draw, design_weight=10.0).update(replicate=1)
    before = respondent_frame(safety_wave)
    # when replicate 1 is released
    ReplicateRelease.objects.create(
        draw=safety_draw, replicate=1, released_by=analyst, reason="r", n_units=10
    )
    after = respondent_frame(safety_wave)
    # then the 30 released units are one SRSWOR from 300: π = 30/300 for each, weights sum to N_h
    assert before["weight"].sum() == pytest.approx(400)  # the stored weights overstate N_h
    assert after["weight"].tolist() == pytest.approx([10.0] * 30)
    assert after["weight"].sum() == pytest.approx(300)
