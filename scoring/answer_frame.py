"""Approved interviews' answers → the long frame of scored item answers. Pure: numpy and
pandas, no Django (scoring.loaders reads, this reshapes).

The answers of n interviews are read into one wide object frame by pandas' C loop; each item's
column is factorised, so the few distinct answers of a wave (a handful of codes over hundreds
of thousands of answers) are looked up in the choice table once each, and the long frame is
taken from the n × items matrix of choice rows in interview, then questionnaire, order.
"""

import numpy as np
import pandas as pd
import pyarrow as pa

UNANSWERED, UNKNOWN = -1, -2


class AnswerError(ValueError):
    """An approved interview holds an answer its questionnaire cannot score, or the
    questionnaire's sex or age question cannot be told apart from another of that name."""


def choice_key(value: object) -> str:
    """Answers may arrive as "5", 5 or 5.0; choice values are strings."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def scored_items(
    ids: np.ndarray, answers: list[dict], choices: pd.DataFrame, item_names: list[str]
) -> pd.DataFrame:
    """One row per asked scale item: interview_id, item, dimension, score, positive, sorted by
    interview id and questionnaire order, and "row", the interview's position in `ids`.

    `ids` (n,) interview ids and `answers` their answer dicts (keyed by the items' paths);
    `choices` is scoring.loaders.scale_items (item, dimension, value, score, positive);
    `item_names` the items in questionnaire order. An unanswered item (missing, None, NaN
    or blank text) is not a row; don't know/refused are rows with a NaN score. Raises
    AnswerError naming the interview, question and value of the first answer (in
    questionnaire order, then interview order) that is not one of its item's choices."""
    ids = np.asarray(ids, dtype=np.int64)
    rows = choice_rows(answers, choices, item_names)
    unknown = rows == UNKNOWN
    if unknown.any():
        raise _unknown_answer(ids, answers, item_names, unknown)
    order = np.argsort(ids, kind="stable")  # already in id order when read by id
    rows = rows[order]
    position, item = np.nonzero(rows >= 0)  # row-major: interview, then questionnaire order
    chosen = rows[position, item]
    position = order[position]
    return pd.DataFrame(
        {
            "interview_id": ids[position],
            "item": _strings(item_names, item),
            "dimension": _strings(list(choices["dimension"]), chosen),
            "score": choices["score"].to_numpy(dtype=float)[chosen],
            "positive": choices["positive"].to_numpy(dtype=object)[chosen],
            "row": position,
        }
    )


def choice_rows(answers: list[dict], choices: pd.DataFrame, item_names: list[str]) -> np.ndarray:
    """(n, items) int matrix: the row of `choices` each answer is, UNANSWERED or UNKNOWN."""
    wide = pd.DataFrame(answers, columns=item_names, dtype=object) if answers else None
    rows = np.full((len(answers), len(item_names)), UNANSWERED, dtype=np.int64)
    if wide is None:
        return rows
    lookup = {
        (item, value): row
        for row, (item, value) in enumerate(zip(choices["item"], choices["value"], strict=True))
    }
    for j, item in enumerate(item_names):
        codes, distinct = pd.factorize(wide.iloc[:, j], use_na_sentinel=True)
        mapped = [_choice_row(lookup, item, value) for value in distinct]
        rows[:, j] = np.asarray([*mapped, UNANSWERED], dtype=np.int64)[codes]
    return rows


def _choice_row(lookup: dict, item: str, value: object) -> int:
    key = choice_key(value)
    if key == "":
        return UNANSWERED
    return lookup.get((item, key), UNKNOWN)


def _unknown_answer(ids, answers, item_names, unknown: np.ndarray) -> AnswerError:
    item = int(np.flatnonzero(unknown.any(axis=0))[0])
    position = int(np.flatnonzero(unknown[:, item])[0])
    name = item_names[item]
    return AnswerError(
        f"Interview #{ids[position]}, question {name!r}: answer "
        f"{answers[position].get(name)!r} is not one of the choices of its list "
        f"({int(unknown.sum())} such answer(s) in this wave)."
    )


def _strings(values: list[str], codes: np.ndarray) -> pd.Series:
    """values[codes] as a pandas text column (Arrow strings: no Python object per row)."""
    taken = pa.array(values, type=pa.string()).take(pa.array(codes, type=pa.int64()))
    return pd.Series(pd.array(taken, dtype="str"))
