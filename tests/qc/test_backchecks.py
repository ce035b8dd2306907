"""qc.backchecks: key questions, shares, the seeded draw, assignment and discrepancy (pure)."""

import math

import pandas as pd
import pytest

from qc import backchecks
from tests.qc.conftest import DEFINITION


def _q(name, dimension=None, backcheck=False, type="select_one", list="sat5"):
    return {
        "name": name,
        "type": type,
        "list": list,
        "dimension": dimension,
        "backcheck": backcheck,
    }


SCORED = {"sat5": [{"value": "5", "score": 100.0}, {"value": "9", "score": None}]}


def _candidates(per_interviewer: dict[int, int]) -> pd.DataFrame:
    rows, next_id = [], 100
    for interviewer_id, n in per_interviewer.items():
        for _ in range(n):
            rows.append({"interview_id": next_id, "interviewer_id": interviewer_id})
            next_id += 1
    return pd.DataFrame(rows)


def test_key_questions_are_the_marked_ones_in_order():
    definition = {
        "choice_lists": SCORED,
        "groups": [
            {"questions": [_q("a", "police"), _q("b", "police", backcheck=True)]},
            {"questions": [_q("age", type="integer", list=None, backcheck=True)]},
        ],
    }
    assert backchecks.key_questions(definition) == ["b", "age"]


def test_key_questions_fall_back_to_safety_items_and_three_others():
    definition = {
        "choice_lists": SCORED,
        "groups": [
            {"questions": [_q("p1", "police"), _q("s1", "sense_of_safety"), _q("p2", "police")]},
            {"questions": [_q("s2", "sense_of_safety"), _q("p3", "police"), _q("p4", "police")]},
            {"questions": [_q("note", type="note", list=None), _q("open", type="text", list=None)]},
        ],
    }
    assert backchecks.key_questions(definition) == ["p1", "s1", "p2", "s2", "p3"]


def test_key_questions_of_the_test_definition_are_its_first_three_items():
    assert backchecks.key_questions(DEFINITION) == ["sat_1", "sat_2", "sat_3"]


def test_interviewer_shares_take_the_largest_that_applies():
    stats = pd.DataFrame(
        {"completed": [10, 10, 10, 0], "flagged": [1, 5, 5, 0], "prior": [50, 50, 3, 0]},
        index=pd.Index([1, 2, 3, 4], name="interviewer_id"),
    )
    out = backchecks.interviewer_shares(
        stats, share=0.3, share_high_risk=0.6, share_new=0.5, high_risk_flag_rate=0.3, new_below=20
    )
    assert out["flag_rate"].tolist()[:3] == [0.1, 0.5, 0.5] and math.isnan(out["flag_rate"][4])
    assert out["high_risk"].tolist() == [False, True, True, False]
    assert out["new"].tolist() == [False, False, True, True]
    assert out["share"].tolist() == [0.3, 0.6, 0.6, 0.5]


def test_select_takes_ceil_of_the_share_per_interviewer():
    candidates = _candidates({1: 10, 2: 7, 3: 1, 4: 5})
    chosen = backchecks.select(candidates, {1: 0.3, 2: 0.3, 3: 0.3, 4: 0.0}, seed=5)
    by_interviewer = candidates.set_index("interview_id").loc[chosen, "interviewer_id"]
    # 0.3 × 10 = 3 exactly (no float overshoot to 4); 0.3 × 7 = 2.1 → 3; 0.3 × 1 → 1; 0 → 0
    assert by_interviewer.value_counts().to_dict() == {1: 3, 2: 3, 3: 1}
    assert chosen == sorted(chosen)


def test_select_is_reproducible_from_the_seed_whatever_the_row_order():
    candidates = _candidates({1: 30, 2: 30})
    shares = {1: 0.3, 2: 0.5}
    first = backchecks.select(candidates, shares, seed=42)
    shuffled = candidates.sample(frac=1, random_state=3)
    assert backchecks.select(shuffled, shares, seed=42) == first
    assert backchecks.select(candidates, shares, seed=43) != first


def test_assign_never_gives_an_interviewer_their_own_and_balances_load():
    selected = _candidates({1: 6, 2: 6, 3: 6})
    result = backchecks.assign(selected, [1, 2, 3], seed=1)
    owner = selected.set_index("interview_id")["interviewer_id"]
    assert set(result) == set(selected["interview_id"])
    assert all(result[i] != owner[i] for i in result)
    # greedy by least load: every checker works, none far more than another
    loads = pd.Series(result).value_counts()
    assert set(loads.index) == {1, 2, 3} and loads.max() - loads.min() <= 2


def test_assign_without_another_checker_names_the_interview():
    with pytest.raises(ValueError, match="Interview 100"):
        backchecks.assign(_candidates({1: 1}), [1], seed=0)


def test_assign_keeps_earlier_interviewers_and_checkers_off_a_re_interview():
    selected = _candidates({1: 4})
    first = int(selected["interview_id"].iloc[0])

    result = backchecks.assign(selected, [1, 2, 3], seed=5, excluded={first: [2]})

    assert result[first] == 3  # 1 did it, 2 checked it before
    assert all(checker in (2, 3) for checker in result.values())
    with pytest.raises(ValueError, match=f"Interview {first}"):
        backchecks.assign(selected, [1, 2], seed=5, excluded={first: [2]})


def test_discrepancy_counts_only_questions_answered_again():
    original = {"a": "5", "b": "4", "c": ["1", "2"], "d": "3"}
    recheck = {"a": "5", "b": "2", "c": ["2", "1"], "d": "", "e": "1"}
    differing, rate = backchecks.discrepancy(original, recheck, ["a", "b", "c", "d", "e"])
    # compared a, b, c, e (d not answered again); b differs; e was unanswered originally
    assert differing == ["b", "e"] and rate == 2 / 4


def test_discrepancy_with_nothing_answered_is_none():
    assert backchecks.discrepancy({"a": "5"}, {}, ["a"]) == ([], None)
