"""Back-checks (回访复核): which interviews to re-verify, by whom, and how far the answers
differ. Pure: no Django, no I/O; randomness only from the seed passed in.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from questionnaires import answers

# The rule of the flag a failed back-check raises; it survives re-checks of the interview.
BACKCHECK_RULE = "backcheck_discrepancy"

SAFETY_DIMENSION = "sense_of_safety"
FALLBACK_OTHERS = 3  # scale items of other dimensions added when no question is marked


def _scale_questions(definition: Mapping) -> list[dict]:
    lists = definition.get("choice_lists", {})
    return [
        question
        for group in definition.get("groups", [])
        for question in group.get("questions", [])
        if question.get("type") == "select_one"
        and question.get("dimension")
        and any(c.get("score") is not None for c in lists.get(question.get("list") or "", []))
    ]


def key_questions(definition: Mapping) -> list[str]:
    """Keys (paths, questionnaires.answers.key) of the questions a back-check re-asks, in
    questionnaire order.

    The questions marked `backcheck: true` in the definition; when none is marked, the scale
    items of the sense-of-safety dimension plus the first FALLBACK_OTHERS other scale items.
    """
    marked = [
        answers.key(question)
        for group in definition.get("groups", [])
        for question in group.get("questions", [])
        if question.get("backcheck")
    ]
    if marked:
        return marked
    scale = _scale_questions(definition)
    keys = [answers.key(q) for q in scale]
    safety = {key for key, q in zip(keys, scale, strict=True)
              if q.get("dimension") == SAFETY_DIMENSION}  # fmt: skip
    others = [key for key in keys if key not in safety][:FALLBACK_OTHERS]
    chosen = safety | set(others)
    return [key for key in keys if key in chosen]


def interviewer_shares(
    stats: pd.DataFrame,
    *,
    share: float,
    share_high_risk: float,
    share_new: float,
    high_risk_flag_rate: float,
    new_below: int,
) -> pd.DataFrame:
    """The share of each interviewer's interviews to back-check.

    `stats`: index interviewer id; columns completed (int, this wave), flagged (int, of those
    with at least one flag) and prior (int, completed interviews before this wave).
    Returns index as given; columns flag_rate (float, NaN with no completes), high_risk
    (flag_rate > high_risk_flag_rate), new (prior < new_below) and share (float in [0, 1]):
    the largest of the shares that apply.
    """
    out = pd.DataFrame(index=stats.index)
    completed = stats["completed"].astype(float)
    out["flag_rate"] = stats["flagged"].astype(float) / completed.where(completed > 0)
    out["high_risk"] = (out["flag_rate"] > high_risk_flag_rate).fillna(False).astype(bool)
    out["new"] = (stats["prior"] < new_below).astype(bool)
    shares = np.full(len(stats), float(share))
    shares = np.where(out["high_risk"], np.maximum(shares, share_high_risk), shares)
    shares = np.where(out["new"], np.maximum(shares, share_new), shares)
    out["share"] = np.clip(shares, 0.0, 1.0)
    return out


def select(candidates: pd.DataFrame, shares: Mapping[Any, float], seed: int) -> list[int]:
    """A seeded random ceil(share × n) of each interviewer's candidate interviews.

    `candidates`: columns interview_id, interviewer_id (one row per interview that may be
    back-checked). `shares`: interviewer id -> share (missing: 0). The same candidates, shares
    and seed give the same ids whatever the row order. Returns interview ids, ascending.
    """
    rng = np.random.default_rng(seed)
    chosen: list[int] = []
    ordered = candidates.sort_values(["interviewer_id", "interview_id"])
    for interviewer_id, group in ordered.groupby("interviewer_id", sort=True):
        ids = group["interview_id"].to_numpy()
        n = min(len(ids), math.ceil(round(shares.get(interviewer_id, 0.0) * len(ids), 9)))
        if n:
            chosen.extend(int(i) for i in rng.choice(ids, size=n, replace=False))
    return sorted(chosen)


def assign(
    selected: pd.DataFrame,
    checkers: Sequence[int],
    seed: int,
    excluded: Mapping[int, Iterable[int]] | None = None,
) -> dict[int, int]:
    """interview id -> checker id: never the interview's own interviewer, load balanced.

    `selected`: columns interview_id, interviewer_id. `excluded`: interview id -> the people
    who may not check it either (a re-interview's earlier interviewers and checkers).
    Interviews are taken in a seeded random order; each goes to the eligible checker with the
    fewest back-checks so far (ties: the checker earlier in a seeded shuffle of `checkers`).
    Raises ValueError naming the interview when no eligible checker exists.
    """
    excluded = excluded or {}
    rng = np.random.default_rng(seed)
    order = [int(c) for c in rng.permutation(sorted(set(checkers)))]
    load = dict.fromkeys(order, 0)
    rows = selected.sort_values("interview_id")
    rows = rows.iloc[rng.permutation(len(rows))] if len(rows) else rows
    result: dict[int, int] = {}
    for interview_id, interviewer_id in zip(
        rows["interview_id"], rows["interviewer_id"], strict=True
    ):
        barred = {int(interviewer_id), *(int(i) for i in excluded.get(int(interview_id), ()))}
        eligible = [c for c in order if c not in barred]
        if not eligible:
            raise ValueError(
                f"Interview {interview_id}: no back-check interviewer other than those who "
                "interviewed or checked it."
            )
        checker = min(eligible, key=lambda c: load[c])
        load[checker] += 1
        result[int(interview_id)] = int(checker)
    return result


def normal_answer(value: Any) -> str | tuple[str, ...] | None:
    """Comparable form of an answer: None when unanswered; select_multiple as a sorted tuple."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list | tuple):
        return tuple(sorted(str(v) for v in value))
    return str(value).strip()


def discrepancy(
    original: Mapping[str, Any], recheck: Mapping[str, Any], questions: Iterable[str]
) -> tuple[list[str], float | None]:
    """The questions answered differently, and their share.

    Only questions answered in the back-check count (the respondent may decline one); a
    question the original interview left unanswered but the back-check answered counts as
    different. Returns (names that differ in `questions` order, differing / compared), the
    rate None when nothing was compared.
    """
    compared = 0
    differing: list[str] = []
    for name in questions:
        again = normal_answer(recheck.get(name))
        if again is None:
            continue
        compared += 1
        if normal_answer(original.get(name)) != again:
            differing.append(name)
    return differing, (len(differing) / compared if compared else None)
