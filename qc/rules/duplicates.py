"""Duplicate rules: scale answers (nearly) copied between interviews of one interviewer or
from another interviewer of the same locality, and one phone number or household
interviewed twice. Pure: no Django.
"""

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from qc.rules import (
    DUPLICATE_ACROSS,
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
    similar,
)

MAX_LISTED = 50  # other interviews named in a flag's details


class _Fired(NamedTuple):
    """Firing pairs, both directions: row positions, the other's row, the figures."""

    row: np.ndarray
    other: np.ndarray
    same: np.ndarray
    common: np.ndarray
    p_value: np.ndarray
    limit: np.ndarray


def _plain(value):
    """A numpy scalar as the Python value (JSON and reasons want plain ints and strs)."""
    return value.item() if isinstance(value, np.generic) else value


def _group_codes(values: pd.Series) -> np.ndarray:
    """0..g-1 per row by value, -1 where missing."""
    codes, _ = pd.factorize(values.astype("object"), use_na_sentinel=True)
    return codes.astype("int64")


def _fired_pairs(
    coded: similar.Coded,
    groups: np.ndarray,
    tested: np.ndarray,
    *,
    keep: Callable[[np.ndarray], np.ndarray] | None,
    min_share: float,
    min_items: int,
    alpha: float,
) -> _Fired | None:
    """Candidate pairs within `groups` (keep: which of them to test, None: all) that agree on at
    least `min_share` of at least `min_items` common items, below alpha / tested pairs of
    their group (`tested` per group) by chance."""
    pairs = similar.candidate_pairs(coded, groups, min_share=min_share)
    if keep is not None and len(pairs):
        pairs = pairs[keep(pairs)]
    if not len(pairs):
        return None
    compared = similar.compare(coded.codes, coded.chance, pairs)
    hit = (compared.common >= min_items) & (compared.same >= min_share * compared.common - 1e-9)
    if not hit.any():
        return None
    pairs = pairs[hit]
    compared = similar.Compared(*(values[hit] for values in compared))
    p_value = similar.chance_p_values(compared)
    limit = alpha / np.maximum(tested[groups[pairs[:, 0]]], 1.0)
    ok = p_value <= limit
    if not ok.any():
        return None
    a, b = pairs[ok, 0], pairs[ok, 1]
    twice = lambda values: np.r_[values[ok], values[ok]]  # noqa: E731
    return _Fired(
        np.r_[a, b],
        np.r_[b, a],
        twice(compared.same),
        twice(compared.common),
        twice(p_value),
        twice(limit),
    )


def _reasons(
    fired: _Fired, ids: np.ndarray, interviewers: np.ndarray | None
) -> tuple[list, list[Reason]]:
    """Per interview with a firing pair (in id order), the reason naming the most similar
    other interview (ties: the smallest id); `interviewers` given: across interviewers."""
    share = fired.same / np.maximum(fired.common, 1)
    order = np.lexsort((ids[fired.other], -share, ids[fired.row]))
    row, other = fired.row[order], fired.other[order]
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
    ends = np.r_[starts[1:], len(row)]
    out_ids, reasons = [], []
    for s, e in zip(starts, ends, strict=True):
        best = order[s]
        n_same, n_common = int(fired.same[best]), int(fired.common[best])
        p, other_id = float(fired.p_value[best]), _plain(ids[other[s]])
        more = e - s - 1
        details = {
            "other_interview": other_id,
            "n_identical": n_same,
            "n_common": n_common,
            "p_value": p,
            "p_limit": float(fired.limit[best]),
            "n_similar": int(e - s),
            # the most similar first, at most MAX_LISTED
            "similar_interviews": sorted(ids[other[s:e][:MAX_LISTED]].tolist()),
        }
        zh_more = f"（另有 {more} 份相似）" if more else ""
        en_more = f" ({more} more similar)" if more else ""
        if interviewers is None:
            zh_whose, en_whose = "同一访员的访问", "interview"
            en_tail = " of the same interviewer"
        else:
            details["other_interviewer"] = _plain(interviewers[other[s]])
            zh_whose, en_whose, en_tail = "另一访员的访问", "interview", " of another interviewer"
        out_ids.append(_plain(ids[row[s]]))
        reasons.append(
            (
                f"与{zh_whose} #{other_id} 在 {n_common} 项共同作答的量表题中 "
                f"{n_same} 项答案相同，偶然如此的概率 {p_text(p)}{zh_more}",
                f"{n_same} of {n_common} commonly answered scale items identical to "
                f"{en_whose} #{other_id}{en_tail}; chance {p_text(p)}{en_more}",
                details,
            )
        )
    return out_ids, reasons


