"""qc.rules.similar (candidate pairs by locality-sensitive hashing), qc.rules.duplicates'
duplicate_across and qc.rules.speech, checked against brute-force comparisons."""

import json

import numpy as np
import pandas as pd

from qc import rules
from qc.rules import duplicates, similar
from qc.rules.speech import no_speech

ITEMS = [f"q{i:02d}" for i in range(30)]


def _frame(values: np.ndarray, who, place=None) -> pd.DataFrame:
    columns = {"interviewer_id": who} | {x: values[:, j] for j, x in enumerate(ITEMS)}
    if place is not None:
        columns["sampled_locality"] = place
    return pd.DataFrame(columns, index=pd.Index(range(1, len(values) + 1), name="interview_id"))


def _honest(rng, n) -> np.ndarray:
    latent = rng.normal(3.6, 0.7, n)[:, None]
    value = np.clip(np.rint(latent + rng.normal(0, 0.9, (n, len(ITEMS)))), 1, 5).astype(int)
    return value.astype(str).astype(object)


def _copy(rng, values, targets, sources, changed=2):
    for t, s in zip(targets, sources, strict=True):
        values[t] = values[s]
        for j in rng.choice(len(ITEMS), changed, replace=False):
            values[t, j] = str(1 + (int(values[t, j]) % 5))  # surely another code


def _brute_force_pairs(values: np.ndarray, groups: np.ndarray, min_share: float) -> set:
    """Every pair of the same group agreeing on at least min_share of the items, by a full
    comparison matrix (one row against all)."""
    found = set()
    for i in range(len(values)):
        same = (values[i + 1 :] == values[i]).sum(axis=1)
        for j in np.flatnonzero((same >= min_share * len(ITEMS)) & (groups[i + 1 :] == groups[i])):
            found.add((i, i + 1 + int(j)))
    return found


def test_candidates_find_every_near_copy_in_a_large_group_without_comparing_all_pairs():
    rng = np.random.default_rng(3)
    values = _honest(rng, 1500)
    targets = rng.choice(1500, 60, replace=False)
    sources = rng.choice(np.setdiff1d(np.arange(1500), targets), 60, replace=False)
    _copy(rng, values, targets, sources)
    df = _frame(values, np.ones(1500, dtype=int))
    coded = similar.coded_answers(df, ITEMS, None)
    groups = np.zeros(1500, dtype="int64")
    pairs = similar.candidate_pairs(coded, groups, min_share=0.85)
    uniform = {i for i, row in enumerate(values) if pd.Series(row).value_counts().iloc[0] >= 27}
    assert 0 < len(uniform) == coded.uniform.sum()  # one answer in 90%: left to straight-lining
    truth = {p for p in _brute_force_pairs(values, groups, 0.85) if not uniform & set(p)}
    assert len(truth) >= 60
    assert truth <= {tuple(p) for p in pairs.tolist()}
    assert len(pairs) < 0.01 * 1500 * 1499 / 2  # a small share of the 1.1 million pairs


def test_duplicate_answers_in_a_large_group_fires_on_the_copies_only():
    rng = np.random.default_rng(5)
    values = _honest(rng, 800)
    targets, sources = np.arange(0, 40), np.arange(400, 440)
    _copy(rng, values, targets, sources)
    df = _frame(values, np.ones(800, dtype=int))
    fired = duplicates.duplicate_answers(df, items=ITEMS)
    assert set(fired.index) == {int(i) + 1 for i in np.r_[targets, sources]}
    details = json.loads(fired.loc[1, "details"])
    assert details["other_interview"] == 401 and details["n_identical"] == 28


def test_duplicate_across_fires_between_interviewers_sharing_a_locality_only():
    rng = np.random.default_rng(8)
    n = 400
    values = _honest(rng, n)
    who = np.repeat([1, 2, 3, 4], 100)
    place = np.array(["A"] * 200 + ["B"] * 200, dtype=object)  # 1, 2 in A; 3, 4 in B
    _copy(rng, values, [0, 1], [150, 151])  # interviewer 1 copies interviewer 2 (same street)
    _copy(rng, values, [2], [3])  # interviewer 1 copies itself: duplicate_answers' case
    _copy(rng, values, [250], [50])  # interviewer 3 copies 1, but they share no street
    df = _frame(values, who, place)
    fired = duplicates.duplicate_across(df, items=ITEMS)
    assert set(fired.index) == {1, 2, 151, 152}
    assert (fired["rule"] == rules.DUPLICATE_ACROSS).all()
    details = json.loads(fired.loc[1, "details"])
    assert details["other_interview"] == 151 and details["other_interviewer"] == 2
    assert "另一访员的访问 #151" in fired.loc[1, "reason"]
    assert fired.loc[1, "reason_en"].startswith("28 of 30 commonly answered scale items")
    # Without localities every other interviewer counts: 251 and 51 too.
    anywhere = duplicates.duplicate_across(df.drop(columns="sampled_locality"), items=ITEMS)
    assert set(anywhere.index) == {1, 2, 151, 152, 251, 51}


def test_straight_lined_interviews_are_never_copies_of_each_other():
    rng = np.random.default_rng(2)
    values = _honest(rng, 100)
    values[:10] = "4"
    fired = duplicates.duplicate_answers(_frame(values, np.ones(100, dtype=int)), items=ITEMS)
    assert fired.empty


def test_no_speech_fires_on_door_interviews_below_the_share_only():
    df = pd.DataFrame(
        {
            "mode": ["door", "door", "phone", "door", None],
            "speech_share": [0.02, 0.5, 0.0, np.nan, 0.0999],
        },
        index=pd.Index([1, 2, 3, 4, 5], name="interview_id"),
    )
    fired = no_speech(df, max_share=0.1)
    assert list(fired.index) == [1, 5]
    assert fired.loc[1, "reason"].startswith("录音中仅 2% 有人声")
    assert json.loads(fired.loc[5, "details"]) == {"max_share": 0.1, "speech_share": 0.0999}
    assert no_speech(df.drop(columns="mode"), max_share=0.1).index.tolist() == [1, 3, 5]
    assert no_speech(df.drop(columns="speech_share")).empty
