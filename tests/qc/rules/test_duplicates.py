"""qc.rules.duplicates (duplicate_answers, duplicate_contact) on small literal frames, checked
against naive loops."""

import json
import math
from collections import Counter
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from qc import rules
from qc.rules import duplicates


def _df(columns: dict, ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(ids, dtype="int64", name="interview_id"))


ITEMS12 = [f"q{i}" for i in range(12)]


def binomial_tail(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def naive_chance(df, items, k_default=5) -> dict[str, float]:
    """Per item Σ p_c² with p_c = (n_c + 1) / (N + K), K = max(codes seen, k_default)."""
    chance = {}
    for x in items:
        seen = [v for v in df[x] if isinstance(v, str)]
        counts = Counter(seen)
        k = max(len(counts), k_default)
        total = len(seen) + k
        probs = [(n + 1) / total for n in counts.values()] + [1 / total] * (k - len(counts))
        chance[x] = sum(p * p for p in probs)
    return chance


def uniform(row, items) -> bool:
    """One answer (don't know included) makes up 90% or more of the answered items."""
    answered = [row[x] for x in items if isinstance(row[x], str)]
    return bool(answered) and Counter(answered).most_common(1)[0][1] >= 0.9 * len(answered)


def naive_duplicates(df, items, min_share, min_items, alpha=0.001) -> dict[int, set[int]]:
    chance = naive_chance(df, items)
    per_interviewer = Counter(df["interviewer_id"])
    fired: dict[int, set[int]] = {}
    for (i, a), (j, b) in combinations(list(df.iterrows()), 2):
        if a["interviewer_id"] != b["interviewer_id"]:
            continue
        if uniform(a, items) or uniform(b, items):  # straight-lining's, not copying
            continue
        common = [x for x in items if isinstance(a[x], str) and isinstance(b[x], str)]
        same = [x for x in common if a[x] == b[x]]
        if len(common) < min_items or len(same) / len(common) < min_share:
            continue
        p0 = sum(chance[x] for x in common) / len(common)
        m = per_interviewer[a["interviewer_id"]]
        if binomial_tail(len(same), len(common), p0) <= alpha / (m * (m - 1) / 2):
            fired.setdefault(i, set()).add(j)
            fired.setdefault(j, set()).add(i)
    return fired


def test_duplicate_contact_matches_naive_grouping_across_interviewers():
    rng = np.random.default_rng(4)
    phones = rng.choice(["h1", "h2", "h3", "h4", "h5", "h6", None], 60).astype(object)
    phones[rng.random(60) < 0.7] = None
    homes = rng.choice([f"a{i}" for i in range(40)], 60).astype(object)
    df = _df({"phone_key": phones, "household_key": homes}, list(range(1, 61)))
    result = duplicates.duplicate_contact(df)
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
    result = duplicates.duplicate_contact(df)
    assert list(result.index) == [1, 2]
    assert result.loc[1, "reason"] == "与访问 #2 电话号码相同"
    assert result.loc[2, "reason_en"] == "Same phone number as interview(s) #1"
    assert not result["reason"].str.contains("k9f3").any()
    assert result.loc[1, "severity"] == rules.HIGH


def test_duplicate_answers_matches_naive_loop():
    rng = np.random.default_rng(7)
    n = 40
    base = rng.choice(["1", "2", "3", "4", "5"], size=(4, len(ITEMS12)))
    values = base[rng.integers(0, 4, n)].astype(object)  # copies of four answer vectors
    noise = rng.random((n, len(ITEMS12)))
    values[noise < 0.05] = "9"
    values[(noise >= 0.05) & (noise < 0.1)] = None
    values[noise > 0.93] = rng.choice(["1", "2", "3", "4", "5"], size=int((noise > 0.93).sum()))
    who = rng.integers(1, 4, n)
    df = _df(
        {"interviewer_id": who} | {x: values[:, j] for j, x in enumerate(ITEMS12)},
        list(range(1, n + 1)),
    )
    sizes = []
    for share, least, alpha in [(0.85, 10, 0.001), (0.7, 8, 0.05), (1.0, 11, 0.001)]:
        result = duplicates.duplicate_answers(
            df, items=ITEMS12, min_share=share, min_items=least, alpha=alpha
        )
        expected = naive_duplicates(df, ITEMS12, share, least, alpha)
        assert expected
        assert set(result.index) == set(expected)
        sizes.append(len(expected))
        for interview_id, others in expected.items():
            details = json.loads(result.loc[interview_id, "details"])
            assert set(details["similar_interviews"]) == others
    # The binomial tail bites: some pairs pass the share floor but are not improbable enough.
    loose = naive_duplicates(df, ITEMS12, 0.7, 8, alpha=1.0)
    assert len(loose) > sizes[1]


def test_duplicate_answers_threshold_adapts_to_concentrated_answers():
    # Everyone answers "4" to most items: two interviews agreeing on 11 of 12 is the norm,
    # not a copy. On a spread-out scale the same agreement is improbable and fires.
    rng = np.random.default_rng(1)
    n = 60
    concentrated = np.where(rng.random((n, len(ITEMS12))) < 0.9, "4", "3").astype(object)
    spread = rng.choice(["1", "2", "3", "4", "5"], size=(n, len(ITEMS12))).astype(object)
    for values in (concentrated, spread):
        values[1] = values[0]
        values[1, 0] = "5" if values[0, 0] != "5" else "1"  # 11 of 12 identical
    who = np.ones(n, dtype=int)

    def run(values):
        df = _df(
            {"interviewer_id": who} | {x: values[:, j] for j, x in enumerate(ITEMS12)},
            list(range(1, n + 1)),
        )
        return duplicates.duplicate_answers(df, items=ITEMS12, min_share=0.85, min_items=10)

    assert 1 not in run(concentrated).index
    fired = run(spread)
    assert {1, 2} <= set(fired.index)
    details = json.loads(fired.loc[1, "details"])
    assert details["n_identical"] == 11 and details["n_common"] == 12
    assert details["p_value"] <= details["p_limit"] == pytest.approx(0.001 / (60 * 59 / 2))


def test_duplicate_answers_edges_of_share_and_common_items():
    a = ["1", "2", "3", "4", "5"] * 2 + ["1", "2"]  # 12 answered
    b = list(a)
    b[0] = "5"  # 11 of 12 identical = 0.9167
    c = a[:10] + [None, None]  # 10 in common with a, all identical
    d = a[:9] + [None, None, None]  # 9 in common: too few
    df = _df(
        {"interviewer_id": [1, 1, 2, 2, 3, 3]}
        | {x: [a[j], b[j], a[j], c[j], a[j], d[j]] for j, x in enumerate(ITEMS12)},
        [1, 2, 3, 4, 5, 6],
    )
    result = duplicates.duplicate_answers(df, items=ITEMS12, min_share=0.95)
    assert list(result.index) == [3, 4]
    assert "#4" in result.loc[3, "reason"] and "10 of 10" in result.loc[3, "reason_en"]
    # the chance reads as a decimal (or a bound), never as a float's e-notation
    p = json.loads(result.loc[3, "details"])["p_value"]
    assert f"概率 = {p:.4f}" in result.loc[3, "reason"] and "e-" not in result.loc[3, "reason"]
    assert list(duplicates.duplicate_answers(df, items=ITEMS12, min_share=11 / 12).index) == [
        1,
        2,
        3,
        4,
    ]
    assert list(duplicates.duplicate_answers(df, items=ITEMS12, min_items=9).index) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    # The chance limit: 9 identical items of 9 pass a 0.001 limit but not a 1e-9 one.
    strict = duplicates.duplicate_answers(df, items=ITEMS12, min_items=9, alpha=1e-9)
    assert 5 not in strict.index


def test_duplicate_answers_needs_two_interviews_of_one_interviewer():
    df = _df({"interviewer_id": [1]} | {x: ["3"] for x in ITEMS12}, [1])
    assert duplicates.duplicate_answers(df, items=ITEMS12).empty


def test_probabilities_in_reasons_are_decimals_or_a_bound():
    assert rules.p_text(0.03125) == "= 0.0312"
    assert rules.p_text(0.0001) == "= 0.0001"
    assert rules.p_text(2e-07) == "< 0.0001"
