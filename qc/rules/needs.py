"""What each rule needs, and which rules a frame cannot feed. Pure: no Django.

A rule without its columns or questionnaire facts returns no rows; on a delivered file that
silence reads as "all clear". `not_run` says instead, once per rule, what is missing, in
Chinese and English (like a flag's reason), so that the qc_check output and the batch say
"fast_items: no seconds per question in the file" rather than nothing.
"""

from collections.abc import Mapping

import pandas as pd

from qc.rules import (
    ACQUIESCENCE,
    ANSWER_CHANGES,
    CONTRADICTION,
    DUPLICATE_ACROSS,
    DUPLICATE_ANSWERS,
    DUPLICATE_CONTACT,
    FAST_ITEMS,
    INCONSISTENT,
    ITEM_NONRESPONSE,
    LOCALITY_MISMATCH,
    LONG_PAUSES,
    NO_SPEECH,
    OFF_HOURS,
    OVERLAPPING,
    READING_SPEED,
    RESPONDENT_MISMATCH,
    RULES,
    RUSHED,
    RUSHED_RELATIVE,
    SHORT_OPEN_ANSWERS,
    STRAIGHTLINING,
    RuleConfig,
)
from qc.rules.timing import SECONDS_SUFFIX

# (Chinese, English) of each missing thing.
_MISSING = {
    "duration": ("没有访问时长（开始与结束时间）", "no interview duration (start and end times)"),
    "started": ("没有开始时间", "no start times"),
    "times": ("没有开始与结束时间", "no start and end times"),
    "interviewer": ("没有访员", "no interviewers"),
    "items": (
        "问卷中没有量表题组（共用选项列表的单选题）",
        "no scale battery in the form (select_one questions sharing a choice list)",
    ),
    "few_items": ("量表题太少", "too few scale items"),
    "scores": ("选项没有分值（score 列）", "no choice scores (score column)"),
    "seconds": (
        "没有每题用时（<题名>__seconds 列）",
        "no seconds per question (<question>__seconds columns)",
    ),
    "localities": ("没有抽样街道与受访者所答街道", "no sampled street and no street answered"),
    "contacts": ("没有电话号码或住户", "no phone numbers or households"),
    "open": ("问卷中没有开放题", "no open (text) question in the form"),
    "checks": ("问卷中没有 qc_check 检查", "no qc_check expressions in the form"),
    "selection": ("没有入户抽选的家庭成员", "no household member selections"),
    "speech": (
        "没有录音的人声占比（speech_share 列）",
        "no speech share of recordings (speech_share column)",
    ),
    "paradata": (
        "没有逐题过程数据（访问页面记录的每题用时与改答）",
        "no per-question paradata (times and answer changes the interview page records)",
    ),
    "off": ("已关闭（设置中条目数为 0）", "switched off (items needed set to 0)"),
    "overall": ("问卷中没有总体评价题", "no overall rating question in the form"),
    "median": (
        "已知时长的访问太少，无法计算中位数",
        "too few interviews with a duration for a median",
    ),
}


def _known(df: pd.DataFrame, column: str) -> bool:
    return column in df.columns and bool(df[column].notna().any())


def _text_known(df: pd.DataFrame, column: str) -> bool:
    if column not in df.columns:
        return False
    values = df[column].astype("object")
    return bool((values.notna() & ~values.isin(["nan", "None", ""])).any())


def _missing(
    df: pd.DataFrame,
    config: RuleConfig,
    items: list[str],
    facts: Mapping[str, object],
) -> dict[str, str]:
    """Rule -> the key of what it lacks (rules that can run are absent)."""
    duration = _known(df, "duration_seconds")
    logged = "item_logged" in df.columns and bool(
        df["item_logged"].fillna(False).astype(bool).any()
    )
    scale = "items" if not items else ("few_items" if len(items) < 2 else "")
    out = {
        RUSHED: "" if duration else "duration",
        RUSHED_RELATIVE: "" if duration else "duration",
        OFF_HOURS: "" if _known(df, "started_at") else "started",
        OVERLAPPING: "" if _known(df, "started_at") and _known(df, "completed_at") else "times",
        FAST_ITEMS: "" if any(c.endswith(SECONDS_SUFFIX) for c in df.columns) else "seconds",
        STRAIGHTLINING: scale
        or ("" if len(items) >= config.straightlining_min_items else "few_items"),
        ITEM_NONRESPONSE: scale,
        DUPLICATE_ANSWERS: scale
        or ("" if len(items) >= config.duplicate_min_items else "few_items"),
        DUPLICATE_ACROSS: scale
        or ("" if len(items) >= config.duplicate_min_items else "few_items"),
        ACQUIESCENCE: "off"
        if config.acquiescence_min_items == 0
        else ("" if facts.get("scores") else "scores"),
        CONTRADICTION: "" if facts.get("overall") else "overall",
        LOCALITY_MISMATCH: ""
        if _text_known(df, "sampled_locality") and _text_known(df, "said_locality")
        else "localities",
        DUPLICATE_CONTACT: ""
        if _text_known(df, "phone_key") or _text_known(df, "household_key")
        else "contacts",
        SHORT_OPEN_ANSWERS: "" if facts.get("open_items") else "open",
        INCONSISTENT: "" if facts.get("checks") else "checks",
        RESPONDENT_MISMATCH: ""
        if _text_known(df, "selected_sex") or _known(df, "selected_age")
        else "selection",
        NO_SPEECH: "" if _known(df, "speech_share") else "speech",
        **dict.fromkeys((READING_SPEED, ANSWER_CHANGES, LONG_PAUSES), "" if logged else "paradata"),
    }
    if not _known(df, "interviewer_id"):
        for rule in (OVERLAPPING, DUPLICATE_ANSWERS, DUPLICATE_ACROSS):
            out[rule] = out[rule] or "interviewer"
    if duration and df["duration_seconds"].notna().sum() < config.rushed_relative_min_interviews:
        out[RUSHED_RELATIVE] = "median"
    if facts.get("overall") and not facts.get("scores"):
        out[CONTRADICTION] = "scores"
    return {rule: key for rule, key in out.items() if key}


def not_run(
    df: pd.DataFrame,
    *,
    config: RuleConfig,
    items: list[str],
    scores: Mapping | None = None,
    open_items: list[str] | None = None,
    has_checks: bool = False,
    overall_item: str | None = None,
) -> list[tuple[str, str, str]]:
    """(rule, Chinese, English) for each rule the frame and the questionnaire facts cannot
    feed, in the order of RULES; the text says what is missing."""
    facts = {
        "scores": bool(scores),
        "open_items": bool(open_items),
        "checks": has_checks,
        "overall": bool(overall_item) and overall_item in df.columns,
    }
    missing = _missing(df, config, items, facts)
    return [(rule, *_MISSING[missing[rule]]) for rule in RULES if rule in missing]
