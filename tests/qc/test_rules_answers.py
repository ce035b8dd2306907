"""The answer-pattern rules (fast items, acquiescence, contradiction, questionnaire checks,
duplicate contacts, short open answers) and RuleConfig.from_mapping, on literal frames
against naive loops."""

import json

import numpy as np
import pandas as pd
import pytest

from qc import rules

NAN = np.nan
SCORES5 = {"5": 100.0, "4": 80.0, "3": 60.0, "2": 40.0, "1": 0.0}


def _df(columns: dict, ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(ids, dtype="int64", name="interview_id"))


# fast_items ----------------------------------------------------------------------------------


def naive_fast_items(df, reading_chars, cps, min_items, max_share) -> dict[int, tuple]:
    fired = {}
    for interview_id, row in df.iterrows():
        timed = fast = 0
        for q, chars in reading_chars.items():
            seconds = row.get(f"{q}__seconds", NAN)
            if seconds == seconds:
                timed += 1
                fast += seconds < chars / cps
        if timed >= min_items and fast / timed > max_share:
            fired[interview_id] = (timed, fast)
    return fired


def test_fast_items_matches_naive_loop():
    rng = np.random.default_rng(5)
    chars = {f"q{i}": int(c) for i, c in enumerate(rng.integers(6, 40, 10))}
    seconds = rng.uniform(0.5, 8, (80, 10))
    seconds[rng.random((80, 10)) < 0.2] = NAN
    df = _df({f"q{i}__seconds": seconds[:, i] for i in range(10)}, list(range(1, 81)))
    for cps, least, share in [(6.0, 5, 0.5), (4.0, 3, 0.3), (6.0, 9, 0.0)]:
        result = rules.fast_items(
            df, reading_chars=chars, chars_per_second=cps, min_items=least, max_share=share
        )
        expected = naive_fast_items(df, chars, cps, least, share)
        assert expected and set(result.index) == set(expected)
        for interview_id, (timed, fast) in expected.items():
            details = json.loads(result.loc[interview_id, "details"])
            assert (details["n_timed"], details["n_fast"]) == (timed, fast)


def test_fast_items_edges_and_reason():
    # 12 characters at 6 per second need 2 s: 1.9 s is fast, 2.0 s is not.
    chars = {"a": 12, "b": 12, "c": 12, "d": 12}
    df = _df(
        {
            "a__seconds": [1.9, 2.0, 1.0, NAN],
            "b__seconds": [1.9, 2.0, 1.0, 1.0],
            "c__seconds": [1.9, 1.9, 5.0, 1.0],
            "d__seconds": [5.0, 1.9, 5.0, 1.0],
        },
        [1, 2, 3, 4],
    )
    result = rules.fast_items(df, reading_chars=chars, min_items=4, max_share=0.5)
    # 1: 3 of 4 fast (fires); 2: 2 of 4 (= 0.5, not above); 3: 2 of 4; 4: only 3 timed
    assert list(result.index) == [1]
    assert result.loc[1, "reason_en"] == (
        "3 of 4 timed questions took less time than reading them aloud (6 characters/s)"
    )
    assert json.loads(result.loc[1, "details"])["fast_questions"] == ["a", "b", "c"]
    assert result.loc[1, "severity"] == rules.MEDIUM


def test_fast_items_without_seconds_columns_returns_nothing():
    df = _df({"a": ["4"]}, [1])
    assert rules.fast_items(df, reading_chars={"a": 30}).empty


# acquiescence and contradiction --------------------------------------------------------------


def test_acquiescence_matches_naive_loop_and_ignores_dont_know():
    rng = np.random.default_rng(2)
    items = [f"s{i}" for i in range(8)]
    codes = rng.choice(["5", "4", "3", "9"], size=(100, 8), p=[0.4, 0.45, 0.1, 0.05])
    values = codes.astype(object)
    values[rng.random((100, 8)) < 0.1] = None
    df = _df({x: values[:, j] for j, x in enumerate(items)}, list(range(1, 101)))
    scores = {x: SCORES5 for x in items}
    for least, share in [(6, 1.0), (8, 1.0), (4, 0.8)]:
        result = rules.acquiescence(
            df, items=items, scores=scores, min_items=least, min_share=share
        )
        expected = set()
        for interview_id, row in df.iterrows():
            valid = [SCORES5[v] for v in row if v in SCORES5]  # "9" and None are not scored
            if len(valid) >= least and sum(s > 50 for s in valid) / len(valid) >= share:
                expected.add(interview_id)
        assert expected and set(result.index) == expected
    assert set(result["severity"]) == {rules.LOW}


