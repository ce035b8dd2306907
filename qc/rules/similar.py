"""Near-identical answer vectors at scale: the candidate pairs by locality-sensitive hashing
and their test against chance. Pure: numpy/pandas (scipy for the binomial tail).

Comparing every pair of m interviews costs m²; a wave of 100,000 interviews has 5·10⁹ pairs.
Instead each interview's answers are cut into random bands of r items (the same bands for
every interview), r long enough that two honest interviews agree on all of a band's items by
chance with probability about TARGET_CHANCE (the items' chance agreement multiplied).
Interviews with an identical band in the same group are candidates; only candidates are
compared item by item. A copy with a share s of identical items collides on a band with
probability ≈ s^r, so on at least one of B bands with 1 − (1 − s^r)^B; B is chosen so that a
pair at the `min_share` floor is found with probability 0.99 (at most MAX_BANDS bands, r
shortened if need be). The work grows with the interviews and the candidates, not with their square.

A bucket holding more than MAX_BUCKET interviews on one band is the wave's common answer
pattern (everything "satisfied"), not a copy: it gives no candidates (straight-lining judges
those interviews).
"""

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from qc.rules.coding import ItemCodes, common_codes, item_codes, most_frequent

MAX_BANDS = 40
TARGET_CHANCE = 1e-6  # chance two honest interviews share a band
MAX_BUCKET = 200
EXHAUSTIVE = 64  # a group this small compares all its pairs (exact, and as cheap)
CHUNK = 400_000  # candidate pairs compared at once (memory ~ CHUNK × items bytes)
DEFAULT_CATEGORIES = 5  # a 5-point scale, when the questionnaire's categories are not given


class Coded(NamedTuple):
    """The frame's scale answers as integer codes."""

    codes: np.ndarray  # (interviews × items) int16, factorized per item, -1 for unanswered
    chance: np.ndarray  # per item, the chance two interviews give the same code
    uniform: np.ndarray  # per interview, True when one code makes up UNIFORM_SHARE of its answers
    # band keys by min_share, shared by the rules that search the same answers
    cache: dict[float, list[tuple[np.ndarray, np.ndarray]]] | None = None


# Two interviews that both give (nearly) one answer throughout agree on every item without
# copying: their answers are not independent across items, which the chance test assumes.
# Straight-lining judges them; they are never candidates.
UNIFORM_SHARE = 0.9


def _uniform_rows(coded: ItemCodes) -> np.ndarray:
    """Per interview, whether one answer (don't know included) makes up at least
    UNIFORM_SHARE of its answered items."""
    common, _texts = common_codes(coded, list(range(len(coded.items))), None)
    _code, count, total = most_frequent(common)
    return (total > 0) & (count >= UNIFORM_SHARE * total)


