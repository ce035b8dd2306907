"""qc.rules on small literal frames, checked against naive loops."""

import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from qc import rules

NAN = np.nan
ITEMS = ["a", "b", "c", "d"]


def frame(rows: dict[int, tuple]) -> pd.DataFrame:
    """{id: (duration, n_answered, a, b, c, d)} -> the rules' input frame."""
    df = pd.DataFrame.from_dict(
        rows, orient="index", columns=["duration_seconds", "n_answered", *ITEMS]
    )
    df.index.name = "interview_id"
    return df.astype({"duration_seconds": "float64", "n_answered": "int64"})


def naive_rushed(df, seconds_per_item, floor_seconds) -> set[int]:
    fired = set()
    for interview_id, row in df.iterrows():
        duration = row["duration_seconds"]
        if duration == duration and duration < max(
            floor_seconds, row["n_answered"] * seconds_per_item
        ):
            fired.add(interview_id)
    return fired


def naive_straightlining(df, items, excluded, min_items, max_share) -> dict[int, tuple]:
    """id -> (code, count, n_valid) for the interviews that fire."""
    fired = {}
    for interview_id, row in df.iterrows():
        valid = [row[item] for item in items if isinstance(row[item], str)]
        valid = [code for code in valid if code not in excluded]
        if len(valid) < min_items:
            continue
        code, n = sorted(Counter(valid).items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if n / len(valid) >= max_share:
            fired[interview_id] = (code, n, len(valid))
    return fired


def test_rushed_threshold_edges_match_naive_loop():
    # Given floor 60 s and 3 s per item: 10 answered -> 60 s, 30 answered -> 90 s expected
    df = frame(
        {
            1: (59, 10, "5", "5", "5", "5"),  # just under the floor: fires
            2: (60, 10, "5", "5", "5", "5"),  # exactly the floor: does not fire
            3: (89.5, 30, NAN, NAN, NAN, NAN),  # under n × 3 s: fires
            4: (90, 30, NAN, NAN, NAN, NAN),  # exactly n × 3 s: does not fire
            5: (NAN, 30, NAN, NAN, NAN, NAN),  # unknown duration: does not fire
            6: (0, 0, NAN, NAN, NAN, NAN),  # nothing answered, 0 s: under the floor
        }
    )
    # When
    result = rules.rushed(df, seconds_per_item=3.0, floor_seconds=60)
    # Then
    assert set(result.index) == naive_rushed(df, 3.0, 60) == {1, 3, 6}
    assert (result["rule"] == rules.RUSHED).all()


def test_rushed_reason_states_duration_and_expectation():
    df = frame({7: (95, 42, NAN, NAN, NAN, NAN)})
    result = rules.rushed(df)
    assert result.loc[7, "reason_en"] == (
        "Interview took 95 s for 42 answered questions; at least 126 s expected"
    )
    assert result.loc[7, "reason"] == "访问用时 95 秒，已答 42 题，应至少 126 秒"


def test_rushed_reason_never_shows_equal_numbers_for_fractions():
    # 125.6 s against 125.7 s expected must not read "125 s ... at least 125 s"
    df = frame({1: (125.6, 1, NAN, NAN, NAN, NAN)})
    result = rules.rushed(df, seconds_per_item=125.7, floor_seconds=0)
    assert "took 125 s" in result.loc[1, "reason_en"]
    assert "at least 126 s" in result.loc[1, "reason_en"]


def test_straightlining_excludes_dont_know_and_counts_min_items():
    df = frame(
        {
            1: (300, 4, "4", "4", "4", "4"),  # 4 of 4 the same: fires
            2: (300, 4, "4", "4", "4", "9"),  # don't know excluded: 3 of 3, fires at min 3
            3: (300, 4, "4", "4", "9", "9"),  # only 2 valid: below min_items
            4: (300, 4, "4", "4", "4", "3"),  # 3 of 4 = 0.75 < 0.9
            5: (300, 2, "4", NAN, "4", NAN),  # 2 answered: below min_items
            6: (300, 0, NAN, NAN, NAN, NAN),  # nothing answered
        }
    )
    result = rules.straightlining(df, items=ITEMS, excluded_codes={"9"}, min_items=3, max_share=0.9)
    expected = naive_straightlining(df, ITEMS, {"9"}, 3, 0.9)
    assert set(result.index) == set(expected) == {1, 2}
    assert result.loc[2, "reason_en"] == "3 of 3 scale items answered '4'"


def test_straightlining_share_threshold_is_inclusive():
    df = frame({1: (300, 4, "4", "4", "4", "3"), 2: (300, 4, "4", "4", "3", "3")})
    result = rules.straightlining(df, items=ITEMS, min_items=4, max_share=0.75)
    assert set(result.index) == set(naive_straightlining(df, ITEMS, set(), 4, 0.75)) == {1}


def test_straightlining_excluded_codes_per_item_apply_only_to_their_item():
    # "9" is don't know for a and b only; for c and d it is a real answer (a 1-10 scale)
    df = frame({1: (300, 4, "9", "9", "9", "9"), 2: (300, 4, "4", "9", "4", "4")})
    excluded = {"a": {"9"}, "b": {"9"}, "c": set(), "d": set()}
    result = rules.straightlining(
        df, items=ITEMS, excluded_codes=excluded, min_items=3, max_share=0.9
    )
    assert set(result.index) == {2}
    assert result.loc[2, "reason_en"] == "3 of 3 scale items answered '4'"
    result = rules.straightlining(
        df, items=ITEMS, excluded_codes=excluded, min_items=2, max_share=0.9
    )
    assert set(result.index) == {1, 2}
    assert result.loc[1, "reason_en"] == "2 of 2 scale items answered '9'"


def test_straightlining_reason_names_the_answer_label():
    df = frame({1: (300, 4, "4", "4", "4", "4")})
    labels = {"4": {"zh": "满意", "en": "Satisfied"}}
    result = rules.straightlining(df, items=ITEMS, min_items=4, code_labels=labels)
    assert result.loc[1, "reason"] == "4 项量表题中 4 项回答「满意」"
    assert result.loc[1, "reason_en"] == "4 of 4 scale items answered 'Satisfied'"


def test_straightlining_random_frame_matches_naive_loop():
    rng = np.random.default_rng(7)
    items = [f"q{i}" for i in range(12)]
    codes = np.array(["1", "2", "3", "4", "5", "9"], dtype=object)
    values = rng.choice(codes, size=(300, 12), p=[0.05, 0.05, 0.05, 0.7, 0.05, 0.1])
    values[rng.random((300, 12)) < 0.1] = NAN
    df = pd.DataFrame(values, columns=items, index=pd.RangeIndex(1, 301, name="interview_id"))
    df["duration_seconds"] = 300.0
    df["n_answered"] = 12
    result = rules.straightlining(df, items=items, excluded_codes={"9"}, min_items=8, max_share=0.8)
    expected = naive_straightlining(df, items, {"9"}, 8, 0.8)
    assert len(expected) > 10  # the frame exercises the rule
    assert set(result.index) == set(expected)
    for interview_id, (code, n, total) in expected.items():
        assert result.loc[interview_id, "reason_en"] == (
            f"{n} of {total} scale items answered '{code}'"
        )


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
    result = rules.run_rules(df, items=ITEMS, excluded_codes={"9"}, config=config)
    assert list(zip(result.index, result["rule"], strict=True)) == [
        (1, rules.STRAIGHTLINING),
        (2, rules.RUSHED),
        (3, rules.RUSHED),
        (3, rules.STRAIGHTLINING),
    ]
    assert list(result.columns) == rules.OUTPUT_COLUMNS


@pytest.mark.parametrize("rule", [rules.rushed, rules.straightlining])
def test_rules_on_empty_frame_return_empty_result(rule):
    df = frame({})
    kwargs = {"items": ITEMS} if rule is rules.straightlining else {}
    result = rule(df, **kwargs)
    assert result.empty
    assert list(result.columns) == rules.OUTPUT_COLUMNS


def test_run_rules_when_nothing_fires_is_empty():
    df = frame({1: (300, 4, "1", "2", "3", "4")})
    result = rules.run_rules(df, items=ITEMS)
    assert result.empty
    assert result.index.name == "interview_id"


def test_straightlining_per_battery_fires_when_the_whole_questionnaire_does_not():
    # 8 identical satisfaction answers, 2 different safety answers: 8 of 10 overall (< 0.9)
    items = [f"sat{i}" for i in range(8)] + ["safe1", "safe2"]
    df = pd.DataFrame(
        {x: ["4", "4"] for x in items[:8]} | {"safe1": ["1", "4"], "safe2": ["2", "4"]},
        index=pd.Index([1, 2], name="interview_id"),
    )
    batteries = {"satisfaction": items[:8], "safety": ["safe1", "safe2"]}
    assert rules.straightlining(df, items=items, min_items=8).index.tolist() == [2]
    result = rules.straightlining(df, items=items, min_items=8, batteries=batteries)
    assert result.index.tolist() == [1, 2]
    assert result.loc[1, "reason_en"] == "8 of 8 scale items in satisfaction answered '4'"
    assert result.loc[1, "reason"] == "satisfaction 组 8 项量表题中 8 项回答「4」"
    # Interview 2 is straight-lined throughout: the larger set is named, without a battery.
    assert result.loc[2, "reason_en"] == "10 of 10 scale items answered '4'"
    assert "battery" not in json.loads(result.loc[2, "details"])


def test_straightlining_per_battery_matches_naive_loop():
    rng = np.random.default_rng(9)
    items = [f"q{i}" for i in range(12)]
    batteries = {"a": items[:6], "b": items[6:]}
    values = rng.choice(
        ["1", "2", "3", "4", "5", "9"], size=(200, 12), p=[0.05] * 3 + [0.7, 0.05, 0.1]
    )
    values = values.astype(object)
    df = pd.DataFrame(values, columns=items, index=pd.RangeIndex(1, 201, name="interview_id"))
    result = rules.straightlining(
        df, items=items, excluded_codes={"9"}, min_items=5, max_share=0.8, batteries=batteries
    )
    expected = set(naive_straightlining(df, items, {"9"}, 5, 0.8))
    for members in batteries.values():
        expected |= set(naive_straightlining(df, members, {"9"}, 5, 0.8))
    assert len(expected) > 10 and set(result.index) == expected
