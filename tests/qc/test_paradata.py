import pytest

from qc.paradata import (
    PageTime,
    count_events,
    elapsed_seconds,
    label_chars,
    page_times,
    question_seconds,
)

T = "2025-03-01T10:{:02d}:{:02d}+08:00"


def event(name, minute, second, step=None, **extra):
    item = {"event": name, "at": T.format(minute, second)} | extra
    if step:
        item["step"] = step
    return item


PARADATA = [
    event("started", 0, 0, mode="phone"),
    event("page_shown", 0, 0, "screen"),
    event("page_submitted", 0, 40, "screen"),
    event("page_shown", 0, 41, "satisfaction"),
    event("answer_changed", 1, 30, "satisfaction", question="sat_1"),
    event("page_submitted", 2, 41, "satisfaction"),
    event("page_shown", 3, 0, "screen"),  # went back to the first page
    event("page_submitted", 3, 20, "screen"),
    event("finished", 3, 21, disposition="1.1"),
]


def test_page_times_sum_visits_from_latest_showing():
    assert page_times(PARADATA) == [
        PageTime("screen", 2, 60.0),
        PageTime("satisfaction", 1, 120.0),
    ]


def test_page_times_count_a_submission_without_showing_as_zero():
    assert page_times([event("page_submitted", 0, 10, "screen")]) == [PageTime("screen", 1, 0.0)]


def test_page_times_ignore_events_with_bad_times():
    assert page_times([{"event": "page_shown", "step": "x", "at": "not a time"}]) == []


def test_elapsed_seconds_first_to_last_event():
    assert elapsed_seconds(PARADATA) == 201.0
    assert elapsed_seconds(PARADATA[:1]) is None


def test_count_events():
    assert count_events(PARADATA, "answer_changed") == 1


def test_question_seconds_split_page_time_by_label_length():
    definition = {
        "languages": ["zh", "en"],
        "groups": [
            {
                "name": "screen",
                "questions": [
                    {"name": "intro", "type": "note", "label": {"zh": "您好 您好", "en": "Hello"}},
                    {"name": "age", "type": "integer", "label": {"zh": "年龄", "en": "Age"}},
                    {"name": "c", "type": "calculate", "label": None},
                ],
            },
            {
                "name": "satisfaction",
                "questions": [
                    {
                        "name": "sat_1",
                        "type": "select_one",
                        "label": {"zh": "满意吗"},
                        "hint": {"zh": "一"},
                    },
                    {"name": "sat_2", "type": "select_one", "label": {"zh": "满意吗？"}},
                ],
            },
            {"name": "never", "questions": [{"name": "x", "type": "text", "label": {"zh": "x"}}]},
        ],
    }
    seconds = question_seconds(PARADATA, definition)
    # screen: 60 s over 4 + 2 characters (whitespace not counted; the calculate has none)
    assert seconds["intro"] == pytest.approx(40.0) and seconds["age"] == pytest.approx(20.0)
    # satisfaction: 120 s over 3 + 1 (hint) and 4 characters
    assert seconds["sat_1"] == pytest.approx(60.0) and seconds["sat_2"] == pytest.approx(60.0)
    assert "x" not in seconds and "c" not in seconds
    assert sum(seconds.values()) == pytest.approx(sum(p.seconds for p in page_times(PARADATA)))


def test_label_chars_falls_back_to_the_first_language():
    assert label_chars({"label": {"en": "Age?"}}, "zh") == 4
    assert label_chars({"label": None}) == 0
