"""Answer-pattern rules: the same answer throughout (straight-lining), agreeing with
everything (acquiescence), many don't know / refused (item non-response), and open answers
too short to say anything. Pure: no Django.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from qc.rules import (
    ACQUIESCENCE,
    ITEM_NONRESPONSE,
    SHORT_OPEN_ANSWERS,
    STRAIGHTLINING,
    CodeLabels,
    ExcludedCodes,
    ItemScores,
    empty_result,
    rule_result,
)
from qc.rules.coding import (
    ItemCodes,
    common_codes,
    excluded_mask,
    item_codes,
    most_frequent,
)


def straightlining(
    df: pd.DataFrame,
    *,
    items: list[str],
    excluded_codes: ExcludedCodes = (),
    min_items: int = 8,
    max_share: float = 0.9,
    code_labels: CodeLabels | None = None,
    batteries: Mapping[str, list[str]] | None = None,
    coded: ItemCodes | None = None,
) -> pd.DataFrame:
    """Interviews giving (almost) the same answer to every scale item of a battery.

    Among the items answered with a substantive code (excluded codes and unanswered items do
    not count), fires when at least `min_items` are answered and the most frequent code makes
    up at least `max_share` of them. Ties between equally frequent codes name the smallest code.
    Judged over all `items` together and over each of `batteries` (name -> items, e.g. the
    scale items of one questionnaire page), so that 14 identical satisfaction answers fire
    even when the 2 safety items differ; the reason names the largest straight-lined set.
    The reason names the answer by its label from `code_labels` (code -> {"zh", "en"}) when
    given, else by its code.
    """
    if df.empty or not items:
        return empty_result()
    coded = coded if coded is not None else item_codes(df, items)
    blank = excluded_mask(coded, excluded_codes)
    sets = {"": items} | {
        name: [item for item in members if item in items]
        for name, members in (batteries or {}).items()
    }
    found = []
    for order, (name, members) in enumerate(sets.items()):
        if len(members) < min_items or (name and members == items):
            continue
        common, texts = common_codes(coded, [coded.position(m) for m in members], blank)
        code, count, n_valid = most_frequent(common)
        keep = (n_valid >= min_items) & (count >= max_share * np.maximum(n_valid, 1))
        if keep.any():
            found.append(
                pd.DataFrame(
                    {
                        "code": np.asarray(texts, dtype=object)[code[keep]],
                        "count": count[keep],
                        "n_valid": n_valid[keep],
                        "battery": name,
                        "order": order,
                        "position": np.flatnonzero(keep),
                    }
                )
            )
    if not found:
        return empty_result()
    top = (
        pd.concat(found)
        .sort_values(["position", "n_valid", "order"], ascending=[True, False, True])
        .drop_duplicates("position")
    )
    top.index = df.index[top["position"].to_numpy()].rename("interview_id")
    return rule_result(STRAIGHTLINING, top.index, _straight_reasons(top, code_labels))


def _straight_reasons(top: pd.DataFrame, code_labels: CodeLabels | None) -> list:
    """The reason per straight-lined interview: the answer by its label, the battery."""
    labels = code_labels or {}
    reasons = []
    for code, count, total, battery in zip(
        top["code"], top["count"], top["n_valid"], top["battery"], strict=True
    ):
        label = labels.get(code, {})
        zh = label.get("zh") or code
        en = label.get("en") or zh
        details = {"code": code, "count": int(count), "n_items": int(total)}
        if battery:
            details["battery"] = battery
            reasons.append(
                (
                    f"{battery} 组 {total} 项量表题中 {count} 项回答「{zh}」",
                    f"{count} of {total} scale items in {battery} answered '{en}'",
                    details,
                )
            )
        else:
            reasons.append(
                (
                    f"{total} 项量表题中 {count} 项回答「{zh}」",
                    f"{count} of {total} scale items answered '{en}'",
                    details,
                )
            )
    return reasons


def item_nonresponse(
    df: pd.DataFrame,
    *,
    items: list[str],
    excluded_codes: ExcludedCodes = (),
    max_share: float = 0.5,
    min_items: int = 5,
    coded: ItemCodes | None = None,
) -> pd.DataFrame:
    """Interviews answering more than `max_share` of their answered scale items with an
    excluded code (don't know, refused).

    Unanswered items (NaN, e.g. skipped by relevance) do not count; an interview with fewer
    than `min_items` answered scale items never fires.
    """
    if df.empty or not items:
        return empty_result()
    coded = coded if coded is not None else item_codes(df, items)
    answered = coded.codes >= 0
    dont_know = excluded_mask(coded, excluded_codes) & answered
    n_answered = answered.sum(axis=1)
    n_dont_know = dont_know.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n_dont_know / n_answered
    fired = (n_answered >= min_items) & (share > max_share)
    if not fired.any():
        return empty_result()
    reasons = [
        (
            f"{a} 项量表题中 {k} 项回答不知道或拒答（{s:.0%}，上限 {max_share:.0%}）",
            f"{k} of {a} scale items answered don't know or refused "
            f"({s:.0%}; limit {max_share:.0%})",
            {"n_items": int(a), "n_dont_know": int(k), "share": float(s)},
        )
        for a, k, s in zip(n_answered[fired], n_dont_know[fired], share[fired], strict=True)
    ]
    return rule_result(ITEM_NONRESPONSE, df.index[fired], reasons)


def score_matrix(
    df: pd.DataFrame, items: list[str], scores: ItemScores, coded: ItemCodes | None = None
) -> np.ndarray:
    """(interviews × items) float: each answer's score, NaN when unanswered or not scored."""
    coded = coded if coded is not None and coded.items == list(items) else item_codes(df, items)
    table = {
        item: {str(k): float(v) for k, v in (scores.get(item) or {}).items()} for item in items
    }
    return coded.lookup(table)


def positive_answers(
    df: pd.DataFrame, items: list[str], scores: ItemScores, coded: ItemCodes | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per interview (arrays in row order): substantive scale answers, and how many of them
    are on the positive side of the scale (score above 50)."""
    values = score_matrix(df, items, scores, coded)
    substantive = ~np.isnan(values)
    return substantive.sum(axis=1), (substantive & (np.nan_to_num(values) > 50)).sum(axis=1)


def acquiescence(
    df: pd.DataFrame,
    *,
    items: list[str],
    scores: ItemScores,
    min_items: int = 12,
    min_share: float = 1.0,
    coded: ItemCodes | None = None,
) -> pd.DataFrame:
    """Interviews agreeing with everything: the share of substantive scale answers on the
    positive side (score above 50, e.g. satisfied/safe) at least `min_share`, over at least
    `min_items` substantive answers.

    Our batteries have no reverse-keyed items, so agreeing with everything is also what a
    truly content respondent does: the rule is low severity, off when `min_items` is 0, and
    the interviewer-level rate against peers (qc.risk.statistics) says more.
    """
    if df.empty or not items or not scores or min_items <= 0:
        return empty_result()
    n_items, n_positive = positive_answers(df, items, scores, coded)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n_positive / n_items
    fired = (n_items >= min_items) & (share >= min_share - 1e-12)
    if not fired.any():
        return empty_result()
    reasons = [
        (
            f"{n} 项量表题中 {k} 项回答偏正面（满意或安全一侧）",
            f"{k} of {n} scale items answered on the positive side (satisfied or safe)",
            {"n_items": int(n), "n_positive": int(k)},
        )
        for n, k in zip(n_items[fired], n_positive[fired], strict=True)
    ]
    return rule_result(ACQUIESCENCE, df.index[fired], reasons)


def short_open_answers(
    df: pd.DataFrame, *, open_items: list[str], min_chars: int = 2
) -> pd.DataFrame:
    """Interviews whose every answered open question has fewer than `min_chars` characters,
    not counting spaces and punctuation (e.g. "无", "好", "。"), over at least one answer."""
    present = [item for item in open_items if item in df.columns]
    if df.empty or not present:
        return empty_result()
    answered = np.zeros((len(df), len(present)), dtype=bool)
    short = np.ones((len(df), len(present)), dtype=bool)
    codes = np.full((len(df), len(present)), -1, dtype="int64")
    distinct_texts = []
    for j, item in enumerate(present):
        # Answers repeat ("无", "没有"): judge each distinct text once.
        codes[:, j], uniques = pd.factorize(df[item].astype("object"), use_na_sentinel=True)
        distinct = pd.Series(np.asarray(uniques, dtype=object)).astype(str)
        said = (distinct.str.strip() != "").to_numpy()
        length = distinct.str.replace(r"[\W_]", "", regex=True).str.len().to_numpy()
        known = codes[:, j] >= 0
        answered[known, j] = said[codes[known, j]]
        short[known, j] = length[codes[known, j]] < min_chars
        distinct_texts.append(distinct.str.strip().tolist())
    n_answered = answered.sum(axis=1)
    fired = (n_answered >= 1) & (answered <= short).all(axis=1)
    if not fired.any():
        return empty_result()
    # One reason per combination of answers: the same short answers, the same reason.
    pattern = np.where(answered[fired], codes[fired], -1)
    combos, which = np.unique(pattern, axis=0, return_inverse=True)
    written = []
    for combo in combos:
        said = [distinct_texts[j][c] for j, c in enumerate(combo) if c >= 0]
        quoted = "、".join(f"「{s}」" for s in said[:3])
        quoted_en = ", ".join(f"'{s}'" for s in said[:3])
        n = len(said)
        written.append(
            (
                f"{n} 道开放题的回答都少于 {min_chars} 个字：{quoted}",
                f"All {n} open answers are shorter than {min_chars} characters: {quoted_en}",
                {"n_open": n, "answers": said, "min_chars": int(min_chars)},
            )
        )
    reasons = [written[k] for k in np.ravel(which)]
    return rule_result(SHORT_OPEN_ANSWERS, df.index[fired], reasons)
