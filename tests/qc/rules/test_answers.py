"""qc.rules.answers (straightlining, item_nonresponse, acquiescence, short_open_answers) on
small literal frames, checked against naive loops."""

import json
from collections import Counter

import numpy as np
import pandas as pd

from qc import rules
from qc.rules import answers

ITEMS = ["a", "b", "c", "d"]


NAN = np.nan


def frame(rows: dict[int, tuple]) -> pd.DataFrame:
    """{id: (duration, n_answered, a, b, c, d)} -> the rules' input frame."""
    df = pd.DataFrame.from_dict(
        rows, orient="index", columns=["duration_seconds", "n_answered", *ITEMS]
    )
    df.index.name = "interview_id"
    return df.astype({"duration_seconds": "float64", "n_answered": "int64"})


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


SCORES5 = {"5": 100.0, "4": 80.0, "3": 60.0, "2": 40.0, "1": 0.0}


def _df(columns: dict, ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(ids, dtype="int64", name="interview_id"))


ITEMS12 = [f"q{i}" for i in range(12)]


def naive_item_nonresponse(df, items, excluded, max_share, min_items) -> dict[int, tuple]:
    fired = {}
    for interview_id, row in df.iterrows():
        answered = [row[i] for i in items if isinstance(row[i], str)]
        dk = [code for code in answered if code in excluded]
        if len(answered) >= min_items and len(dk) / len(answered) > max_share:
            fired[interview_id] = (len(answered), len(dk))
    return fired


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
    result = answers.straightlining(
        df, items=ITEMS, excluded_codes={"9"}, min_items=3, max_share=0.9
    )
    expected = naive_straightlining(df, ITEMS, {"9"}, 3, 0.9)
    assert set(result.index) == set(expected) == {1, 2}
    assert result.loc[2, "reason_en"] == "3 of 3 scale items answered '4'"


def test_straightlining_share_threshold_is_inclusive():
    df = frame({1: (300, 4, "4", "4", "4", "3"), 2: (300, 4, "4", "4", "3", "3")})
    result = answers.straightlining(df, items=ITEMS, min_items=4, max_share=0.75)
    assert set(result.index) == set(naive_straightlining(df, ITEMS, set(), 4, 0.75)) == {1}


def test_straightlining_excluded_codes_per_item_apply_only_to_their_item():
    # "9" is don't know for a and b only; for c and d it is a real answer (a 1-10 scale)
    df = frame({1: (300, 4, "9", "9", "9", "9"), 2: (300, 4, "4", "9", "4", "4")})
    excluded = {"a": {"9"}, "b": {"9"}, "c": set(), "d": set()}
    result = answers.straightlining(
        df, items=ITEMS, excluded_codes=excluded, min_items=3, max_share=0.9
    )
    assert set(result.index) == {2}
    assert result.loc[2, "reason_en"] == "3 of 3 scale items answered '4'"
    result = answers.straightlining(
        df, items=ITEMS, excluded_codes=excluded, min_items=2, max_share=0.9
    )
    assert set(result.index) == {1, 2}
    assert result.loc[1, "reason_en"] == "2 of 2 scale items answered '9'"


def test_straightlining_reason_names_the_answer_label():
    df = frame({1: (300, 4, "4", "4", "4", "4")})
    labels = {"4": {"zh": "满意", "en": "Satisfied"}}
    result = answers.straightlining(df, items=ITEMS, min_items=4, code_labels=labels)
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
    result = answers.straightlining(
        df, items=items, excluded_codes={"9"}, min_items=8, max_share=0.8
    )
    expected = naive_straightlining(df, items, {"9"}, 8, 0.8)
    assert len(expected) > 10  # the frame exercises the rule
    assert set(result.index) == set(expected)
    for interview_id, (code, n, total) in expected.items():
        assert result.loc[interview_id, "reason_en"] == (
            f"{n} of {total} scale items answered '{code}'"
        )