def test_acquiescence_counts_a_middle_answer_as_positive_only_above_50():
    items = ["a", "b", "c"]
    scores = {x: {"3": 50.0, "4": 75.0} for x in items}
    df = _df({"a": ["4", "4"], "b": ["4", "3"], "c": ["4", "4"]}, [1, 2])
    result = rules.acquiescence(df, items=items, scores=scores, min_items=3)
    assert list(result.index) == [1]
    assert result.loc[1, "reason_en"] == (
        "3 of 3 scale items answered on the positive side (satisfied or safe)"
    )


def test_contradiction_fires_when_every_specific_item_is_on_the_other_side():
    scores = {x: SCORES5 for x in ("overall", "s1", "s2")}
    df = _df(
        {
            "overall": ["4", "5", "1", "5", "2", "5", "9"],
            "s1": ["1", "1", "4", "2", "1", None, "1"],
            "s2": ["2", "3", "4", None, "1", None, "1"],
        },
        [1, 2, 3, 4, 5, 6, 7],
    )
    result = rules.contradiction(
        df, overall_item="overall", specific_items=["overall", "s1", "s2"], scores=scores
    )
    # 1 safe overall (80), both specifics unsafe (0, 40); 2 has a middle answer (60); 3 the
    # reverse; 4 one specific answered (min 1); 5 all agree; 6 no specific answered; 7 overall
    # don't know
    assert list(result.index) == [1, 3, 4]
    assert result.loc[1, "reason_en"] == (
        "Overall rating overall is positive (80) but all 2 specific items of its dimension "
        "are negative (mean 20)"
    )
    two = rules.contradiction(
        df, overall_item="overall", specific_items=["s1", "s2"], scores=scores, min_items=2
    )
    assert list(two.index) == [1, 3]
    strict = rules.contradiction(
        df, overall_item="overall", specific_items=["s1", "s2"], scores=scores, high=90, low=40
    )
    assert list(strict.index) == [4]  # only 4 has a 100 against lows


def test_run_rules_compares_the_overall_item_with_its_dimension_only():
    items = ["safety_overall", "safety_night", "sat_a"]
    df = _df(
        {"safety_overall": ["5"], "safety_night": ["1"], "sat_a": ["5"]}
        | {"duration_seconds": [600.0], "n_answered": [3]},
        [1],
    )
    dimensions = {"safety_overall": "safety", "safety_night": "safety", "sat_a": "police"}
    scores = {x: SCORES5 for x in items}
    result = rules.run_rules(df, items=items, scores=scores, dimensions=dimensions)
    assert list(result["rule"]) == [rules.CONTRADICTION]
    assert rules.run_rules(df, items=items, scores=scores).empty  # no dimensions: not judged


# inconsistent --------------------------------------------------------------------------------


def test_inconsistent_lists_each_failed_check_with_its_message():
    failures = [
        [{"question": "night_rating", "zh": "从不夜间外出却评价夜间安全", "en": "rates night"}],
        [],
        NAN,
        [
            {"question": "crime_type", "zh": "未受侵害却填写了案件类型", "en": None},
            {"question": "x", "zh": None, "en": None},
        ],
    ]
    df = _df({"qc_check_failures": pd.Series(failures, dtype=object).to_numpy()}, [1, 2, 3, 4])
    result = rules.inconsistent(df)
    assert list(result.index) == [1, 4]
    assert result.loc[1, "reason"] == "逻辑检查未通过：night_rating（从不夜间外出却评价夜间安全）"
    assert result.loc[4, "reason_en"] == (
        "Consistency check failed: crime_type (未受侵害却填写了案件类型); x"
    )
    assert json.loads(result.loc[4, "details"]) == {"questions": ["crime_type", "x"]}


# duplicate_contact ---------------------------------------------------------------------------