def duplicate_answers(
    df: pd.DataFrame,
    *,
    items: list[str],
    min_share: float = 0.85,
    min_items: int = 10,
    alpha: float = 0.001,
    categories: Mapping[str, int] | None = None,
    coded: similar.Coded | None = None,
) -> pd.DataFrame:
    """Interviews whose scale answers (nearly) copy another interview of the same interviewer.

    For a pair of one interviewer's interviews: the n items both answered (any code, don't
    know included) and the k of them with the same code. A pair fires (both interviews) when
    n >= `min_items`, k/n >= `min_share` and agreeing that much is implausible by chance:
    P(X >= k) <= alpha / (pairs of the interviewer), X ~ Binomial(n, p0), where p0 is the mean
    over the n common items of each item's chance agreement Σ_c p_c² under the answer
    distribution pooled over the whole frame (the interviewer's peers). So the threshold
    adapts to the number of items and to how concentrated the answers are: 10 identical items
    out of 10 is telling on a spread-out scale and not when nearly everyone says "satisfied"
    (Kuriakose & Robbins' fixed 85% is the `min_share` floor; Pew 2016 on calibration).
    Only pairs sharing a band of items are compared (qc.rules.similar: locality-sensitive
    hashing, so the work grows with the interviews rather than their square). The reason
    names the most similar other interview (ties: the smallest id). `coded`: the frame's
    similar.coded_answers when already computed (duplicate_across uses the same).
    """
    if not items or not has_columns(df, "interviewer_id"):
        return empty_result()
    coded = coded or similar.coded_answers(df, items, categories)
    groups = _group_codes(df["interviewer_id"])
    sizes = np.bincount(groups[groups >= 0]).astype("float64")
    fired = _fired_pairs(
        coded,
        groups,
        sizes * (sizes - 1) / 2,
        keep=None,
        min_share=min_share,
        min_items=min_items,
        alpha=alpha,
    )
    if fired is None:
        return empty_result()
    ids, reasons = _reasons(fired, df.index.to_numpy(), None)
    return rule_result(DUPLICATE_ANSWERS, pd.Index(ids, name="interview_id"), reasons)


class _Teams(NamedTuple):
    """Interviewers working the same localities."""

    pairs: np.ndarray  # interviewer pairs (i * n + j, i < j) sharing at least one locality
    tested: float  # interview pairs they make: Σ m_i × m_j over those interviewer pairs
    team: np.ndarray  # per interviewer, its team: the connected interviewers (shared places)


def _teams(who: np.ndarray, place: np.ndarray) -> _Teams:
    """The interviewer pairs sharing a locality and the teams they link into (connected
    components of the interviewer-locality graph)."""
    # scipy costs a web worker ~50 MB: imported where it is used
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n_who = int(who.max()) + 1
    per_who = np.bincount(who, minlength=n_who).astype("float64")
    known = place >= 0
    n_places = int(place.max()) + 1 if known.any() else 0
    if n_places == 0:
        return _Teams(np.empty(0, dtype="int64"), 0.0, np.arange(n_who))
    works = coo_matrix(
        (np.ones(int(known.sum())), (who[known], place[known])), shape=(n_who, n_places)
    ).tocsr()
    works.data[:] = 1.0
    together = (works @ works.T).tocoo()
    upper = together.row < together.col
    left, right = together.row[upper].astype("int64"), together.col[upper].astype("int64")
    tested = float((per_who[left] * per_who[right]).sum())
    _n, team = connected_components(together, directed=False)
    return _Teams(np.sort(left * n_who + right), tested, team)


def duplicate_across(
    df: pd.DataFrame,
    *,
    items: list[str],
    min_share: float = 0.85,
    min_items: int = 10,
    alpha: float = 0.001,
    categories: Mapping[str, int] | None = None,
    coded: similar.Coded | None = None,
) -> pd.DataFrame:
    """Interviews whose scale answers (nearly) copy an interview of another interviewer who
    worked one of the same sampled localities (a team copying each other; without a
    `sampled_locality` column: any other interviewer of the frame). The test of
    duplicate_answers, with alpha split over the interview pairs of those interviewers."""
    if not items or not has_columns(df, "interviewer_id"):
        return empty_result()
    who = _group_codes(df["interviewer_id"])
    if not (who >= 0).any():
        return empty_result()
    if "sampled_locality" in df.columns:
        place = df["sampled_locality"].astype("object")
        place = _group_codes(place.where(~place.isin(["nan", "None", ""])))
    else:
        place = np.zeros(len(df), dtype="int64")
    teams = _teams(who[who >= 0], place[who >= 0])
    if not len(teams.pairs):
        return empty_result()
    n_who = int(who.max()) + 1

    def worked_together(pairs: np.ndarray) -> np.ndarray:
        a, b = who[pairs[:, 0]], who[pairs[:, 1]]
        return (a != b) & np.isin(np.minimum(a, b) * n_who + np.maximum(a, b), teams.pairs)

    # Candidates only within a team: interviewers linked by the localities they share.
    groups = np.where(who >= 0, teams.team[np.maximum(who, 0)], -1)
    fired = _fired_pairs(
        coded or similar.coded_answers(df, items, categories),
        groups,
        np.full(n_who, teams.tested),
        keep=worked_together,
        min_share=min_share,
        min_items=min_items,
        alpha=alpha,
    )
    if fired is None:
        return empty_result()
    interviewers = df["interviewer_id"].to_numpy(dtype="object")
    ids, reasons = _reasons(fired, df.index.to_numpy(), interviewers)
    return rule_result(DUPLICATE_ACROSS, pd.Index(ids, name="interview_id"), reasons)


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
            ids = sorted(_plain(i) for i in members.index)
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
        out[item] = len(set(scores.get(item, {})) | set(excluded)) or similar.DEFAULT_CATEGORIES
    return out
