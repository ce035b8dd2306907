"""Consistency rules: the questionnaire's own checks (qc_check) failing, an overall rating
contradicting every specific item of its dimension, and the respondent naming another street
than the sampled one. Pure: no Django.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from qc.rules import (
    CONTRADICTION,
    INCONSISTENT,
    LOCALITY_MISMATCH,
    ItemScores,
    empty_result,
    has_columns,
    rule_result,
)
from qc.rules.answers import score_matrix


def locality_mismatch(df: pd.DataFrame) -> pd.DataFrame:
    """Interviews whose respondent named a street other than the sampled one (both known)."""
    if not has_columns(df, "sampled_locality", "said_locality"):
        return empty_result()
    sampled = df["sampled_locality"].astype("object")
    said = df["said_locality"].astype("object")
    known = sampled.notna() & said.notna()
    fired = known & (sampled.where(known, "").astype(str) != said.where(known, "").astype(str))
    if not fired.any():
        return empty_result()
    # streets by name where the frame has them (the codes stay in the details)
    said_name, sampled_name = (
        df[column].where(df[column].notna(), codes).astype("object")
        if column in df.columns
        else codes
        for column, codes in (("said_locality_name", said), ("sampled_locality_name", sampled))
    )
    reasons = [
        (
            f"受访者所述街道「{a_name}」与抽样街道「{b_name}」不一致",
            f"Respondent named street {a_name}; the sampled street is {b_name}",
            {"said_locality": str(a), "sampled_locality": str(b)},
        )
        for a, b, a_name, b_name in zip(
            said[fired], sampled[fired], said_name[fired], sampled_name[fired], strict=True
        )
    ]
    return rule_result(LOCALITY_MISMATCH, df.index[fired.to_numpy()], reasons)


def item_column(df: pd.DataFrame, item: str) -> str:
    """The frame's column of a configured item: items are columns by question path
    (/group/name); a setting may name the question alone, which is fine while one path ends
    with it."""
    if item in df.columns:
        return item
    ends = [column for column in df.columns if str(column).rsplit("/", 1)[-1] == item]
    return ends[0] if len(ends) == 1 else item


def contradiction(
    df: pd.DataFrame,
    *,
    overall_item: str,
    specific_items: list[str],
    scores: ItemScores,
    min_items: int = 1,
    high: float = 70.0,
    low: float = 40.0,
) -> pd.DataFrame:
    """Interviews whose overall rating contradicts every specific item of its dimension.

    Fires when the overall item is clearly positive (score >= `high`) and each of at least
    `min_items` substantively answered specific items is clearly negative (score <= `low`),
    or the reverse. On the common 100/80/60/40/0 map: "safe" or "very safe" overall with
    every specific item "unsafe" or worse; middle answers contradict nothing.
    """
    overall_item = item_column(df, overall_item)
    specific = [item for item in specific_items if item != overall_item]
    if df.empty or not specific or overall_item not in df.columns or not scores:
        return empty_result()
    overall = score_matrix(df, [overall_item], scores)[:, 0]
    values = score_matrix(df, specific, scores)
    substantive = ~np.isnan(values)
    n_items = substantive.sum(axis=1)
    filled = np.nan_to_num(values, nan=(high + low) / 2)
    all_low = (substantive <= (filled <= low)).all(axis=1)  # every answered one is low
    all_high = (substantive <= (filled >= high)).all(axis=1)
    fired = (n_items >= min_items) & (((overall >= high) & all_low) | ((overall <= low) & all_high))
    if not fired.any():
        return empty_result()
    mean = np.nansum(values, axis=1) / np.maximum(n_items, 1)
    reasons = []
    for row in np.flatnonzero(fired):
        o, n, m = float(overall[row]), int(n_items[row]), float(mean[row])
        zh_side, en_side = ("正面", "positive") if o >= high else ("负面", "negative")
        zh_other, en_other = ("负面", "negative") if o >= high else ("正面", "positive")
        reasons.append(
            (
                f"总体评价 {overall_item} 为{zh_side}（{o:g} 分），但同一维度 {n} 项具体题"
                f"全部为{zh_other}（平均 {m:.0f} 分）",
                f"Overall rating {overall_item} is {en_side} ({o:g}) but all {n} specific "
                f"items of its dimension are {en_other} (mean {m:.0f})",
                {"overall_item": overall_item, "overall_score": o, "n_items": n, "mean": m},
            )
        )
    return rule_result(CONTRADICTION, df.index[fired], reasons)


def inconsistent(df: pd.DataFrame) -> pd.DataFrame:
    """Interviews failing the questionnaire's own consistency checks (`qc_check`).

    Reads `qc_check_failures`: per interview a list of {"question", "zh", "en"} (the failed
    check's question and its message; qc.rule_input evaluates the expressions), empty or NaN
    when every check passed.
    """
    if not has_columns(df, "qc_check_failures"):
        return empty_result()
    failures = df["qc_check_failures"]
    fired = failures.map(lambda value: isinstance(value, list) and len(value) > 0)
    fired = fired.to_numpy(dtype=bool)
    if not fired.any():
        return empty_result()
    reasons = []
    for items in failures[fired]:
        zh = "；".join(
            f"{f['question']}（{f['zh']}）" if f.get("zh") else f["question"] for f in items
        )
        en = "; ".join(
            f"{f['question']} ({f.get('en') or f['zh']})"
            if f.get("en") or f.get("zh")
            else f["question"]
            for f in items
        )
        reasons.append(
            (
                f"逻辑检查未通过：{zh}",
                f"Consistency check failed: {en}",
                {"questions": [f["question"] for f in items]},
            )
        )
    return rule_result(INCONSISTENT, df.index[fired], reasons)


def same_dimension_items(
    overall: str, items: list[str], dimensions: Mapping[str, str]
) -> list[str]:
    """The items of the overall item's dimension, without the overall item."""
    dimension = dimensions.get(overall)
    if not dimension:
        return []
    return [item for item in items if item != overall and dimensions.get(item) == dimension]
