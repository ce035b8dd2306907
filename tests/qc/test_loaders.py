"""qc.loaders: interviews → the wide frame the rules read."""

import copy
import math

import pandas as pd
import pytest

from fieldwork.models import Case, Interview
from qc import loaders
from qc.risk import statistics
from qc.rules import RuleConfig
from qc.services.checks import check_completed_interview
from tests.qc.conftest import DEFINITION, ITEMS, varied_answers


def test_definition_scale_takes_scored_select_one_items_with_a_dimension():
    scale = loaders.definition_scale(DEFINITION)
    assert scale.items == ITEMS  # consent (no dimension) and comment (text) are not items
    assert scale.excluded_codes["sat_1"] == frozenset({"9"})
    assert "intro" not in scale.non_note and "comment" in scale.non_note


def test_definition_scale_refuses_an_item_named_like_a_frame_column():
    definition = {
        "choice_lists": DEFINITION["choice_lists"],
        "groups": [
            {
                "name": "g",
                "questions": [
                    {"name": "mode", "type": "select_one", "list": "sat5", "dimension": "police"}
                ],
            }
        ],
    }
    with pytest.raises(ValueError, match="'mode'"):
        loaders.definition_scale(definition)


def test_interviews_frame_builds_one_row_per_interview_in_two_queries(
    world, interviewer, django_assert_num_queries
):
    first = world.interview(interviewer, answers=varied_answers(sat_1="9", sat_2=3), duration=200)
    second = world.interview(
        interviewer, answers={"consent": "yes", "age": None, "sat_3": "4"}, duration=None
    )
    with django_assert_num_queries(2):
        frame = loaders.interviews_frame(Interview.objects.order_by("id"))
    df = frame.df
    assert list(df.index) == [first.pk, second.pk]
    assert frame.items == ITEMS
    assert df.loc[first.pk, "n_answered"] == 13  # the note never counts
    assert df.loc[second.pk, "n_answered"] == 2  # None is unanswered
    assert df.loc[first.pk, "duration_seconds"] == 200.0
    # No recorded duration: falls back to completed minus started (0 s in this fixture)
    assert df.loc[second.pk, "duration_seconds"] == 0.0
    assert df.loc[first.pk, "sat_1"] == "9"
    assert df.loc[first.pk, "sat_2"] == "3"  # an integer answer becomes its code string
    assert isinstance(df.loc[second.pk, "sat_1"], float) and math.isnan(df.loc[second.pk, "sat_1"])
    assert df.loc[first.pk, "wave_id"] == world.wave.pk
    assert df.loc[first.pk, "street_id"] == world.street.pk
    assert frame.excluded_codes["sat_5"] == frozenset({"9"})
    assert frame.code_labels["4"] == {"zh": "满意", "en": "Satisfied"}


def test_interview_frame_matches_queryset_frame(world, interviewer):
    interview = world.interview(interviewer, answers=varied_answers(sat_4="9"))
    single = loaders.interview_frame(interview).df
    batch = loaders.interviews_frame(Interview.objects.filter(pk=interview.pk)).df
    assert single.equals(batch)


def test_frames_carry_sampled_and_said_street_codes_and_utc_times(world, interviewer):
    moved = world.interview(interviewer, duration=300)
    moved.street = world.other_street  # the respondent named another street
    moved.save(update_fields=["street"])
    stayed = world.interview(interviewer, duration=300)
    df = loaders.interviews_frame(Interview.objects.order_by("id")).df
    assert df.loc[moved.pk, "sampled_locality"] == world.street.code
    assert df.loc[moved.pk, "said_locality"] == world.other_street.code
    assert df.loc[stayed.pk, "said_locality"] == world.street.code
    assert str(df["started_at"].dtype).startswith("datetime64") and df["started_at"].dt.tz
    assert df.loc[moved.pk, "completed_at"] == moved.completed_at
    single = loaders.interview_frame(moved).df
    assert single.loc[moved.pk, "said_locality"] == world.other_street.code
    assert single.loc[moved.pk, "sampled_locality"] == world.street.code


def test_completed_interview_on_another_street_is_flagged(world, interviewer):

    interview = world.interview(interviewer, answers=varied_answers(), duration=420)
    interview.street = world.other_street
    interview.save(update_fields=["street"])
    review = check_completed_interview(interview)
    assert review.state == "flagged"
    assert list(review.interview.flags.values_list("rule", flat=True)) == ["locality_mismatch"]


def _checked_definition() -> dict:
    definition = copy.deepcopy(DEFINITION)
    comment = definition["groups"][1]["questions"][-1]
    comment["qc_check"] = "${sat_1} != '1'"
    comment["qc_check_message"] = {"zh": "非常不满意却无意见", "en": "no comment"}
    return definition


def _record(interview_id: int, answers: dict, **extra) -> dict:
    return {
        "id": interview_id,
        "questionnaire_version_id": 1,
        "interviewer_id": 1,
        "started_at": None,
        "completed_at": None,
        "duration_seconds": 400,
        "answers": answers,
    } | extra


def test_build_frame_hashes_contacts_and_never_keeps_the_number():
    records = [
        _record(1, varied_answers(), phone="138 1234 5678", household="幸福路 1号"),
        _record(2, varied_answers(), phone="+86 13812345678", household="幸福路1号"),
        _record(3, varied_answers(), phone="", household=None),
    ]
    frame = loaders.build_frame(records, {1: DEFINITION})
    df = frame.df
    assert df.loc[1, "phone_key"] == df.loc[2, "phone_key"]  # the same number, written two ways
    assert df.loc[1, "household_key"] == df.loc[2, "household_key"]
    assert pd.isna(df.loc[3, "phone_key"]) and pd.isna(df.loc[3, "household_key"])
    assert not any("5678" in str(cell) for cell in df.to_numpy().ravel())
    result = loaders.run_frame_rules(frame, RuleConfig(duplicate_min_items=10**6))
    assert list(zip(result.index, result["rule"], strict=True)) == [
        (1, "duplicate_contact"),
        (2, "duplicate_contact"),
    ]
    assert "5678" not in " ".join(result["reason"]) + " ".join(result["details"])


