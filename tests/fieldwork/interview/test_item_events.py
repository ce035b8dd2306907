"""The browser's per-question log: checked, masked and summarised (interview.item_events)."""

import json

import pytest

from fieldwork.interview.item_events import MASK, MAX_EVENTS, MAX_PAGE_MS, summarise

QUESTIONS = {
    "sat": {"name": "sat", "type": "select_one", "list": "s5"},
    "age": {"name": "age", "type": "integer"},
    "phone_no": {"name": "phone_no", "type": "integer"},
    "remark": {"name": "remark", "type": "text"},
}


def log(events, d=10_000, **extra):
    return json.dumps({"v": 1, "d": d, "lang": "zh", "e": events, **extra})


def test_times_are_given_to_the_question_touched_and_the_tail_to_the_last():
    text = log(
        [[0, "s", "sat"], [0, "s", "age"], [1200, "f", "sat"], [1300, "a", "sat", "3"],
         [4000, "f", "age"], [6500, "a", "age", "45"]],
        d=8000,
    )  # fmt: skip
    record, refused = summarise(text, questions=QUESTIONS)
    assert refused is None
    # sat: 0 → 1200 (reading) + 1200 → 1300; age: 1300 → 4000 → 6500, then the tail to 8000
    assert record["q"]["sat"] == [0, 1200, 1300, 1300, 0]
    assert record["q"]["age"] == [0, 4000, 6500, 2700 + 2500 + 1500, 0]
    assert sum(row[3] for row in record["q"].values()) == 8000
    assert record["gap"] == 2700 and record["bg"] == 0 and record["ch"] == []
    assert record["end"] == "next" and record["ms"] == 8000 and record["lang"] == "zh"


def test_changes_keep_codes_but_mask_text_and_personal_numbers():
    text = log(
        [[100, "a", "sat", "2"], [200, "a", "sat", "4"], [300, "a", "sat", "2"],
         [400, "a", "remark", "Zhang San"], [500, "a", "remark", "Li Si"],
         [600, "a", "phone_no", "13800138000"], [700, "a", "age", "40"]],
        d=1000,
    )  # fmt: skip
    record, _ = summarise(text, questions=QUESTIONS, previous={"phone_no": "13900000000"})
    assert [c[1:] for c in record["ch"]] == [
        ["sat", "2", "4"],
        ["sat", "4", "2"],
        ["remark", MASK, MASK],
        ["phone_no", MASK, MASK],
    ]
    assert "Zhang" not in json.dumps(record) and "138" not in json.dumps(record)
    assert record["q"]["sat"][2] == 100 and record["q"]["sat"][4] == 2
    assert record["q"]["age"][2] == 700 and record["q"]["age"][4] == 0


def test_a_saved_answer_changed_counts_as_a_change_and_the_same_value_as_none():
    text = log([[100, "a", "sat", "3"], [200, "a", "sat", "5"]], d=300)
    record, _ = summarise(text, questions=QUESTIONS, previous={"sat": "3"})
    assert record["ch"] == [[200, "sat", "3", "5"]]
    assert record["q"]["sat"][2] is None and record["q"]["sat"][4] == 1


def test_background_time_goes_to_nobody_and_counts_apart():
    text = log(
        [[0, "s", "sat"], [1000, "a", "sat", "1"], [2000, "h"], [62_000, "v"],
         [63_000, "f", "age"]],
        d=64_000,
    )  # fmt: skip
    record, _ = summarise(text, questions=QUESTIONS)
    assert record["bg"] == 60_000
    # age: 1000 → 2000 before the background, 62000 → 63000 after, then the tail to 64000
    assert record["q"]["sat"][3] == 1000 and record["q"]["age"][3] == 1000 + 1000 + 1000
    assert sum(row[3] for row in record["q"].values()) == 64_000 - 60_000
    assert record["gap"] == 2000


def test_questions_not_on_the_page_are_dropped():
    record, _ = summarise(log([[5, "a", "elsewhere", "1"]], d=10), questions=QUESTIONS)
    assert record["q"] == {} and record["ch"] == []


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{", "not JSON"),
        (json.dumps({"v": 2, "d": 1, "e": []}), "not version 1"),
        (log([[0, "a", "sat", "1"]] * (MAX_EVENTS + 1)), f"events missing or over {MAX_EVENTS}"),
        (log([[500, "f", "sat"], [100, "f", "age"]]), "events out of order"),
        (log([[0, "f", "sat"]], d=MAX_PAGE_MS + 1), "page time out of range"),
        (log([[-5, "f", "sat"]]), "event time out of range"),
        (log([[0, "z", "sat"]]), "unknown event"),
        (log([[20_000, "f", "sat"]], d=10_000), "events out of order"),
        (log([["soon", "f", "sat"]]), "event time is not a time"),
        ("x" * 70_000, "over 64000 characters"),
    ],
)
def test_an_implausible_log_is_refused_whole(text, why):
    assert summarise(text, questions=QUESTIONS) == (None, why)


def test_nothing_sent_is_nothing_recorded():
    assert summarise("", questions=QUESTIONS) == (None, None)
    assert summarise(None, questions=QUESTIONS) == (None, None)
