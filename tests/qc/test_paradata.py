from qc.paradata import PageTime, count_events, elapsed_seconds, page_times

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
