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


def test_locality_mismatch_names_the_streets_when_the_frame_has_their_names():
    df = _df(
        {
            "sampled_locality": ["S01", "S01"],
            "said_locality": ["S02", "S03"],
            "sampled_locality_name": ["东湖街道", "东湖街道"],
            "said_locality_name": ["西园街道", None],  # a name unknown: its code
        },
        [1, 2],
    )
    result = consistency.locality_mismatch(df)
    assert result.loc[1, "reason"] == "受访者所述街道「西园街道」与抽样街道「东湖街道」不一致"
    assert result.loc[1, "reason_en"] == (
        "Respondent named street 西园街道; the sampled street is 东湖街道"
    )
    assert "S03" in result.loc[2, "reason"]
    assert json.loads(result.loc[1, "details"])["said_locality"] == "S02"  # codes kept
