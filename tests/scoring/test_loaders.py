import copy
import math

import pytest

from fieldwork.models import Wave
from qc.models import Review
from scoring.loaders import LONG_COLUMNS, AnswerError, approved_answers, scale_items
from tests.factories import make_organisation
from tests.scoring.factories import DEFINITION, answers


def test_scale_items_take_only_scored_select_one_questions_with_a_dimension():
    # given the test definition (eligible is select_one without dimension, age an integer)
    # when
    choices = scale_items(DEFINITION)
    # then
    assert list(dict.fromkeys(choices["item"])) == [
        "safety_overall",
        "order_q1",
        "police_q1",
        "police_q2",
    ]
    dont_know = choices[(choices["item"] == "order_q1") & (choices["value"] == "9")].iloc[0]
    assert math.isnan(dont_know["score"]) and dont_know["positive"] is None


def test_a_question_score_map_and_satisfied_codes_override_the_list():
    # given order_q1 scored 100/80/50/20/0 and only "very satisfied" counting as satisfied
    definition = copy.deepcopy(DEFINITION)
    question = definition["groups"][1]["questions"][1]
    assert question["name"] == "order_q1"
    question["score_map"] = {"5": 100.0, "4": 80.0, "3": 50.0, "2": 20.0, "1": 0.0, "9": None}
    question["positive_values"] = ["5"]
    # when
    choices = scale_items(definition).set_index(["item", "value"])
    # then
    assert choices.loc[("order_q1", "3"), "score"] == 50.0
    assert choices.loc[("order_q1", "2"), "score"] == 20.0
    assert choices.loc[("order_q1", "4"), "positive"] is False
    assert choices.loc[("order_q1", "5"), "positive"] is True
    assert choices.loc[("order_q1", "9"), "positive"] is None
    # and the other items keep their list's map
    assert choices.loc[("police_q1", "3"), "score"] == 60.0
    assert choices.loc[("police_q1", "4"), "positive"] is True


def test_only_approved_interviews_of_the_wave_are_loaded(
    safety_wave, safety_version, places, make_interview
):
    # given one approved interview and one in every other QC state, plus another wave's
    approved = make_interview(safety_wave, places["east_a"], answers(safety="5", order="4"))
    for state in [Review.State.REJECTED, Review.State.FLAGGED, Review.State.CLEAN, None]:
        make_interview(safety_wave, places["east_a"], answers(safety="1", order="1"), state=state)
    other_wave = Wave.objects.create(
        name="其他", client=make_organisation("x"), questionnaire_version=safety_version
    )
    make_interview(other_wave, places["east_a"], answers(safety="1", order="1"))
    # when
    long, meta = approved_answers(safety_wave)
    # then
    assert set(long["interview_id"]) == {approved.pk}
    assert meta.n_interviews == 1
    assert sorted(long["score"].tolist()) == [80.0, 100.0]


def test_answers_are_scored_through_the_choice_lists(safety_wave, places, make_interview):
    # given "9" is don't know, 4 arrives as an int, police_q2 was never asked
    interview = make_interview(
        safety_wave, places["east_a"], answers(safety="3", order="9", police1=4), weight=2.5
    )
    # when
    long, _ = approved_answers(safety_wave)
    # then
    assert list(long.columns) == LONG_COLUMNS
    rows = long.set_index("item")
    assert list(rows.index) == ["safety_overall", "order_q1", "police_q1"]
    assert rows.loc["safety_overall", "score"] == 60.0
    assert rows.loc["safety_overall", "positive"] is False
    assert math.isnan(rows.loc["order_q1", "score"])
    assert rows.loc["police_q1", "score"] == 80.0
    assert rows.loc["police_q1", "positive"] is True
    assert (long["interview_id"] == interview.pk).all()
    assert (long["weight"] == 2.5).all()
    assert rows.loc["police_q1", "dimension"] == "police"


def test_sampled_street_and_its_district_are_used_when_none_was_named(
    safety_wave, places, make_interview
):
    # given
    make_interview(safety_wave, places["east_b"], answers(order="5"))
    # when
    long, meta = approved_answers(safety_wave)
    # then
    row = long.iloc[0]
    assert (row["district"], row["street"], row["area_type"]) == ("C01", "C0102", "peri_urban")
    assert meta.localities["C0102"] == {"name": "东兴街道", "level": "street", "parent": "C01"}
    assert meta.localities["C01"]["name"] == "城东区"


def test_named_street_wins_over_the_sampled_one(safety_wave, places, make_interview):
    # given sampled in 东华街道 (城东区) but the respondent lives in 西岭镇 (西山县)
    make_interview(safety_wave, places["east_a"], answers(order="5"), street=places["west_a"])
    # when
    long, _ = approved_answers(safety_wave)
    # then
    row = long.iloc[0]
    assert (row["district"], row["street"], row["area_type"]) == ("C02", "C0201", "rural")


def test_named_district_outside_the_sampled_street_leaves_the_street_unknown(
    safety_wave, places, make_interview
):
    # given sampled in 东华街道 (城东区), the respondent names only 西山县
    make_interview(safety_wave, places["east_a"], answers(order="5"), district=places["west"])
    # when
    long, _ = approved_answers(safety_wave)
    # then
    row = long.iloc[0]
    assert row["district"] == "C02"
    assert row["street"] is None or (isinstance(row["street"], float) and math.isnan(row["street"]))
    assert row["area_type"] == "rural"  # from the district, as the street is unknown


def test_answer_outside_the_choice_list_is_a_clear_error(safety_wave, places, make_interview):
    # given
    interview = make_interview(safety_wave, places["east_a"], answers(order="7"))
    # when / then
    with pytest.raises(AnswerError) as raised:
        approved_answers(safety_wave)
    message = str(raised.value)
    assert f"#{interview.pk}" in message and "order_q1" in message and "'7'" in message


def test_no_approved_interviews_give_an_empty_frame(safety_wave, places, make_interview):
    # given
    make_interview(safety_wave, places["east_a"], answers(order="5"), state=Review.State.FLAGGED)
    # when
    long, meta = approved_answers(safety_wave)
    # then
    assert long.empty and list(long.columns) == LONG_COLUMNS
    assert meta.n_interviews == 0


def test_loading_takes_three_queries(
    safety_wave, places, make_interview, django_assert_num_queries
):
    # given
    for street in ["east_a", "east_b", "west_a"]:
        make_interview(safety_wave, places[street], answers(safety="4", order="3", police1="5"))
    fresh = Wave.objects.get(pk=safety_wave.pk)
    # when / then: definition, interviews, localities
    with django_assert_num_queries(3):
        long, _ = approved_answers(fresh)
    assert len(long) == 9
