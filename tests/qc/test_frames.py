"""qc.frames: interviews → the wide frame the rules read."""

import math

import pytest

from fieldwork.models import Interview
from qc import frames
from qc.services import check_completed_interview
from tests.qc.conftest import DEFINITION, ITEMS, varied_answers


def test_definition_scale_takes_scored_select_one_items_with_a_dimension():
    scale = frames.definition_scale(DEFINITION)
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
        frames.definition_scale(definition)


def test_interviews_frame_builds_one_row_per_interview_in_two_queries(
    world, interviewer, django_assert_num_queries
):
    first = world.interview(interviewer, answers=varied_answers(sat_1="9", sat_2=3), duration=200)
    second = world.interview(
        interviewer, answers={"consent": "yes", "age": None, "sat_3": "4"}, duration=None
    )
    with django_assert_num_queries(2):
        frame = frames.interviews_frame(Interview.objects.order_by("id"))
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
    single = frames.interview_frame(interview).df
    batch = frames.interviews_frame(Interview.objects.filter(pk=interview.pk)).df
    assert single.equals(batch)


def test_frames_carry_sampled_and_said_street_codes_and_utc_times(world, interviewer):
    moved = world.interview(interviewer, duration=300)
    moved.street = world.other_street  # the respondent named another street
    moved.save(update_fields=["street"])
    stayed = world.interview(interviewer, duration=300)
    df = frames.interviews_frame(Interview.objects.order_by("id")).df
    assert df.loc[moved.pk, "sampled_locality"] == world.street.code
    assert df.loc[moved.pk, "said_locality"] == world.other_street.code
    assert df.loc[stayed.pk, "said_locality"] == world.street.code
    assert str(df["started_at"].dtype).startswith("datetime64") and df["started_at"].dt.tz
    assert df.loc[moved.pk, "completed_at"] == moved.completed_at
    single = frames.interview_frame(moved).df
    assert single.loc[moved.pk, "said_locality"] == world.other_street.code
    assert single.loc[moved.pk, "sampled_locality"] == world.street.code


def test_completed_interview_on_another_street_is_flagged(world, interviewer):

    interview = world.interview(interviewer, answers=varied_answers(), duration=420)
    interview.street = world.other_street
    interview.save(update_fields=["street"])
    review = check_completed_interview(interview)
    assert review.state == "flagged"
    assert list(review.interview.flags.values_list("rule", flat=True)) == ["locality_mismatch"]