def test_duplicate_contact_matches_naive_grouping_across_interviewers():
    rng = np.random.default_rng(4)
    phones = rng.choice(["h1", "h2", "h3", "h4", "h5", "h6", None], 60).astype(object)
    phones[rng.random(60) < 0.7] = None
    homes = rng.choice([f"a{i}" for i in range(40)], 60).astype(object)
    df = _df({"phone_key": phones, "household_key": homes}, list(range(1, 61)))
    result = rules.duplicate_contact(df)
    expected = {}
    for column, field in (("phone_key", "same_phone_as"), ("household_key", "same_household_as")):
        for i, key in df[column].items():
            others = [j for j, k in df[column].items() if j != i and key is not None and k == key]
            if others:
                expected.setdefault(i, {})[field] = others
    assert expected and set(result.index) == set(expected)
    for i, fields in expected.items():
        details = json.loads(result.loc[i, "details"])
        assert details["same_phone_as"] == fields.get("same_phone_as", [])
        assert details["same_household_as"] == fields.get("same_household_as", [])


def test_duplicate_contact_reason_never_shows_the_key():
    df = _df({"phone_key": ["k9f3", "k9f3", None]}, [1, 2, 3])
    result = rules.duplicate_contact(df)
    assert list(result.index) == [1, 2]
    assert result.loc[1, "reason"] == "与访问 #2 电话号码相同"
    assert result.loc[2, "reason_en"] == "Same phone number as interview(s) #1"
    assert not result["reason"].str.contains("k9f3").any()
    assert result.loc[1, "severity"] == rules.HIGH


# short_open_answers --------------------------------------------------------------------------


def test_short_open_answers_fires_when_every_open_answer_is_short():
    df = _df(
        {
            "suggestion": ["无", "多装路灯", "。", None, "  好 ", "ok"],
            "other": [None, "无", "", None, "？", None],
        },
        [1, 2, 3, 4, 5, 6],
    )
    result = rules.short_open_answers(df, open_items=["suggestion", "other"], min_chars=2)
    # 1 one char; 2 has a real answer; 3 only punctuation; 4 nothing; 5 both short; 6 two chars
    assert list(result.index) == [1, 3, 5]
    assert result.loc[5, "reason"] == "2 道开放题的回答都少于 2 个字：「好」、「？」"
    assert json.loads(result.loc[1, "details"])["answers"] == ["无"]
    assert list(rules.short_open_answers(df, open_items=["suggestion"], min_chars=3).index) == [
        1,
        3,
        5,
        6,
    ]


# RuleConfig.from_mapping ---------------------------------------------------------------------


def test_config_from_mapping_overrides_and_accepts_ints_for_floats():
    config = rules.RuleConfig.from_mapping({"floor_seconds": 90, "overall_item": "q1"})
    assert config.floor_seconds == 90.0 and isinstance(config.floor_seconds, float)
    assert config.overall_item == "q1"
    assert config.duplicate_alpha == rules.RuleConfig().duplicate_alpha
    assert rules.RuleConfig(**{"chars_per_second": 4.0}).chars_per_second == 4.0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"duplicate_share": 0.9}, "wave 3: unknown setting 'duplicate_share'"),
        ({"floor_seconds": "60"}, "'floor_seconds' must be float"),
        ({"straightlining_min_items": 8.5}, "'straightlining_min_items' must be int"),
        ({"straightlining_min_items": True}, "must be int"),
        ({"fast_items_max_share": 1.5}, "'fast_items_max_share' must be between 0 and 1"),
        ({"chars_per_second": -1}, "must not be negative"),
        ({"working_hours_end": "9pm"}, "'working_hours_end' must be a time"),
        ({"timezone": "Mars/Base"}, "unknown zone 'Mars/Base'"),
    ],
)
def test_config_from_mapping_refuses_bad_values(values, message):
    with pytest.raises(ValueError, match=message):
        rules.RuleConfig.from_mapping(values, source="wave 3")


def test_acquiescence_is_off_by_default_and_on_per_wave():
    items = [f"s{i}" for i in range(12)]
    df = _df(
        {x: ["4", "5"] for x in items} | {"duration_seconds": [600.0] * 2, "n_answered": [12] * 2},
        [1, 2],
    )
    scores = {x: SCORES5 for x in items}
    quiet = rules.run_rules(df, items=items, scores=scores, config=rules.RuleConfig())
    assert rules.ACQUIESCENCE not in set(quiet["rule"])
    on = rules.RuleConfig.from_mapping({"acquiescence_min_items": 12})
    loud = rules.run_rules(df, items=items, scores=scores, config=on)
    assert list(loud.loc[loud["rule"] == rules.ACQUIESCENCE].index) == [1, 2]
