"""qc.risk.curbstoning: the indicators of made-up answers, against counts by hand, and the
interviewer risk they feed."""

import numpy as np
import pandas as pd
import pytest

from qc.risk import curbstoning
from qc.risk.statistics import interviewer_risk
from qc.rules import RuleConfig

ITEMS = ["a", "b", "c", "d"]
SCORES = {item: {"1": 0.0, "2": 25.0, "3": 50.0, "4": 75.0, "5": 100.0} for item in ITEMS}


def test_per_interview_shares_match_counts_by_hand():
    df = pd.DataFrame(
        {
            "a": ["1", "3", "9", None],
            "b": ["5", "4", "9", "3"],
            "c": ["3", "4", "2", "3"],
            "d": ["9", "4", "5", "3"],
            "other_answers": [1, 0, 0, 0],
            "other_asked": [2, 2, 0, 1],
            "numbers_rounded": [1, 2, 0, 0],
            "numbers_given": [2, 2, 0, 3],
        },
        index=pd.Index([1, 2, 3, 4], name="interview_id"),
    )
    values = curbstoning.per_interview(df, ITEMS, SCORES, None)
    # extreme: 1 and 5 among the scored answers; "9" is not scored (don't know)
    np.testing.assert_allclose(values["extreme"], [2 / 3, 0 / 4, 1 / 2, 0 / 3])
    np.testing.assert_allclose(values["nonresponse"], [1 / 4, 0 / 4, 2 / 4, 0 / 3])
    np.testing.assert_allclose(values["other"], [0.5, 0.0, np.nan, 0.0])
    np.testing.assert_allclose(values["rounding"], [0.5, 1.0, np.nan, 0.0])
    # without scores, non-response from the excluded codes
    by_codes = curbstoning.per_interview(df, ITEMS, None, {"9"})
    np.testing.assert_allclose(by_codes["nonresponse"], values["nonresponse"])
    assert "extreme" not in by_codes and by_codes["_scores"] is None


def test_interviewer_variance_is_the_mean_item_variance_across_interviews():
    matrix = np.array([[0, 50], [100, 50], [50, np.nan], [25, 75], [25, 25]], dtype=float)
    who = np.array([0, 0, 0, 1, 1])
    found = curbstoning.interviewer_variance(matrix, who, 2)
    assert found[0] == np.mean([np.var([0, 100, 50], ddof=1), np.var([50, 50], ddof=1)])
    assert found[1] == np.mean([0.0, np.var([75, 25], ddof=1)])


def test_a_too_regular_interviewer_ranks_first_with_the_curbstoning_reasons():
    rng = np.random.default_rng(4)
    rows = []
    for who in range(1, 13):
        for _ in range(40):
            if who == 5:  # always 3 or 4, never don't know, never other, numbers rounded
                answers = rng.choice(["3", "4"], len(ITEMS))
                other, number = 0, int(rng.choice([10, 20, 30]))
            else:
                answers = rng.choice(["1", "2", "3", "4", "5", "9"], len(ITEMS))
                other, number = int(rng.random() < 0.2), int(rng.integers(1, 40))
            rows.append(
                dict(zip(ITEMS, answers, strict=True))
                | {
                    "interviewer_id": who,
                    "duration_seconds": float(rng.normal(600, 60)),
                    "other_answers": other,
                    "other_asked": 1,
                    "numbers_rounded": int(number % 5 == 0),
                    "numbers_given": 1,
                }
            )
    df = pd.DataFrame(rows, index=pd.Index(range(1, len(rows) + 1), name="interview_id"))
    flags = pd.DataFrame(columns=["rule", "severity", "reason"])
    risk = interviewer_risk(df, flags, items=ITEMS, scores=SCORES, config=RuleConfig())
    assert risk.index[0] == 5
    reasons = risk.loc[5, "reasons_en"]
    for said in ("extreme answers 0%", "'other' answers 0%", "numbers rounded to 5 100%"):
        assert said in reasons
    assert "answers vary little between interviews" in reasons
    assert risk.loc[5, "nonresponse_share"] == 0.0
    for column in ("extreme_z", "other_z", "nonresponse_z", "variance_z"):
        assert risk[column].idxmin() == 5, column  # the most suspicious: lowest
    assert risk["rounding_z"].idxmax() == 5


def test_an_interviewer_whose_recordings_hold_no_speech_ranks_first_with_that_reason():
    rng = np.random.default_rng(9)
    rows = []
    for who in range(1, 11):
        for k in range(30):
            speech = rng.uniform(0.0, 0.04) if who == 3 else rng.normal(0.55, 0.1)
            rows.append(
                {
                    "interviewer_id": who,
                    "duration_seconds": float(rng.normal(600, 60)),
                    "speech_share": np.nan if k == 0 else speech,  # one not recorded each
                }
            )
    df = pd.DataFrame(rows, index=pd.Index(range(1, len(rows) + 1), name="interview_id"))
    high = df.index[(df["interviewer_id"] == 3).to_numpy()][1:]  # no_speech flags
    flags = pd.DataFrame(
        {"rule": "no_speech", "severity": "high", "reason": "x"},
        index=pd.Index(high, name="interview_id"),
    )
    risk = interviewer_risk(df, flags, items=[], config=RuleConfig())
    assert risk.index[0] == 3
    expected = df[df["interviewer_id"] == 3]["speech_share"].mean()
    assert risk.loc[3, "speech_share"] == pytest.approx(expected, rel=1e-12)  # recorded ones
    assert "speech in 2% of recordings" in risk.loc[3, "reasons_en"]
    assert risk.loc[3, "high_rate"] == 29 / 30
    assert "interviews with a high-severity flag 97%" in risk.loc[3, "reasons_en"]
