"""qc.rule_input: interview records and definitions → the wide frame the rules read."""

import copy

import pandas as pd
import pytest
from cryptography.fernet import Fernet

from common.crypto import Keyring, household_key, phone_key
from qc import rule_input
from qc.rules import RuleConfig
from tests.qc.conftest import DEFINITION, ITEMS, varied_answers


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


def test_definition_scale_takes_scored_select_one_items_with_a_dimension():
    scale = rule_input.definition_scale(DEFINITION)
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
        rule_input.definition_scale(definition)


def test_build_frame_matches_contacts_by_keyed_hash_and_never_sees_the_number():
    ring = Keyring(fernet_keys=(Fernet.generate_key().decode(),), hash_key=b"k" * 32)

    def keys(phone, household):
        return {
            "phone_key": phone_key(ring, phone),
            "household_key": household_key(ring, household),
        }

    records = [
        _record(1, varied_answers(), **keys("138 1234 5678", "幸福路 1号")),
        _record(2, varied_answers(), **keys("+86 13812345678", "幸福路1号")),
        _record(3, varied_answers(), **keys("", None)),
    ]
    frame = rule_input.build_frame(records, {1: DEFINITION})
    df = frame.df
    assert df.loc[1, "phone_key"] == df.loc[2, "phone_key"]  # the same number, written two ways
    assert df.loc[1, "household_key"] == df.loc[2, "household_key"]
    assert pd.isna(df.loc[3, "phone_key"]) and pd.isna(df.loc[3, "household_key"])
    assert not any("5678" in str(cell) for cell in df.to_numpy().ravel())
    result = rule_input.run_frame_rules(frame, RuleConfig(duplicate_min_items=10**6))
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
    frame = rule_input.build_frame(records, {1: _checked_definition()})
    failures = frame.df["qc_check_failures"]
    assert failures[1] == [{"question": "comment", "zh": "非常不满意却无意见", "en": "no comment"}]
    assert failures[2] == [] and failures[3] == []
    result = rule_input.run_frame_rules(frame, RuleConfig(duplicate_min_items=10**6))
    assert list(result.index) == [1] and list(result["rule"]) == ["inconsistent"]
    assert result.loc[1, "reason"] == "逻辑检查未通过：comment（非常不满意却无意见）"


def test_a_stored_qc_check_too_deep_to_parse_is_not_a_failure_nor_a_crash():
    # Stored before the import refused such expressions: unreadable, so not a finding.
    definition = _checked_definition()
    definition["groups"][1]["questions"][-1]["qc_check"] = "(" * 500 + "1" + ")" * 500
    frame = rule_input.build_frame([_record(1, varied_answers(sat_1="1"))], {1: definition})
    assert frame.df["qc_check_failures"][1] == []
    long_sum = "+".join(["${sat_1}"] * 5000) + " > 0"
    definition["groups"][1]["questions"][-1]["qc_check"] = long_sum
    frame = rule_input.build_frame([_record(1, varied_answers(sat_1="1"))], {1: definition})
    assert frame.df["qc_check_failures"][1] == []


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
    frame = rule_input.build_frame(records, {1: DEFINITION})
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
        rule_input.run_frame_rules(frame, RuleConfig(duplicate_min_items=10**6))["rule"]
    )
    slow_reader = RuleConfig(chars_per_second=0.9, duplicate_min_items=10**6)
    fired = rule_input.run_frame_rules(frame, slow_reader)
    assert ("fast_items" in set(fired.loc[[1], "rule"])) and 3 not in fired.index
    assert "short_open_answers" in set(fired.loc[[1], "rule"])
