"""scoring.answer_frame: answers → scored item rows, against rows worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from scoring.answer_frame import AnswerError, scored_items
from scoring.loaders import scale_items
from tests.scoring.factories import DEFINITION

CHOICES = scale_items(DEFINITION)
ITEMS = list(dict.fromkeys(CHOICES["item"]))


def score_of(item: str, value: str) -> float:
    row = CHOICES[(CHOICES["item"] == item) & (CHOICES["value"] == value)]
    return float(row["score"].iloc[0])


def test_rows_in_interview_then_questionnaire_order_with_each_answer_scored():
    # given two interviews read out of id order; answers as text, number, float and padded
    first, second = ITEMS[0], ITEMS[1]
    answers = [
        {second: 5, first: " 4 "},  # interview 9
        {first: 3.0, "age": 40},  # interview 2: the second item skipped
    ]
    # when
    rows = scored_items(np.array([9, 2]), answers, CHOICES, ITEMS)
    # then interview 2 comes first, each item in questionnaire order
    assert rows["interview_id"].tolist() == [2, 9, 9]
    assert rows["item"].tolist() == [first, first, second]
    assert rows["row"].tolist() == [1, 0, 0]  # the interview's position in the input
    assert rows["score"].tolist() == [
        score_of(first, "3"),
        score_of(first, "4"),
        score_of(second, "5"),
    ]


def test_unanswered_items_are_no_rows_and_dont_know_keeps_a_row_without_score():
    # given the definition's don't-know code of the first item and three kinds of blank
    item = ITEMS[0]
    unknown = CHOICES[(CHOICES["item"] == item) & CHOICES["score"].isna()]["value"].iloc[0]
    answers = [{item: None}, {item: "  "}, {item: math.nan}, {item: unknown}, {}]
    # when
    rows = scored_items(np.arange(1, 6), answers, CHOICES, ITEMS)
    # then only the don't-know answer is a row, with no score and no positive flag
    assert rows["interview_id"].tolist() == [4]
    assert math.isnan(rows["score"].iloc[0]) and rows["positive"].iloc[0] is None


def test_the_first_unknown_answer_in_questionnaire_order_is_named_with_the_count():
    # given unknown answers: interview 5 on the second item, 7 and 8 on the first
    first, second = ITEMS[0], ITEMS[1]
    answers = [{second: "77"}, {first: "98", second: "4"}, {first: "99"}]
    # when / then the first item's first unknown answer (interview 7) is named
    with pytest.raises(AnswerError) as raised:
        scored_items(np.array([5, 7, 8]), answers, CHOICES, ITEMS)
    assert str(raised.value) == (
        f"Interview #7, question {first!r}: answer '98' is not one of the choices of its "
        "list (3 such answer(s) in this wave)."
    )


def test_no_interviews_give_no_rows():
    rows = scored_items(np.array([], dtype=np.int64), [], CHOICES, ITEMS)
    assert rows.empty and isinstance(rows, pd.DataFrame)