def chance_agreement(codes: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Per item, the chance that two interviews drawn from the frame give the same code:
    Σ_c p_c² with p_c = (n_c + 1) / (N + K), the pooled answer distribution under a
    Dirichlet(1) prior over the item's K categories. The prior keeps a small frame (two
    interviews copying each other) from calling its own copies the norm; with hundreds of
    interviews it is negligible."""
    chance = np.zeros(codes.shape[1], dtype="float64")
    for j in range(codes.shape[1]):
        answered = codes[:, j][codes[:, j] >= 0]
        k = int(categories[j])
        counts = np.bincount(answered, minlength=k).astype("float64")
        p = (counts + 1.0) / (answered.size + k)
        chance[j] = float((p**2).sum())
    return chance


def coded_answers(
    df: pd.DataFrame,
    items: list[str],
    categories: Mapping[str, int] | None,
    codes: ItemCodes | None = None,
) -> Coded:
    """The item columns factorized per item (`codes`: qc.rules.coding.item_codes of the same
    items, when already computed), with each item's chance agreement over the frame (K
    categories: the questionnaire's when given, else DEFAULT_CATEGORIES, at least the codes
    seen)."""
    coded = codes if codes is not None and codes.items == list(items) else item_codes(df, items)
    n_codes = np.array([len(u) for u in coded.uniques], dtype="int64")
    known = categories or {}
    k_items = np.maximum(n_codes, [known.get(item, DEFAULT_CATEGORIES) for item in items])
    matrix = coded.codes.astype("int16")
    return Coded(matrix, chance_agreement(matrix, k_items), _uniform_rows(coded), {})


def _bands_needed(length: int, min_share: float) -> int:
    """How many bands of `length` items a pair agreeing on `min_share` of the items needs to
    share at least one with probability 0.99."""
    per_band = min(max(min_share, 1e-9), 1.0) ** length
    if per_band >= 1.0:
        return 1
    if per_band <= 0.0:
        return 10**9
    return int(np.ceil(np.log(0.01) / np.log(1.0 - per_band)))


def _bands(chance: np.ndarray, min_share: float, seed: int) -> list[np.ndarray]:
    """Random item sets of one length r: the shortest whose chance agreement (the product of
    the items' mean chance) falls below TARGET_CHANCE, shortened while more than MAX_BANDS
    bands would be needed; as many bands as a pair agreeing on `min_share` of the items needs
    to share one with probability 0.99 (at least 2 items, at most all but 2)."""
    rng = np.random.default_rng(seed)
    mean_log = float(np.mean(np.log(np.clip(chance, 1e-9, 1.0)))) if len(chance) else -1.0
    length = int(np.ceil(np.log(TARGET_CHANCE) / min(mean_log, -1e-9)))
    # Two items fewer than all, so that bands differ and a copy with an item changed is found.
    length = max(2, min(length, len(chance) - 2))
    while length > 2 and _bands_needed(length, min_share) > MAX_BANDS:
        length -= 1
    count = min(_bands_needed(length, min_share), MAX_BANDS)
    return [rng.permutation(len(chance))[:length] for _ in range(count)]


def _band_keys(codes: np.ndarray, band: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's codes on the band's items (collisions only add candidates,
    which the item-by-item comparison then drops)."""
    key = np.zeros(len(codes), dtype="uint64")
    with np.errstate(over="ignore"):
        for j in band:
            key = key * np.uint64(1_000_003) + (codes[:, j].astype("uint64") + np.uint64(2))
    return key


def _bucket_pairs(groups: np.ndarray, keys: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """(pairs × 2) row positions sharing group and key, from buckets of 2..MAX_BUCKET."""
    rows = np.flatnonzero(usable)
    with np.errstate(over="ignore"):
        combined = keys[rows] ^ (groups[rows].astype("uint64") * np.uint64(0x9E3779B97F4A7C15))
    bucket, _ = pd.factorize(combined)  # a hash table: no sort of all the rows
    sizes = np.bincount(bucket)
    shared = (sizes[bucket] >= 2) & (sizes[bucket] <= MAX_BUCKET)
    if not shared.any():
        return np.empty((0, 2), dtype="int64")
    rows, bucket = rows[shared], bucket[shared]
    order = np.argsort(bucket, kind="stable")
    rows, bucket = rows[order], bucket[order]
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    lengths = np.diff(np.r_[starts, len(rows)])
    length_of = np.repeat(lengths, lengths)
    place = np.arange(len(rows)) - np.repeat(starts, lengths)
    found = []
    active = np.arange(len(rows))
    distance = 1
    while active.size:
        active = active[place[active] + distance < length_of[active]]
        if active.size:
            found.append(np.column_stack([rows[active], rows[active + distance]]))
        distance += 1
    return np.concatenate(found) if found else np.empty((0, 2), dtype="int64")


def _all_pairs(groups: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Every pair of usable rows within each group of at most EXHAUSTIVE usable rows."""
    rows = np.flatnonzero(usable)
    sizes = np.bincount(groups[rows]) if rows.size else np.zeros(0, dtype="int64")
    small = rows[sizes[groups[rows]] <= EXHAUSTIVE]
    found = [np.empty((0, 2), dtype="int64")]
    for _group, members in pd.Series(small).groupby(groups[small]):
        left, right = np.triu_indices(len(members), k=1)
        found.append(np.column_stack([members.to_numpy()[left], members.to_numpy()[right]]))
    return np.concatenate(found)


def candidate_pairs(coded: Coded, groups: np.ndarray, *, min_share: float) -> np.ndarray:
    """(pairs × 2, first < second) row positions of interviews of the same group (negative:
    in none) with at least one identical band of items; each pair once. A pair agreeing on
    `min_share` of the items is among them with probability at least 0.99 (all of them in a
    group of at most EXHAUSTIVE interviews, where every pair is a candidate). Interviews with
    (nearly) one answer throughout (Coded.uniform) are left out."""
    codes, chance = coded.codes, coded.chance
    usable = (groups >= 0) & ~coded.uniform
    cache = coded.cache if coded.cache is not None else {}
    if min_share not in cache:
        cache[min_share] = [
            (_band_keys(codes, band), (codes[:, band] >= 0).any(axis=1))
            for band in _bands(chance, min_share, seed=20260504)
        ]
    found = [_bucket_pairs(groups, keys, usable & answered) for keys, answered in cache[min_share]]
    found.append(_all_pairs(groups, usable))
    pairs = np.concatenate(found)
    if not len(pairs):
        return pairs
    pairs = np.sort(pairs, axis=1)
    flat = np.sort(pairs[:, 0] * np.int64(len(codes)) + pairs[:, 1])
    flat = flat[np.r_[True, flat[1:] != flat[:-1]]]
    return np.column_stack([flat // len(codes), flat % len(codes)])


class Compared(NamedTuple):
    """Candidate pairs compared item by item (arrays aligned with the pairs)."""

    same: np.ndarray  # items both answered with the same code
    common: np.ndarray  # items both answered
    expected: np.ndarray  # Σ of the common items' chance agreement


def compare(codes: np.ndarray, chance: np.ndarray, pairs: np.ndarray) -> Compared:
    """The item-by-item comparison of each pair, CHUNK pairs at a time."""
    same, common, expected = [], [], []
    weights = chance.astype("float32")
    for start in range(0, len(pairs), CHUNK):
        a = codes[pairs[start : start + CHUNK, 0]]
        b = codes[pairs[start : start + CHUNK, 1]]
        both = (a >= 0) & (b >= 0)
        same.append(((a == b) & both).sum(axis=1))
        common.append(both.sum(axis=1))
        expected.append(both.astype("float32") @ weights)
    if not same:
        empty = np.empty(0, dtype="int64")
        return Compared(empty, empty, np.empty(0))
    return Compared(np.concatenate(same), np.concatenate(common), np.concatenate(expected))


def chance_p_values(compared: Compared) -> np.ndarray:
    """P(X >= same), X ~ Binomial(common, mean chance agreement of the common items)."""
    # scipy.stats costs a web worker ~50 MB: imported where it is used
    from scipy.stats import binom

    n = compared.common
    p0 = np.clip(compared.expected / np.maximum(n, 1), 0.0, 1.0)
    return binom.sf(compared.same - 1, n, p0)