def test_straightlining_per_battery_fires_when_the_whole_questionnaire_does_not():
    # 8 identical satisfaction answers, 2 different safety answers: 8 of 10 overall (< 0.9)
    items = [f"sat{i}" for i in range(8)] + ["safe1", "safe2"]
    df = pd.DataFrame(
        {x: ["4", "4"] for x in items[:8]} | {"safe1": ["1", "4"], "safe2": ["2", "4"]},
        index=pd.Index([1, 2], name="interview_id"),
    )
    batteries = {"satisfaction": items[:8], "safety": ["safe1", "safe2"]}
    assert answers.straightlining(df, items=items, min_items=8).index.tolist() == [2]
    result = answers.straightlining(df, items=items, min_items=8, batteries=batteries)
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
    result = answers.straightlining(
        df, items=items, excluded_codes={"9"}, min_items=5, max_share=0.8, batteries=batteries
    )
    expected = set(naive_straightlining(df, items, {"9"}, 5, 0.8))
    for members in batteries.values():
        expected |= set(naive_straightlining(df, members, {"9"}, 5, 0.8))
    assert len(expected) > 10 and set(result.index) == expected


def test_acquiescence_matches_naive_loop_and_ignores_dont_know():
    rng = np.random.default_rng(2)
    items = [f"s{i}" for i in range(8)]
    codes = rng.choice(["5", "4", "3", "9"], size=(100, 8), p=[0.4, 0.45, 0.1, 0.05])
    values = codes.astype(object)
    values[rng.random((100, 8)) < 0.1] = None
    df = _df({x: values[:, j] for j, x in enumerate(items)}, list(range(1, 101)))
    scores = {x: SCORES5 for x in items}
    for least, share in [(6, 1.0), (8, 1.0), (4, 0.8)]:
        result = answers.acquiescence(
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
    result = answers.acquiescence(df, items=items, scores=scores, min_items=3)
    assert list(result.index) == [1]
    assert result.loc[1, "reason_en"] == (
        "3 of 3 scale items answered on the positive side (satisfied or safe)"
    )


def test_short_open_answers_fires_when_every_open_answer_is_short():
    df = _df(
        {
            "suggestion": ["无", "多装路灯", "。", None, "  好 ", "ok"],
            "other": [None, "无", "", None, "？", None],
        },
        [1, 2, 3, 4, 5, 6],
    )
    result = answers.short_open_answers(df, open_items=["suggestion", "other"], min_chars=2)
    # 1 one char; 2 has a real answer; 3 only punctuation; 4 nothing; 5 both short; 6 two chars
    assert list(result.index) == [1, 3, 5]
    assert result.loc[5, "reason"] == "2 道开放题的回答都少于 2 个字：「好」、「？」"
    assert json.loads(result.loc[1, "details"])["answers"] == ["无"]
    assert list(answers.short_open_answers(df, open_items=["suggestion"], min_chars=3).index) == [
        1,
        3,
        5,
        6,
    ]


def test_item_nonresponse_matches_naive_loop():
    rng = np.random.default_rng(5)
    codes = np.array(["1", "2", "3", "8", "9", None], dtype=object)
    values = codes[rng.integers(0, 6, size=(200, len(ITEMS12)))]
    df = _df({item: values[:, j] for j, item in enumerate(ITEMS12)}, list(range(1, 201)))
    for share, least in [(0.5, 5), (0.3, 8), (0.0, 1)]:
        result = answers.item_nonresponse(
            df, items=ITEMS12, excluded_codes={"8", "9"}, max_share=share, min_items=least
        )
        expected = naive_item_nonresponse(df, ITEMS12, {"8", "9"}, share, least)
        assert set(result.index) == set(expected)
        for interview_id, (answered, dk) in expected.items():
            details = json.loads(result.loc[interview_id, "details"])
            assert (details["n_items"], details["n_dont_know"]) == (answered, dk)


def test_item_nonresponse_fires_above_the_share_not_at_it():
    half = ["9"] * 5 + ["1"] * 5 + [None, None]
    more = ["9"] * 6 + ["1"] * 4 + [None, None]
    df = _df({item: [half[j], more[j]] for j, item in enumerate(ITEMS12)}, [1, 2])
    result = answers.item_nonresponse(df, items=ITEMS12, excluded_codes={"9"})
    assert list(result.index) == [2]
    assert "6 of 10" in result.loc[2, "reason_en"]
    # Per-item excluded codes: "9" is a real answer for every item but q0.
    per_item = {item: ({"9"} if item == "q0" else set()) for item in ITEMS12}
    assert answers.item_nonresponse(df, items=ITEMS12, excluded_codes=per_item).empty
