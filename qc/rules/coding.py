"""The scale answers as one integer matrix, computed once for every rule that reads them.
Pure: numpy/pandas.

Turning 100,000 × 40 text answers into numbers is most of what the answer rules cost;
run_rules does it once (item_codes) and hands the result to straight-lining, item
non-response, acquiescence and the duplicate rules.
"""

from collections.abc import Collection, Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd


class ItemCodes(NamedTuple):
    """codes[i, j]: the index of interview i's answer to item j in uniques[j] (-1 when
    unanswered); uniques[j] the item's answers as text; items the column names."""

    items: list[str]
    codes: np.ndarray  # (interviews × items) int32
    uniques: list[np.ndarray]  # per item, its distinct answers as str

    def position(self, item: str) -> int:
        return self.items.index(item)

    def where(self, item: str, values: Collection[str]) -> np.ndarray:
        """Bool per interview: the answer to `item` is one of `values`."""
        j = self.position(item)
        wanted = np.flatnonzero(np.isin(self.uniques[j], list(map(str, values))))
        return np.isin(self.codes[:, j], wanted)

    def lookup(self, table: Mapping[str, Mapping[str, float]]) -> np.ndarray:
        """(interviews × items) float: table[item][answer], NaN when unanswered or absent."""
        out = np.full(self.codes.shape, np.nan)
        for j, item in enumerate(self.items):
            mapping = table.get(item) or {}
            if not mapping:
                continue
            values = np.array([mapping.get(u, np.nan) for u in self.uniques[j]] + [np.nan])
            out[:, j] = values[self.codes[:, j]]  # -1 takes the trailing NaN
        return out


def item_codes(df: pd.DataFrame, items: list[str]) -> ItemCodes:
    """The item columns factorized (an item the frame lacks is unanswered throughout)."""
    codes = np.full((len(df), len(items)), -1, dtype="int32")
    uniques = []
    for j, item in enumerate(items):
        if item not in df.columns:
            uniques.append(np.array([], dtype=str))
            continue
        codes[:, j], found = pd.factorize(df[item], use_na_sentinel=True)
        uniques.append(np.asarray(found, dtype=object).astype(str))
    return ItemCodes(list(items), codes, uniques)


def excluded_mask(coded: ItemCodes, excluded_codes) -> np.ndarray:
    """(interviews × items) bool: the answer is an excluded code (don't know, refused);
    `excluded_codes` one set for every item or item -> set."""
    per_item = isinstance(excluded_codes, Mapping)
    mask = np.zeros(coded.codes.shape, dtype=bool)
    for j, item in enumerate(coded.items):
        values = excluded_codes.get(item, ()) if per_item else excluded_codes
        if values:
            mask[:, j] = coded.where(item, values)
    return mask


def common_codes(
    coded: ItemCodes, columns: list[int], blank: np.ndarray | None
) -> tuple[np.ndarray, list[str]]:
    """The chosen item columns recoded into one code space shared by the items (the same
    answer text, the same code; codes in sorted order of the texts), -1 where unanswered or
    `blank` (interviews × all items); and the texts by code."""
    # Codes in sorted order of the texts, so that ties go to the smallest text.
    texts = sorted(set().union(*(coded.uniques[j].tolist() for j in columns)))
    vocabulary = {text: code for code, text in enumerate(texts)}
    out = np.full((len(coded.codes), len(columns)), -1, dtype="int32")
    for k, j in enumerate(columns):
        mapping = np.array([vocabulary[u] for u in coded.uniques[j]] + [-1], dtype="int32")
        out[:, k] = mapping[coded.codes[:, j]]
    if blank is not None:
        out[blank[:, columns]] = -1
    return out, texts


def most_frequent(common: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of common_codes: the most frequent code (ties: the smallest code), its count
    and the number of answered cells."""
    n, k = common.shape
    n_codes = int(common.max()) + 1 if common.size else 0
    if n_codes <= 0:
        zeros = np.zeros(n, dtype="int64")
        return np.full(n, -1), zeros, zeros
    rows = np.repeat(np.arange(n, dtype="int64"), k)
    flat = common.ravel()
    ok = flat >= 0
    counts = np.bincount(rows[ok] * n_codes + flat[ok], minlength=n * n_codes).reshape(n, n_codes)
    return counts.argmax(axis=1), counts.max(axis=1), counts.sum(axis=1)
