"""qc.rules.engine.run_rules: every rule in one call, in the order of RULES."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from qc import rules
from qc.rules import answers, engine, timing

ITEMS = ["a", "b", "c", "d"]


def frame(rows: dict[int, tuple]) -> pd.DataFrame:
    """{id: (duration, n_answered, a, b, c, d)} -> the rules' input frame."""
    df = pd.DataFrame.from_dict(
        rows, orient="index", columns=["duration_seconds", "n_answered", *ITEMS]
    )
    df.index.name = "interview_id"
    return df.astype({"duration_seconds": "float64", "n_answered": "int64"})


SCORES5 = {"5": 100.0, "4": 80.0, "3": 60.0, "2": 40.0, "1": 0.0}


def _df(columns: dict, ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(ids, dtype="int64", name="interview_id"))


ITEMS12 = [f"q{i}" for i in range(12)]


def _utc(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2025, 5, day, hour, minute, tzinfo=UTC)


def test_run_rules_combines_rules_in_order():
    df = frame(
        {
            3: (30, 4, "4", "4", "4", "4"),  # both
            1: (300, 4, "4", "4", "4", "4"),  # straight-lining only
            2: (30, 4, "1", "2", "3", "4"),  # rushed only
            4: (300, 4, "1", "2", "3", "4"),  # neither
        }
    )
    config = rules.RuleConfig(straightlining_min_items=4)
    result = engine.run_rules(df, items=ITEMS, excluded_codes={"9"}, config=config)
    assert list(zip(result.index, result["rule"], strict=True)) == [
        (1, rules.STRAIGHTLINING),
        (2, rules.RUSHED),
        (3, rules.RUSHED),
        (3, rules.STRAIGHTLINING),
    ]
    assert list(result.columns) == rules.OUTPUT_COLUMNS


@pytest.mark.parametrize("rule", [timing.rushed, answers.straightlining])
def test_rules_on_empty_frame_return_empty_result(rule):
    df = frame({})
    kwargs = {"items": ITEMS} if rule is answers.straightlining else {}
    result = rule(df, **kwargs)
    assert result.empty
    assert list(result.columns) == rules.OUTPUT_COLUMNS


def test_run_rules_when_nothing_fires_is_empty():
    df = frame({1: (300, 4, "1", "2", "3", "4")})
    result = engine.run_rules(df, items=ITEMS)
    assert result.empty
    assert result.index.name == "interview_id"


def test_run_rules_compares_the_overall_item_with_its_dimension_only():
    items = ["safety_overall", "safety_night", "sat_a"]
    df = _df(
        {"safety_overall": ["5"], "safety_night": ["1"], "sat_a": ["5"]}
        | {"duration_seconds": [600.0], "n_answered": [3]},
        [1],
    )
    dimensions = {"safety_overall": "safety", "safety_night": "safety", "sat_a": "police"}
    scores = {x: SCORES5 for x in items}
    result = engine.run_rules(df, items=items, scores=scores, dimensions=dimensions)
    assert list(result["rule"]) == [rules.CONTRADICTION]
    assert engine.run_rules(df, items=items, scores=scores).empty  # no dimensions: not judged


def test_acquiescence_is_off_by_default_and_on_per_wave():
    items = [f"s{i}" for i in range(12)]
    df = _df(
        {x: ["4", "5"] for x in items} | {"duration_seconds": [600.0] * 2, "n_answered": [12] * 2},
        [1, 2],
    )
    scores = {x: SCORES5 for x in items}
    quiet = engine.run_rules(df, items=items, scores=scores, config=rules.RuleConfig())
    assert rules.ACQUIESCENCE not in set(quiet["rule"])
    on = rules.RuleConfig.from_mapping({"acquiescence_min_items": 12})
    loud = engine.run_rules(df, items=items, scores=scores, config=on)
    assert list(loud.loc[loud["rule"] == rules.ACQUIESCENCE].index) == [1, 2]


def test_run_rules_single_row_frame_does_not_fire_population_rules():
    df = _df(
        {
            "duration_seconds": [400.0],
            "n_answered": [12],
            "interviewer_id": [1],
            "started_at": pd.to_datetime([_utc(3)]),
            "completed_at": pd.to_datetime([_utc(3, 7)]),
        }
        | {x: ["3"] for x in ITEMS12},
        [1],
    )
    result = engine.run_rules(
        df, items=ITEMS12, config=rules.RuleConfig(rushed_relative_min_interviews=1)
    )
    assert list(result["rule"]) == [rules.STRAIGHTLINING]
    assert list(result.columns) == rules.OUTPUT_COLUMNS
    # Two copies of it by one interviewer, at the same time: the per-pair rules fire too,
    # except duplicate_answers: two straight-lined interviews agree without copying.
    pair = pd.concat([df, df.set_axis(pd.Index([2], name="interview_id"))])
    fired = engine.run_rules(pair, items=ITEMS12)
    assert list(fired.loc[1, "rule"]) == [rules.STRAIGHTLINING, rules.OVERLAPPING]
    # With varied answers the copy is one.
    varied = pair.assign(**{x: str(1 + j % 5) for j, x in enumerate(ITEMS12)})
    fired = engine.run_rules(varied, items=ITEMS12)
    assert list(fired.loc[1, "rule"]) == [rules.OVERLAPPING, rules.DUPLICATE_ANSWERS]
