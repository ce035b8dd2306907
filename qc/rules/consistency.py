"""Consistency rules: the questionnaire's own checks (qc_check) failing, an overall rating
contradicting every specific item of its dimension, the respondent naming another street
than the sampled one, and a door-to-door respondent who is not the household member the
selection chose. Pure: no Django.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from qc.rules import (
    CONTRADICTION,
    INCONSISTENT,
    LOCALITY_MISMATCH,
    RESPONDENT_MISMATCH,
    ItemScores,
    empty_result,
    has_columns,
    rule_result,
)
from qc.rules.answers import score_matrix


def locality_mismatch(df: pd.DataFrame) -> pd.DataFrame:
    """Interviews whose respondent named a street other than the sampled one (both known).

    The reason names the streets by `sampled_locality_name`/`said_locality_name` where the
    frame has them, else by code; the details keep the codes.
    """
    if not has_columns(df, "sampled_locality", "said_locality"):
        return empty_result()
    sampled = df["sampled_locality"].astype("object")
    said = df["said_locality"].astype("object")
    known = sampled.notna() & said.notna()
    fired = known & (sampled.where(known, "").astype(str) != said.where(known, "").astype(str))
    if not fired.any():
        return empty_result()
    sampled_name = _names(df, "sampled_locality_name", sampled)
    said_name = _names(df, "said_locality_name", said)
    reasons = []
    for a, b, a_name, b_name in zip(
        said[fired], sampled[fired], said_name[fired], sampled_name[fired], strict=True
    ):
        details = {"said_locality": str(a), "sampled_locality": str(b)}
        if (a_name, b_name) != (str(a), str(b)):
            details |= {"said_locality_name": a_name, "sampled_locality_name": b_name}
        reasons.append(
            (
                f"受访者所述街道“{a_name}”与抽样街道“{b_name}”不一致",
                f"Respondent named street {a_name}; the sampled street is {b_name}",
                details,
            )
        )
    return rule_result(LOCALITY_MISMATCH, df.index[fired.to_numpy()], reasons)


def _names(df: pd.DataFrame, column: str, codes: pd.Series) -> pd.Series:
    """A locality's name where the frame has it, else its code, as text."""
    if column not in df.columns:
        return codes.astype(str)
    names = df[column].astype("object")
    usable = names.notna() & names.astype(str).str.strip().ne("") & names.astype(str).ne("nan")
    return names.where(usable, codes).astype(str)


SEX_WORDS = {"M": ("男", "male"), "F": ("女", "female")}


def respondent_mismatch(df: pd.DataFrame, *, age_tolerance: int = 2) -> pd.DataFrame:
    """Door-to-door interviews whose respondent is not the household member the selection
    chose: the recorded sex differs from the selected member's, or the recorded age is more
    than `age_tolerance` years from theirs (only what both sides know is compared).

    The same comparison, one interview at a time, is sampling.household.differences.
    """
    columns = ("selected_sex", "selected_age", "said_sex", "said_age")
    if not has_columns(df, *columns):
        return empty_result()
    selected_sex = df["selected_sex"].astype("object")
    said_sex = df["said_sex"].astype("object")
    selected_age = pd.to_numeric(df["selected_age"], errors="coerce")
    said_age = pd.to_numeric(df["said_age"], errors="coerce")
    sex_known = selected_sex.isin(["M", "F"]) & said_sex.isin(["M", "F"])
    sex_differs = sex_known & (selected_sex != said_sex)
    age_differs = ((said_age - selected_age).abs() > age_tolerance).fillna(False)
    fired = (sex_differs | age_differs).to_numpy(dtype=bool)
    if not fired.any():
        return empty_result()
    reasons = []
    for row in np.flatnonzero(fired):
        sex, age = selected_sex.iloc[row], selected_age.iloc[row]
        zh_parts, en_parts = [], []
        if sex_differs.iloc[row]:
            zh_parts.append(f"性别记录为{SEX_WORDS[said_sex.iloc[row]][0]}")
            en_parts.append(f"sex recorded as {SEX_WORDS[said_sex.iloc[row]][1]}")
        if age_differs.iloc[row]:
            zh_parts.append(f"年龄记录为 {said_age.iloc[row]:g} 岁")
            en_parts.append(f"age recorded as {said_age.iloc[row]:g}")
        zh_sex, en_sex = SEX_WORDS.get(sex, ("", ""))
        reasons.append(
            (
                f"受访者与入户抽选的成员（{zh_sex}，{age:g} 岁）不符：{'，'.join(zh_parts)}"
                f"（年龄允许相差 {age_tolerance} 岁）",
                f"Respondent is not the household member selected ({en_sex}, {age:g}): "
                f"{'; '.join(en_parts)} (ages may differ by {age_tolerance} years)",
                {
                    "selected_sex": str(sex),
                    "selected_age": float(age),
                    "said_sex": None if pd.isna(said_sex.iloc[row]) else str(said_sex.iloc[row]),
                    "said_age": None if pd.isna(said_age.iloc[row]) else float(said_age.iloc[row]),
                    "age_tolerance": age_tolerance,
                },
            )
        )
    return rule_result(RESPONDENT_MISMATCH, df.index[fired], reasons)


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
    # .str.len() counts a list's elements (NaN for a missing value), without a Python loop
    fired = (failures.astype("object").str.len().fillna(0) > 0).to_numpy()
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
