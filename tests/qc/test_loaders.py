"""qc.loaders: interviews in the database → the wide frame the rules read, stored flags and
case outcomes."""

import math

import pandas as pd
import pytest

from fieldwork.models import Case, Interview
from qc import loaders
from qc.risk import statistics
from qc.services.checks import check_completed_interview
from tests.qc.conftest import ITEMS, varied_answers


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
    reason = review.interview.flags.get().reason
    assert world.other_street.name in reason and world.street.name in reason
    assert world.other_street.code not in reason


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