def test_build_frame_evaluates_qc_checks_on_answered_questions_only():
    records = [
        _record(1, varied_answers(sat_1="1")),  # fails the check
        _record(2, varied_answers(sat_1="4")),  # passes
        _record(3, varied_answers(sat_1="1", comment=None)),  # not answered: not evaluated
    ]
    frame = loaders.build_frame(records, {1: _checked_definition()})
    failures = frame.df["qc_check_failures"]
    assert failures[1] == [{"question": "comment", "zh": "非常不满意却无意见", "en": "no comment"}]
    assert failures[2] == [] and failures[3] == []
    result = loaders.run_frame_rules(frame, RuleConfig(duplicate_min_items=10**6))
    assert list(result.index) == [1] and list(result["rule"]) == ["inconsistent"]
    assert result.loc[1, "reason"] == "逻辑检查未通过：comment（非常不满意却无意见）"


def test_build_frame_carries_open_answers_scores_and_seconds_given_or_from_paradata():
    t = "2025-03-01T10:00:{:02d}+08:00"
    paradata = [
        {"event": "page_shown", "step": "satisfaction", "at": t.format(0)},
        {"event": "page_submitted", "step": "satisfaction", "at": "2025-03-01T10:01:05+08:00"},
    ]
    records = [
        _record(1, varied_answers(comment="无"), paradata=paradata),
        _record(2, varied_answers(sat_2=None), question_seconds={"sat_1": 9.5, "sat_2": 4.0}),
        _record(3, varied_answers()),
    ]
    frame = loaders.build_frame(records, {1: DEFINITION})
    df = frame.df
    assert frame.open_items == ["comment"] and df.loc[1, "comment"] == "无"
    assert frame.scores["sat_1"] == {"5": 100.0, "4": 80.0, "3": 60.0, "2": 40.0, "1": 0.0}
    assert frame.dimensions["sat_3"] == "police"
    # 65 s over the page's 65 label characters: nine of 6 ("满意度第1题"), one of 7, "意见建议" 4
    assert frame.reading_chars["sat_1"] == 6
    assert df.loc[1, "sat_1__seconds"] == pytest.approx(6.0)
    assert df.loc[1, "comment__seconds"] == pytest.approx(4.0)
    assert df.loc[2, "sat_1__seconds"] == 9.5
    assert pd.isna(df.loc[2, "sat_2__seconds"])  # unanswered: not timed
    assert pd.isna(df.loc[3, "sat_1__seconds"])  # no paradata
    # interview 1 took 1 s per character: too fast only for a reader of less than 1 per second
    assert "fast_items" not in set(
        loaders.run_frame_rules(frame, RuleConfig(duplicate_min_items=10**6))["rule"]
    )
    slow_reader = RuleConfig(chars_per_second=0.9, duplicate_min_items=10**6)
    fired = loaders.run_frame_rules(frame, slow_reader)
    assert ("fast_items" in set(fired.loc[[1], "rule"])) and 3 not in fired.index
    assert "short_open_answers" in set(fired.loc[[1], "rule"])


def test_interviews_frame_keys_phone_from_the_sampled_unit(world, interviewer):
    first = world.interview(interviewer, answers=varied_answers(), phone="13900001111")
    second = world.interview(interviewer, answers=varied_answers(), phone="13900001111")
    other = world.interview(interviewer, answers=varied_answers())
    df = loaders.interviews_frame(Interview.objects.order_by("id")).df
    assert df.loc[first.pk, "phone_key"] == df.loc[second.pk, "phone_key"]
    assert df.loc[first.pk, "phone_key"] != df.loc[other.pk, "phone_key"]
    single = loaders.interview_frame(first).df
    assert single.loc[first.pk, "phone_key"] == df.loc[first.pk, "phone_key"]


def test_wave_outcomes_count_cases_completes_and_refusals_per_interviewer(
    world, interviewer, other_interviewer
):
    interviews = [world.interview(interviewer) for _ in range(3)]
    interviews.append(world.interview(other_interviewer))
    for interview, code in zip(interviews, ["1.1", "2.112", "3.13", "1.1"], strict=True):
        Case.objects.filter(pk=interview.case_id).update(disposition=code)
    Case.objects.filter(pk=interviews[-1].case_id).update(disposition="")  # not worked yet
    outcomes = loaders.wave_outcomes(world.wave.pk)
    assert outcomes.loc[interviewer.pk].tolist() == [3, 1, 1]
    assert other_interviewer.pk not in outcomes.index
    # The risk statistics take them with the frame's nullable interviewer ids.
    frame = loaders.interviews_frame(Interview.objects.all())
    found = statistics.interviewer_risk(
        frame.df,
        loaders.stored_flags(Interview.objects.all()),
        items=frame.items,
        outcomes=outcomes,
    )
    assert found.loc[interviewer.pk, "completion_rate"] == pytest.approx(1 / 3)
    assert found.loc[interviewer.pk, "refusal_rate"] == pytest.approx(1 / 3)
    assert pd.isna(found.loc[other_interviewer.pk, "completion_rate"])
