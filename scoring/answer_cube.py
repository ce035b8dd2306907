"""The long frame of item answers folded once per respondent, so that every domain table of a
round is formed from the same sums. Pure: numpy/pandas, no Django.

A results page estimates a dozen domain tables from one long frame (scoring.score_tables):
by dimension, by scope, by district and street × scope, by district × dimension, by street ×
dimension, by each respondent group × scope. Every one of them is a respondent-level
attribute (district, street, area type, a respondent group: the same on all of a
respondent's rows) crossed with at most one item-level category (dimension, scope, item).
So the cube

* numbers the respondents once (interview ids in ascending order) and each column's values
  once (sorted, as a sorted groupby numbers them),
* sums each respondent's items once per category (answers asked, valid answers, Σ score,
  positive answers) with one np.bincount over the rows, in row order, so the sums are the
  very numbers a groupby on (domain, respondent) gives,

and a domain table then only selects and orders the (respondent, category) cells it needs:
no table sorts or hashes the rows again. `values` gives scoring.score_tables'
respondent_values (and the domain of each row) or None for a `by` that is not of that form
(an attribute that varies within a respondent, two item-level columns), which the caller then
computes row by row.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

# (respondent, category) cells held densely per answer row at most: beyond it (a category of
# many values, each asked of few) the cube leaves the table to the row-by-row route
CELLS_PER_ROW = 4


class AnswerCube:
    """The respondents of a long frame (scoring.score_tables' shape) and, computed on first
    use and kept, each column's codes, each category's per-respondent sums and each `by`'s
    respondent values (read, never changed, by the tables). The frame must not be changed
    while the cube is used."""

    def __init__(self, long: pd.DataFrame, extra: dict | None = None):
        self.long = long
        respondent, ids = pd.factorize(long["interview_id"], sort=True)
        self.respondent = respondent.astype(np.int64)
        self.ids = np.asarray(ids, dtype=np.int64)
        firsts = pd.Series(self.respondent).drop_duplicates()
        self.first = np.empty(len(self.ids), dtype=np.int64)
        self.first[firsts.to_numpy()] = firsts.index.to_numpy()
        self._codes: dict = {}
        self._respondent_codes: dict = {}
        self._sums: dict = {}
        self._row_answers: tuple | None = None
        self._values: dict = {}  # by → values(by), shared by the tables that read it
        self._extra = dict(extra or {})  # column → per-respondent values (respondent order)

    @property
    def n_respondents(self) -> int:
        return len(self.ids)

    def with_columns(self, frame: pd.DataFrame) -> "AnswerCube":
        """A cube over the same answers plus the respondent-level columns of `frame` (one
        row per interview_id; an interview not in it gets NaN), sharing what is computed."""
        indexed = frame.drop_duplicates("interview_id").set_index("interview_id")
        extra = {
            column: indexed[column].reindex(self.ids).reset_index(drop=True)
            for column in indexed.columns
        }
        cube = AnswerCube.__new__(AnswerCube)
        cube.__dict__.update(self.__dict__)
        cube._extra = {**self._extra, **extra}
        cube._respondent_codes = {k: v for k, v in self._respondent_codes.items() if k not in extra}
        cube._values = {k: v for k, v in self._values.items() if not set(k) & set(extra)}
        return cube

    def columns(self) -> set:
        return set(self.long.columns) | set(self._extra)

    def frame(self) -> pd.DataFrame:
        """The long frame with the respondent-level columns added (what the row-by-row
        route reads)."""
        if not self._extra:
            return self.long
        added = {c: np.asarray(v.to_numpy())[self.respondent] for c, v in self._extra.items()}
        return self.long.assign(**added)

    def respondent_column(self, column: str) -> pd.Series:
        """The column's value for each respondent (respondent order), from its first row."""
        if column in self._extra:
            return self._extra[column]
        return self.long[column].iloc[self.first].reset_index(drop=True)

    def codes(self, column: str) -> tuple[np.ndarray, pd.Index]:
        """(code of each row, sorted values): pd.factorize(sort=True) of the column."""
        if column not in self._codes:
            self._codes[column] = pd.factorize(self.long[column], sort=True, use_na_sentinel=True)
        return self._codes[column]

    def attribute(self, column: str) -> tuple[np.ndarray, pd.Index] | None:
        """(code of each respondent, sorted values) when the column is the same on all of a
        respondent's rows, else None. Missing values have code -1."""
        if column not in self._respondent_codes:
            if column in self._extra:
                found = pd.factorize(self._extra[column], sort=True, use_na_sentinel=True)
            else:
                codes, values = self.codes(column)
                per = codes[self.first]
                found = (per, values) if np.array_equal(per[self.respondent], codes) else None
            self._respondent_codes[column] = found
        return self._respondent_codes[column]

    def sums(self, category: str | None) -> tuple[int, dict]:
        """(K, sums): per (respondent, category code) cell r·K + c the answers asked
        ("n_items"), valid ("n_valid"), Σ valid score ("score") and positive valid answers
        ("positive"), summed over the rows in row order. No category: one cell per
        respondent (K = 1). Rows with a missing category are in no cell."""
        if category not in self._sums:
            if category is None:
                cell, k = self.respondent, 1
            else:
                codes, values = self.codes(category)
                k = len(values)
                cell = np.where(codes >= 0, self.respondent * k + codes, -1)
            keep = cell >= 0
            cell = cell[keep]
            score, positive = (values[keep] for values in self._answers())
            valid = ~np.isnan(score)
            positive = positive & valid
            size = self.n_respondents * k
            self._sums[category] = (
                k,
                {
                    "n_items": np.bincount(cell, minlength=size),
                    "n_valid": np.bincount(cell, weights=valid, minlength=size).astype("int64"),
                    "score": np.bincount(cell, weights=np.where(valid, score, 0.0), minlength=size),
                    "positive": np.bincount(cell, weights=positive, minlength=size),
                },
            )
        return self._sums[category]

    def _answers(self) -> tuple[np.ndarray, np.ndarray]:
        """(score, positive) of each row; a missing `positive` is not positive."""
        if self._row_answers is None:
            positive = self.long["positive"].to_numpy()  # True, False or None
            self._row_answers = (
                self.long["score"].to_numpy(dtype=float),
                np.asarray(positive == True, dtype=bool),  # noqa: E712 (elementwise)
            )
        return self._row_answers

    def split(self, by: Sequence[str]) -> tuple[list[str], str | None] | None:
        """(respondent-level columns, item-level category or None) of `by`, or None when
        `by` is not attributes followed by at most one category."""
        by = list(by)
        level = [self.attribute(column) is not None for column in by]
        if all(level):
            return by, None
        if level[:-1] == [True] * (len(by) - 1) and by[-1] in self.long.columns:
            return by[:-1], by[-1]
        return None

    def domains_of(self, attributes: Sequence[str]) -> tuple[np.ndarray, list]:
        """Per respondent the mixed-radix code of its `attributes` (sorted order; -1 when
        one is missing) and the (codes, values) of each attribute."""
        code = np.zeros(self.n_respondents, dtype=np.int64)
        missing = np.zeros(self.n_respondents, dtype=bool)
        parts = []
        for column in attributes:
            codes, values = self.attribute(column)
            missing |= codes < 0
            code = code * len(values) + codes
            parts.append((codes, values))
        return np.where(missing, -1, code), parts

    def values(self, by: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray] | None:
        """`row_values(frame, by)` from the cube: one row per
        (domain, respondent) with an item answer, sorted by domain then interview id, and
        the domain code of each row; None where `by` is not of the cube's form."""
        by = list(by)
        if tuple(by) not in self._values:
            self._values[tuple(by)] = self._fold(by)
        return self._values[tuple(by)]

    def _fold(self, by: list[str]) -> tuple[pd.DataFrame, np.ndarray] | None:
        split = self.split(by) if by and len(self.long) else None
        if split is None:
            return None
        attributes, category = split
        k = len(self.codes(category)[1]) if category is not None else 1
        if self.n_respondents * k > CELLS_PER_ROW * len(self.long):
            return None  # a sparse category (many values, few asked each): row by row
        attribute, parts = self.domains_of(attributes)
        k, sums = self.sums(category)
        cells = np.flatnonzero(sums["n_items"] > 0)
        respondent, category_code = np.divmod(cells, k)
        present = attribute[respondent] >= 0
        cells, respondent, category_code = (
            cells[present],
            respondent[present],
            category_code[present],
        )
        key = attribute[respondent] * k + category_code
        order = np.argsort(key, kind="stable")  # cells come by respondent: ids stay ascending
        cells, respondent, key = cells[order], respondent[order], key[order]
        category_code = category_code[order]
        domain = np.zeros(len(key), dtype=np.int64)
        if len(key) > 1:
            domain[1:] = np.cumsum(key[1:] != key[:-1])
        columns = {
            column: values.take(codes[respondent])
            for column, (codes, values) in zip(attributes, parts, strict=True)
        }
        if category is not None:
            columns[category] = self.codes(category)[1].take(category_code)
        n_valid = sums["n_valid"][cells]
        with np.errstate(invalid="ignore", divide="ignore"):
            denominator = np.where(n_valid > 0, n_valid, np.nan)
            columns.update(
                {
                    "interview_id": self.ids[respondent],
                    "weight": self.long["weight"].to_numpy(dtype=float)[self.first[respondent]],
                    "n_items": sums["n_items"][cells].astype("int64"),
                    "n_valid": n_valid,
                    "score": sums["score"][cells] / denominator,
                    "positive_share": sums["positive"][cells] / denominator,
                }
            )
        per = pd.DataFrame(columns)
        return per, domain

    def interviews(self, by: Sequence[str]) -> pd.Series | None:
        """Interviews per domain of the respondent-level `by` columns (sorted, as a sorted
        groupby's nunique of interview_id), or None when a column is not respondent-level."""
        by = list(by)
        split = self.split(by) if by and len(self.long) else None
        if split is None or split[1] is not None:
            return None
        code, parts = self.domains_of(by)
        known = np.flatnonzero(code >= 0)
        _keys, first, counts = np.unique(code[known], return_index=True, return_counts=True)
        arrays = [values.take(codes[known[first]]) for codes, values in parts]
        if len(by) > 1:
            index = pd.MultiIndex.from_arrays(arrays, names=by)
        else:
            index = pd.Index(arrays[0], name=by[0])
        return pd.Series(counts.astype("int64"), index=index, name="interview_id")


def row_values(long: pd.DataFrame, by: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """scoring.score_tables.respondent_values of the long frame, row by row, and the domain
    of each of its rows (codes 0..D-1 in the order of the sorted `by` keys, as a sorted
    groupby numbers them): rows come sorted by domain. AnswerCube.values gives the same
    from the cube."""
    keys = list(by) + ["interview_id"]
    valid = long["score"].notna().to_numpy()
    positive = long["positive"].eq(True).to_numpy() & valid  # None/NaN is not positive
    # Group on integer codes (each key factorized in sorted order, combined in mixed radix):
    # the same groups and order as a sorted groupby, without hashing tuples of strings.
    combined = np.zeros(len(long), dtype=np.int64)
    uniques, keep = [], np.ones(len(long), dtype=bool)
    for column in keys:
        codes, values = pd.factorize(long[column], sort=True, use_na_sentinel=True)
        keep &= codes >= 0
        combined = combined * (len(values) + 1) + codes
        uniques.append((codes, values))
    groups, first, group_of = np.unique(combined[keep], return_index=True, return_inverse=True)
    rows = np.flatnonzero(keep)[first]
    # interview_id is the last digit of the mixed radix: what is left of it is the domain
    domain_key = groups // (len(uniques[-1][1]) + 1)
    domain = np.zeros(len(groups), dtype=np.int64)
    if len(groups) > 1:
        domain[1:] = np.cumsum(domain_key[1:] != domain_key[:-1])
    n = len(groups)
    score = long["score"].to_numpy(dtype=float)
    kept_valid = valid[keep]
    n_items = np.bincount(group_of, minlength=n)
    n_valid = np.bincount(group_of, weights=kept_valid, minlength=n).astype("int64")
    score_sum = np.bincount(group_of, weights=np.where(valid, score, 0.0)[keep], minlength=n)
    positive_sum = np.bincount(group_of, weights=positive[keep], minlength=n)
    per = pd.DataFrame(
        {
            column: values.take(codes[rows])
            for column, (codes, values) in zip(keys, uniques, strict=True)
        }
    )
    per["interview_id"] = per["interview_id"].astype("int64")
    per["weight"] = long["weight"].to_numpy(dtype=float)[rows]
    per["n_items"] = n_items.astype("int64")
    per["n_valid"] = n_valid
    with np.errstate(invalid="ignore", divide="ignore"):
        denominator = np.where(n_valid > 0, n_valid, np.nan)
        per["score"] = score_sum / denominator
        per["positive_share"] = positive_sum / denominator
    return per, domain
