import numpy as np
import pandas as pd

from exports.codebook import build_levels
from exports.shaping import level_frames, unlisted_values
from tests.exports.forms import DEFINITION

ANSWERS = [
    {
        "/a/q1": "5",
        "/b/q1": 9,  # a number where the value is "9": the same choice
        "/a/kind": ["theft", "other"],
        "/a/n": "3",
        "/a/when": "2026-03-01",
        "/a/say": "call me on 138 1234 5678 please",
        "/a/where": "31.2 121.5 10 5",
        "/hh": [
            {"/hh/rel": "head", "/hh/age": 50, "/hh/jobs": [{"/hh/jobs/title": "driver"}]},
            {
                "/hh/rel": "child",
                "/hh/jobs": [{"/hh/jobs/title": "clerk"}, {"/hh/jobs/title": "cook"}],
            },
        ],
    },
    {"/a/q1": "7", "/a/kind": "fraud"},  # 7: kept from an earlier version of the list
]


def _frames():
    levels = build_levels(DEFINITION, reserved=["interview_id"])
    own = pd.DataFrame({"interview_id": [11, 12]})
    return levels, level_frames(levels, own, ANSWERS, tz="Asia/Shanghai")


def test_one_row_per_interview_with_one_column_per_answer():
    levels, frames = _frames()
    interviews = frames["interviews"]
    assert interviews["interview_id"].tolist() == [11, 12]
    assert interviews["q1"].tolist() == ["5", "7"] and interviews["q1_2"].tolist() == ["9", None]
    assert interviews["n"].tolist()[0] == 3.0 and np.isnan(interviews["n"].iloc[1])
    assert interviews["when"].iloc[0] == pd.Timestamp("2026-03-01")
    assert "where" not in interviews  # an exact position is never exported


def test_select_multiple_keeps_the_original_and_gets_one_0_1_column_per_choice():
    _, frames = _frames()
    interviews = frames["interviews"]
    assert interviews["kind"].tolist() == ["theft other", "fraud"]
    assert interviews["kind_theft"].tolist() == [1.0, 0.0]
    assert interviews["kind_fraud"].tolist() == [0.0, 1.0]
    assert interviews["kind_other"].tolist() == [1.0, 0.0]


def test_unanswered_select_multiple_leaves_its_choice_columns_empty():
    levels = build_levels(DEFINITION, reserved=["interview_id"])
    frames = level_frames(levels, pd.DataFrame({"interview_id": [1]}), [{}])
    assert frames["interviews"][["kind_theft", "kind_fraud"]].isna().all().all()


def test_open_answers_have_phone_numbers_masked():
    _, frames = _frames()
    assert frames["interviews"]["say"].iloc[0] == "call me on [phone] please"


def test_each_repeat_level_is_a_file_keyed_by_interview_and_every_enclosing_row():
    _, frames = _frames()
    members = frames["repeat_hh"]
    assert members[["interview_id", "hh_row"]].values.tolist() == [[11, 1], [11, 2]]
    assert members["rel"].tolist() == ["head", "child"]
    assert members["age"].iloc[0] == 50.0 and np.isnan(members["age"].iloc[1])
    jobs = frames["repeat_jobs"]
    assert jobs[["interview_id", "hh_row", "jobs_row"]].values.tolist() == [
        [11, 1, 1],
        [11, 2, 1],
        [11, 2, 2],
    ]
    assert jobs["title"].tolist() == ["driver", "clerk", "cook"]


def test_a_repeat_nobody_answered_is_an_empty_file_with_its_keys():
    levels = build_levels(DEFINITION, reserved=["interview_id"])
    frames = level_frames(levels, pd.DataFrame({"interview_id": [1]}), [{"/a/q1": "5"}])
    assert frames["repeat_jobs"].empty
    assert list(frames["repeat_jobs"].columns) == ["interview_id", "hh_row", "jobs_row", "title"]


def test_values_outside_the_choice_list_get_the_next_codes_rather_than_being_lost():
    levels, frames = _frames()
    unlisted_values(levels, frames)
    q1 = next(v for v in levels[0].variables if v.name == "q1")
    assert q1.values[-1] == {"code": 10, "value": "7", "label": {}, "unlisted": True}


def test_a_computed_answer_has_phone_numbers_masked_too():
    definition = {
        **DEFINITION,
        "groups": [
            {
                "name": "c",
                "path": "/c",
                "questions": [
                    {"name": "contact", "path": "/c/contact", "type": "calculate", "label": {}}
                ],
            }
        ],
    }
    levels = build_levels(definition, reserved=["interview_id"])
    own = pd.DataFrame({"interview_id": [1]})
    frames = level_frames(levels, own, [{"/c/contact": "１３８１２３４５６７８"}])
    assert frames["interviews"]["contact"].tolist() == ["[phone]"]
