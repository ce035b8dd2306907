"""Duplicate rules: scale answers (nearly) copied between interviews of one interviewer, and
one phone number or household interviewed twice. Pure: no Django.
"""

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from qc.rules import (
    DUPLICATE_ANSWERS,
    DUPLICATE_CONTACT,
    ExcludedCodes,
    ItemScores,
    Reason,
    empty_result,
    has_columns,
    id_list,
    p_text,
    rule_result,
)

MAX_LISTED = 50  # other interviews named in a flag's details
DEFAULT_CATEGORIES = 5  # a 5-point scale, when the questionnaire's categories are not given


def _chance_agreement(codes: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Per item, the chance that two interviews drawn from the frame give the same code:
    Σ_c p_c² with p_c = (n_c + 1) / (N + K), the pooled answer distribution under a
    Dirichlet(1) prior over the item's K categories. The prior keeps a small frame (two
    interviews copying each other) from calling its own copies the norm; with hundreds of
    interviews it is negligible.

    `codes` is (interviews × items) int, factorized per item, -1 for unanswered;
    `categories` per item K (at least the number of codes seen).
    """
    chance = np.zeros(codes.shape[1], dtype="float64")
    for j in range(codes.shape[1]):
        answered = codes[:, j][codes[:, j] >= 0]
        k = int(categories[j])
        counts = np.bincount(answered, minlength=k).astype("float64")
        p = (counts + 1.0) / (answered.size + k)
        chance[j] = float((p**2).sum())
    return chance


def _one_hot(block: np.ndarray, offsets: np.ndarray, width: int) -> np.ndarray:
    """(rows × Σ categories) float32: 1 where row r answered item j with code c."""
    rows, cols = np.nonzero(block >= 0)
    out = np.zeros((block.shape[0], width), dtype="float32")
    out[rows, offsets[cols] + block[rows, cols]] = 1.0
    return out


class _Coded(NamedTuple):
    """The frame's scale answers as one-hot-ready integer codes."""

    codes: np.ndarray  # (interviews × items) int, factorized per item, -1 for unanswered
    offsets: np.ndarray  # per item, its first column in a one-hot row
    width: int  # Σ codes seen over the items: the one-hot row's length
    chance: np.ndarray  # per item, the chance agreement (_chance_agreement)


def _coded_answers(
    df: pd.DataFrame, items: list[str], categories: Mapping[str, int] | None
) -> _Coded:
    """The item columns factorized per item, with each item's chance agreement over the frame
    (K categories: the questionnaire's when given, else DEFAULT_CATEGORIES, at least the codes
    seen)."""
    answers = df.reindex(columns=items).astype("object")
    codes = np.full(answers.shape, -1, dtype="int64")
    n_codes = np.zeros(len(items), dtype="int64")
    for j, item in enumerate(items):
        codes[:, j], uniques = pd.factorize(answers[item], use_na_sentinel=True)
        n_codes[j] = len(uniques)
    offsets = np.concatenate([[0], np.cumsum(n_codes)[:-1]])
    known = categories or {}
    k_items = np.maximum(n_codes, [known.get(item, DEFAULT_CATEGORIES) for item in items])
    return _Coded(codes, offsets, int(n_codes.sum()), _chance_agreement(codes, k_items))


class _Pairs(NamedTuple):
    """(m × m) comparisons of one interviewer's m interviews."""

    same: np.ndarray  # int, commonly answered items with the same code
    common: np.ndarray  # int, items both answered
    hit: np.ndarray  # bool, the pair fires (never on the diagonal)
    p_value: np.ndarray  # float, chance of so many identical answers (1 where not tested)
    limit: float  # the p-value at or below which a pair fires: alpha / pairs


def _similar_pairs(
    block: np.ndarray, coded: _Coded, *, min_share: float, min_items: int, alpha: float
) -> _Pairs | None:
    """The pairs among one interviewer's interviews (`block`: their rows of coded.codes) that
    agree on at least `min_share` of at least `min_items` common items, implausibly by chance;
    None when no pair reaches the share."""
    m = len(block)
    valid = (block >= 0).astype("float32")
    one_hot = _one_hot(block, coded.offsets, coded.width)
    same = np.rint(one_hot @ one_hot.T).astype("int64")
    common = np.rint(valid @ valid.T).astype("int64")
    expected = (valid * coded.chance.astype("float32")) @ valid.T  # Σ chance over common items
    hit = (common >= min_items) & (same >= min_share * common - 1e-9)
    np.fill_diagonal(hit, False)
    if not hit.any():
        return None
    r_idx, c_idx = np.nonzero(hit)
    n, k = common[r_idx, c_idx], same[r_idx, c_idx]
    p0 = np.clip(expected[r_idx, c_idx] / n, 0.0, 1.0)
    # scipy.stats costs a web worker ~50 MB: imported where it is used
    from scipy.stats import binom

    p_value = binom.sf(k - 1, n, p0)
    limit = alpha / (m * (m - 1) / 2)
    p_matrix = np.ones((m, m))
    p_matrix[r_idx, c_idx] = p_value
    hit[r_idx, c_idx] = p_value <= limit
    return _Pairs(same, common, hit, p_matrix, limit)


