"""qc.rules.consistency (contradiction, inconsistent, locality_mismatch) on small literal
frames."""

import json

import numpy as np
import pandas as pd

from qc.rules import consistency

SCORES5 = {"5": 100.0, "4": 80.0, "3": 60.0, "2": 40.0, "1": 0.0}


def _df(columns: dict, ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(ids, dtype="int64", name="interview_id"))


NAN = np.nan


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
    result = consistency.contradiction(
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
    two = consistency.contradiction(
        df, overall_item="overall", specific_items=["s1", "s2"], scores=scores, min_items=2
    )
    assert list(two.index) == [1, 3]
    strict = consistency.contradiction(
        df, overall_item="overall", specific_items=["s1", "s2"], scores=scores, high=90, low=40
    )
    assert list(strict.index) == [4]  # only 4 has a 100 against lows


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
    result = consistency.inconsistent(df)
    assert list(result.index) == [1, 4]
    assert result.loc[1, "reason"] == "逻辑检查未通过：night_rating（从不夜间外出却评价夜间安全）"
    assert result.loc[4, "reason_en"] == (
        "Consistency check failed: crime_type (未受侵害却填写了案件类型); x"
    )
    assert json.loads(result.loc[4, "details"]) == {"questions": ["crime_type", "x"]}


def test_locality_mismatch_fires_only_when_both_known_and_different():
    df = _df(
        {
            "sampled_locality": pd.Series(["A", "A", None, "B"], dtype="str").to_numpy(),
            "said_locality": pd.Series(["A", "B", "B", None], dtype="str").to_numpy(),
        },
        [1, 2, 3, 4],
    )
    result = consistency.locality_mismatch(df)
    assert list(result.index) == [2]
    assert json.loads(result.loc[2, "details"]) == {
        "said_locality": "B",
        "sampled_locality": "A",
    }
    assert result.loc[2, "reason_en"] == "Respondent named street B; the sampled street is A"


def test_locality_mismatch_names_the_streets_where_their_names_are_known():
    df = _df(
        {
            "sampled_locality": ["430602001", "430602001"],
            "said_locality": ["430602002", "430602003"],
            "sampled_locality_name": ["城南街道", "城南街道"],
            "said_locality_name": ["城北街道", None],  # a name unknown: its code stands
        },
        [1, 2],
    )
    result = consistency.locality_mismatch(df)
    assert result.loc[1, "reason"] == "受访者所述街道“城北街道”与抽样街道“城南街道”不一致"
    assert result.loc[1, "reason_en"] == (
        "Respondent named street 城北街道; the sampled street is 城南街道"
    )
    assert json.loads(result.loc[1, "details"]) == {
        "said_locality": "430602002",
        "sampled_locality": "430602001",
        "said_locality_name": "城北街道",
        "sampled_locality_name": "城南街道",
    }
    assert "430602003" in result.loc[2, "reason_en"] and "城南街道" in result.loc[2, "reason_en"]


# respondent_mismatch: the interview's respondent against the household member selected.


def _respondents(rows: list[tuple]) -> pd.DataFrame:
    return _df(
        {
            "selected_sex": [r[0] for r in rows],
            "selected_age": [r[1] for r in rows],
            "said_sex": [r[2] for r in rows],
            "said_age": [r[3] for r in rows],
        },
        list(range(1, len(rows) + 1)),
    )


def test_respondent_mismatch_fires_on_another_sex_or_an_age_beyond_the_tolerance():
    df = _respondents(
        [
            ("F", 49.0, "M", 45.0),  # 1 the case: a man of 45 for a woman of 49
            ("F", 49.0, "F", 47.0),  # 2 two years: within the tolerance
            ("F", 49.0, "F", 46.0),  # 3 three years: beyond
            ("M", 30.0, None, NAN),  # 4 not answered: nothing to compare
            (None, NAN, "M", 30.0),  # 5 no selection (by phone): nothing to compare
            ("M", 30.0, "M", NAN),  # 6 the same sex, no age
            ("M", 30.0, "F", NAN),  # 7 another sex, no age
        ]
    )
    result = consistency.respondent_mismatch(df, age_tolerance=2)
    assert list(result.index) == [1, 3, 7]
    assert set(result["rule"]) == {"respondent_mismatch"} and set(result["severity"]) == {"high"}
    assert result.loc[1, "reason_en"] == (
        "Respondent is not the household member selected (female, 49): sex recorded as male; "
        "age recorded as 45 (ages may differ by 2 years)"
    )
    assert result.loc[1, "reason"] == (
        "受访者与入户抽选的成员（女，49 岁）不符：性别记录为男，年龄记录为 45 岁"
        "（年龄允许相差 2 岁）"
    )
    assert json.loads(result.loc[3, "details"]) == {
        "selected_sex": "F",
        "selected_age": 49.0,
        "said_sex": "F",
        "said_age": 46.0,
        "age_tolerance": 2,
    }
    # a wider tolerance lets interview 3 pass
    assert list(consistency.respondent_mismatch(df, age_tolerance=3).index) == [1, 7]


def test_respondent_mismatch_agrees_with_the_interview_warning_on_random_interviews():
    # The rule (vectorised) and sampling.household.differences (one interview, what the
    # interviewer is warned with) are two implementations of one comparison.
    from sampling.household import Adult, differences

    rng = np.random.default_rng(18)
    n = 400
    rows = [
        (
            rng.choice(["M", "F"]),
            float(rng.integers(16, 90)),
            rng.choice(["M", "F", None]),
            float(rng.integers(14, 92)) if rng.random() < 0.9 else NAN,
        )
        for _ in range(n)
    ]
    # ages close to the selected one, so the tolerance's edge is crossed often
    rows = [(s, a, t, a + rng.integers(-4, 5) if b == b else b) for s, a, t, b in rows]
    fired = set(consistency.respondent_mismatch(_respondents(rows), age_tolerance=2).index)
    expected = {
        i
        for i, (s, a, t, b) in enumerate(rows, start=1)
        if differences(Adult("x", s, int(a)), sex=t, age=None if b != b else int(b), tolerance=2)
    }
    assert fired == expected and 0 < len(expected) < n


def test_respondent_mismatch_needs_its_columns():
    assert consistency.respondent_mismatch(_df({"said_sex": ["M"]}, [1])).empty
