"""qc.rules.item_timing on small frames, checked against values worked out by hand; and the
rule input's columns from real per-question logs (qc.paradata), with the page-level fallback."""

import json
from statistics import median

import numpy as np
import pandas as pd

from qc import rules
from qc.paradata import item_row, item_summary, measured_seconds, question_seconds
from qc.rules import RuleConfig
from qc.rules.engine import run_rules
from qc.rules.item_timing import answer_changes, long_pauses, reading_speed
from qc.rules.speech import no_speech

NAN = np.nan
CHARS = {"q1": 30, "q2": 30, "q3": 60, "q4": 15, "q5": 45}


def timed(rows: dict[int, tuple], logged: dict[int, bool]) -> pd.DataFrame:
    df = pd.DataFrame.from_dict(rows, orient="index", columns=[f"{q}__seconds" for q in CHARS])
    df["item_logged"] = pd.Series(logged)
    df.index.name = "interview_id"
    return df


def test_reading_speed_fires_on_the_median_over_measured_questions_only():
    df = timed(
        {
            1: (1.0, 1.0, 2.0, 1.0, 1.5),  # 30, 30, 30, 15, 30 chars/s: median 30
            2: (6.0, 6.0, 12.0, 3.0, 9.0),  # 5 chars/s everywhere
            3: (1.0, 1.0, 2.0, 1.0, NAN),  # four measured: too few
            4: (1.0, 1.0, 2.0, 1.0, 1.5),  # as 1, but its times are estimated from pages
            5: (0.0, 1.0, 2.0, 1.0, 1.5),  # no time at all on q1: infinitely fast
        },
        {1: True, 2: True, 3: True, 4: False, 5: True},
    )
    out = reading_speed(df, reading_chars=CHARS, max_chars_per_second=15.0, min_items=5)
    assert list(out.index) == [1, 5]
    details = json.loads(out.loc[1, "details"])
    assert details["median_chars_per_second"] == median([30, 30, 30, 15, 30])
    assert details["n_measured"] == 5
    assert out.loc[1, "severity"] == rules.HIGH and out.loc[1, "rule"] == rules.READING_SPEED
    assert "30.0" in out.loc[1, "reason_en"]


def test_answer_changes_fire_on_many_changes_or_on_changes_back():
    df = pd.DataFrame(
        {
            "item_logged": [True, True, True, True, False],
            "item_changes": [6, 6, 3, 4, 20],
            "item_returns": [0, 0, 3, 2, 9],
            "n_answered": [10, 30, 40, 40, 40],
        },
        index=pd.Index([1, 2, 3, 4, 5], name="interview_id"),
    )
    out = answer_changes(df, max_share=0.3, min_changes=5, min_returns=3)
    # 1: 6/10 = 0.6 > 0.3; 2: 6/30 = 0.2; 3: three changes back; 5: no logs, not judged
    assert list(out.index) == [1, 3]
    assert json.loads(out.loc[1, "details"]) == {
        "changes": 6, "returns": 0, "n_answered": 10, "share": 0.6,
    }  # fmt: skip


def test_long_pauses_and_no_speech():
    df = pd.DataFrame(
        {
            "item_logged": [True, True, False, True],
            "longest_pause_seconds": [299.9, 300.0, 900.0, NAN],
            "speech_share": [0.5, 0.049, 0.01, NAN],
        },
        index=pd.Index([1, 2, 3, 4], name="interview_id"),
    )
    assert list(long_pauses(df, pause_seconds=300).index) == [2]
    assert list(no_speech(df, max_share=0.05).index) == [2, 3]


DEFINITION = {
    "languages": ["zh"],
    "groups": [
        {
            "name": "p1",
            "questions": [
                {"name": "a", "type": "select_one", "label": {"zh": "一二三四五六"}},
                {"name": "b", "type": "select_one", "label": {"zh": "一二三四五六"}},
            ],
        },
        {
            "name": "p2",
            "questions": [
                {"name": "c", "type": "integer", "path": "/p2/c", "label": {"zh": "一二三"}},
                {"name": "d", "type": "integer", "path": "/p2/d", "label": {"zh": "一"}},
            ],
        },
    ],
}


def paradata_with_a_log_on_page_1() -> list[dict]:
    at = "2026-01-01T10:00:{:02d}+08:00"
    return [
        {"event": "page_shown", "step": "p1", "at": at.format(0)},
        {"event": "items", "step": "p1", "at": at.format(9), "end": "back", "ms": 3000,
         "gap": 2500, "bg": 0, "q": {"a": [0, 0, 500, 3000, 0]}, "ch": []},
        {"event": "items", "step": "p1", "at": at.format(10), "end": "next", "ms": 7000,
         "gap": 6000, "bg": 0, "q": {"a": [0, 0, 100, 1000, 1], "b": [0, 50, 90, 6000, 2]},
         "ch": [[200, "a", "1", "2"], [300, "b", "3", "4"], [400, "b", "4", "3"]]},
        {"event": "page_submitted", "step": "p1", "at": at.format(10)},
        {"event": "page_shown", "step": "p2", "at": at.format(10)},
        {"event": "page_submitted", "step": "p2", "at": at.format(30)},
        {"event": "went_back", "step": "p2", "to": "p1", "at": at.format(31)},
    ]  # fmt: skip


def test_measured_pages_use_the_browsers_times_and_the_others_fall_back_to_the_split():
    paradata = paradata_with_a_log_on_page_1()
    assert measured_seconds(paradata, DEFINITION) == {"p1": {"a": 4.0, "b": 6.0}}
    # p2 has no log: its 20 s split by label length, 3 : 1
    assert question_seconds(paradata, DEFINITION) == {
        "a": 4.0,
        "b": 6.0,
        "/p2/c": 15.0,
        "/p2/d": 5.0,
    }


def test_the_summary_counts_changes_returns_pauses_and_going_back():
    summary = item_summary(paradata_with_a_log_on_page_1())
    assert (summary.pages, summary.changes, summary.changed_questions, summary.returns) == (
        2,
        3,
        2,
        1,
    )
    assert summary.longest_pause == 6.0 and summary.back == 1
    row = item_row({"paradata": paradata_with_a_log_on_page_1()})
    assert row == {"item_logged": True, "item_changes": 3, "item_returns": 1,
                   "longest_pause_seconds": 6.0}  # fmt: skip
    assert item_summary([{"event": "page_shown", "step": "p1"}]) is None
    empty = item_row({"paradata": []})
    assert empty["item_logged"] is False and np.isnan(empty["item_changes"])


def test_the_engine_runs_the_item_rules_with_their_thresholds():
    df = pd.DataFrame(
        {"duration_seconds": [600.0], "n_answered": [10], "item_logged": [True],
         "item_changes": [2], "item_returns": [0], "longest_pause_seconds": [120.0],
         "speech_share": [0.2]},
        index=pd.Index([7], name="interview_id"),
    )  # fmt: skip
    assert run_rules(df, items=[]).empty
    config = RuleConfig(pause_seconds=100.0, no_speech_max_share=0.3)
    out = run_rules(df, items=[], config=config)
    assert sorted(out["rule"]) == sorted([rules.LONG_PAUSES, rules.NO_SPEECH])