def _pair_reasons(ids: np.ndarray, pairs: _Pairs) -> Iterator[tuple[Any, Reason]]:
    """(interview id, reason) per interview with a firing pair, in row order; the reason names
    the most similar other interview (ties: the smallest id)."""
    same, common, hit = pairs.same, pairs.common, pairs.hit
    with np.errstate(invalid="ignore", divide="ignore"):
        share = same / np.maximum(common, 1)
    for r in np.flatnonzero(hit.any(axis=1)):
        candidates = np.flatnonzero(hit[r])
        order = candidates[np.lexsort((ids[candidates], -share[r, candidates]))]
        best = order[0]
        n_same, n_common, p = int(same[r, best]), int(common[r, best]), pairs.p_value[r, best]
        other = int(ids[best])
        more = len(order) - 1
        zh_more = f"（另有 {more} 份相似）" if more else ""
        en_more = f" ({more} more similar)" if more else ""
        yield (
            ids[r],
            (
                f"与同一访员的访问 #{other} 在 {n_common} 项共同作答的量表题中 "
                f"{n_same} 项答案相同，偶然如此的概率 {p_text(p)}{zh_more}",
                f"{n_same} of {n_common} commonly answered scale items identical to "
                f"interview #{other} of the same interviewer; chance {p_text(p)}{en_more}",
                {
                    "other_interview": other,
                    "n_identical": n_same,
                    "n_common": n_common,
                    "p_value": float(p),
                    "p_limit": float(pairs.limit),
                    "n_similar": len(order),
                    # the most similar first, at most MAX_LISTED
                    "similar_interviews": np.sort(ids[order[:MAX_LISTED]]).tolist(),
                },
            ),
        )


def duplicate_answers(
    df: pd.DataFrame,
    *,
    items: list[str],
    min_share: float = 0.85,
    min_items: int = 10,
    alpha: float = 0.001,
    categories: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Interviews whose scale answers (nearly) copy another interview of the same interviewer.

    For each pair of one interviewer's interviews: the n items both answered (any code, don't
    know included) and the k of them with the same code. A pair fires (both interviews) when
    n >= `min_items`, k/n >= `min_share` and agreeing that much is implausible by chance:
    P(X >= k) <= alpha / (pairs of the interviewer), X ~ Binomial(n, p0), where p0 is the mean
    over the n common items of each item's chance agreement Σ_c p_c² under the answer
    distribution pooled over the whole frame (the interviewer's peers). So the threshold
    adapts to the number of items and to how concentrated the answers are: 10 identical items
    out of 10 is telling on a spread-out scale and not when nearly everyone says "satisfied"
    (Kuriakose & Robbins' fixed 85% is the `min_share` floor; Pew 2016 on calibration).
    The reason names the most similar other interview (ties: the smallest id).
    Vectorised per interviewer: agreements are a one-hot matrix product, memory ~ m² per
    interviewer of m interviews plus m × Σ categories.
    """
    if not items or not has_columns(df, "interviewer_id"):
        return empty_result()
    coded = _coded_answers(df, items, categories)
    who = df["interviewer_id"]
    ids_fired: list = []
    reasons: list[Reason] = []
    positions = pd.Series(np.arange(len(df)), index=df.index)
    for _who, rows in positions[who.notna().to_numpy()].groupby(who[who.notna()], sort=False):
        if len(rows) < 2:
            continue
        block = coded.codes[rows.to_numpy()]
        pairs = _similar_pairs(block, coded, min_share=min_share, min_items=min_items, alpha=alpha)
        if pairs is None:
            continue
        for interview_id, reason in _pair_reasons(rows.index.to_numpy(), pairs):
            ids_fired.append(interview_id)
            reasons.append(reason)
    if not ids_fired:
        return empty_result()
    return rule_result(DUPLICATE_ANSWERS, pd.Index(ids_fired, name="interview_id"), reasons)


def duplicate_contact(df: pd.DataFrame) -> pd.DataFrame:
    """Interviews sharing a phone number or a household with another interview in the frame.

    Reads `phone_key` and/or `household_key`: opaque keys (qc.rule_input hashes the number and
    the address; raw numbers never reach a flag), NaN when unknown. Any interviewers: the
    same household interviewed twice is wrong whoever did it. Each interview names the others.
    """
    columns = [c for c in ("phone_key", "household_key") if c in df.columns]
    if df.empty or not columns:
        return empty_result()
    found: dict[int, dict[str, list[int]]] = {}
    for column in columns:
        keys = df[column].astype("object")
        keys = keys[keys.notna() & (keys.astype(str) != "")]
        repeated = keys[keys.duplicated(keep=False)]
        for _key, members in repeated.groupby(repeated, sort=False):
            ids = sorted(int(i) for i in members.index)
            for i in ids:
                found.setdefault(i, {})[column] = [o for o in ids if o != i]
    if not found:
        return empty_result()
    order = sorted(found)
    reasons = []
    for i in order:
        parts_zh, parts_en = [], []
        phone, household = found[i].get("phone_key"), found[i].get("household_key")
        if phone:
            parts_zh.append(f"与访问 {id_list(phone)} 电话号码相同")
            parts_en.append(f"same phone number as interview(s) {id_list(phone)}")
        if household:
            parts_zh.append(f"与访问 {id_list(household)} 为同一住户")
            parts_en.append(f"same household as interview(s) {id_list(household)}")
        en = "; ".join(parts_en)
        reasons.append(
            (
                "；".join(parts_zh),
                en[0].upper() + en[1:],
                {"same_phone_as": phone or [], "same_household_as": household or []},
            )
        )
    return rule_result(DUPLICATE_CONTACT, pd.Index(order, name="interview_id"), reasons)


def answer_categories(
    items: list[str], excluded_codes: ExcludedCodes, scores: ItemScores | None
) -> dict[str, int] | None:
    """item -> number of choices (scored codes and don't know/refused), when scores are known."""
    if not scores:
        return None
    per_item = isinstance(excluded_codes, Mapping)
    out = {}
    for item in items:
        excluded = excluded_codes.get(item, ()) if per_item else excluded_codes
        out[item] = len(set(scores.get(item, {})) | set(excluded)) or DEFAULT_CATEGORIES
    return out
