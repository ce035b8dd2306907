"""Automatic quality-control rules. Pure: pandas/numpy, no Django, no I/O.

Input frame (built by qc.frames): one row per interview.

    index    interview id (int), named "interview_id"
    columns  duration_seconds  float, seconds spent interviewing (NaN when unknown)
             n_answered        int, answered questions other than notes
             <item> ...        one column per scale item, the answer code as a string
                               (NaN when unanswered); other columns are ignored

Every rule returns the interviews it fires on, as a DataFrame:

    index    interview id (only interviews the rule fires on; ascending)
    columns  rule       str, the rule's name (one of RULES)
             reason     str, Chinese: what a supervisor reads
             reason_en  str, the same in English

Why reasons come out already written in two languages instead of as translatable source
strings: a flag's reason is a record of what the check found when it ran, shown in the review
history beside human decisions, so it is stored as text (qc.services keeps the language of
settings.LANGUAGE_CODE, Chinese by default) rather than re-rendered from a catalogue that may
change later. The parameters are in the text, so nothing is lost.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

RUSHED = "rushed"
STRAIGHTLINING = "straightlining"
RULES = (RUSHED, STRAIGHTLINING)

OUTPUT_COLUMNS = ["rule", "reason", "reason_en"]

# code -> {"zh": label, "en": label}, the label shape of questionnaire definitions.
CodeLabels = Mapping[str, Mapping[str, str]]
# Codes that are not a substantive answer (don't know, refused): one set for every item, or
# a set per item (item -> codes) when the items use different choice lists.
ExcludedCodes = Collection[str] | Mapping[str, Collection[str]]


@dataclass(frozen=True)
class RuleConfig:
    """Thresholds of the automatic rules; the defaults suit a ~7-minute phone interview."""

    seconds_per_item: float = 3.0  # the least time to hear and answer one question
    floor_seconds: float = 60.0  # no complete interview is shorter than this
    straightlining_min_items: int = 8  # fewer answered scale items say too little
    straightlining_max_share: float = 0.9  # share of the most frequent answer that fires


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {column: pd.Series(dtype="str") for column in OUTPUT_COLUMNS},
        index=pd.Index([], dtype="int64", name="interview_id"),
    )


def _result(rule: str, index: pd.Index, reasons: list[tuple[str, str]]) -> pd.DataFrame:
    """The rule's output frame from (Chinese, English) reasons, one per fired interview."""
    out = pd.DataFrame(
        {
            "rule": pd.Series(rule, index=index, dtype="str"),
            "reason": pd.Series([zh for zh, _en in reasons], index=index, dtype="str"),
            "reason_en": pd.Series([en for _zh, en in reasons], index=index, dtype="str"),
        }
    )
    out.index.name = "interview_id"
    return out.sort_index()[OUTPUT_COLUMNS]


def rushed(
    df: pd.DataFrame, *, seconds_per_item: float = 3.0, floor_seconds: float = 60.0
) -> pd.DataFrame:
    """Interviews shorter than max(floor_seconds, n_answered × seconds_per_item).

    An interview whose duration is unknown (NaN) does not fire: there is nothing to judge.
    The reason shows the duration rounded down and the expectation rounded up, so the two
    numbers never read as equal.
    """
    if df.empty:
        return _empty()
    duration = df["duration_seconds"].astype("float64")
    answered = df["n_answered"].astype("int64")
    expected = np.maximum(float(floor_seconds), answered * float(seconds_per_item))
    fired = duration < expected  # NaN compares False
    if not fired.any():
        return _empty()
    took = np.floor(duration[fired]).astype("int64")
    need = np.ceil(expected[fired]).astype("int64")
    reasons = [
        (
            f"访问用时 {t} 秒，已答 {n} 题，应至少 {e} 秒",
            f"Interview took {t} s for {n} answered questions; at least {e} s expected",
        )
        for t, n, e in zip(took, answered[fired], need, strict=True)
    ]
    return _result(RUSHED, took.index, reasons)


def _substantive_answers(
    df: pd.DataFrame, items: list[str], excluded_codes: ExcludedCodes
) -> pd.DataFrame:
    """The item columns with excluded codes (don't know, refused) blanked to NaN."""
    answers = df.reindex(columns=items).astype("object")
    per_item = isinstance(excluded_codes, Mapping)
    for item in items:
        codes = excluded_codes.get(item, ()) if per_item else excluded_codes
        if codes:
            answers[item] = answers[item].mask(answers[item].isin(list(codes)))
    return answers


def straightlining(
    df: pd.DataFrame,
    *,
    items: list[str],
    excluded_codes: ExcludedCodes = (),
    min_items: int = 8,
    max_share: float = 0.9,
    code_labels: CodeLabels | None = None,
) -> pd.DataFrame:
    """Interviews giving (almost) the same answer to every scale item.

    Among the items answered with a substantive code (excluded codes and unanswered items do
    not count), fires when at least `min_items` are answered and the most frequent code makes
    up at least `max_share` of them. Ties between equally frequent codes name the smallest code.
    The reason names the answer by its label from `code_labels` (code -> {"zh", "en"}) when
    given, else by its code.
    """
    if df.empty or not items:
        return _empty()
    answers = _substantive_answers(df, items, excluded_codes)
    answers.index = answers.index.rename("interview_id")
    pairs = answers.reset_index().melt(id_vars="interview_id", value_name="code")
    pairs = pairs[pairs["code"].notna()]
    if pairs.empty:
        return _empty()
    pairs = pairs.assign(code=pairs["code"].astype("str"))
    counts = pairs.groupby(["interview_id", "code"], sort=True).size().rename("count")
    counts = counts.reset_index().sort_values(
        ["interview_id", "count", "code"], ascending=[True, False, True], kind="stable"
    )
    top = counts.drop_duplicates("interview_id").set_index("interview_id")
    n_valid = counts.groupby("interview_id")["count"].sum()
    top["n_valid"] = n_valid
    fired = (top["n_valid"] >= min_items) & (top["count"] / top["n_valid"] >= max_share)
    top = top[fired]
    if top.empty:
        return _empty()
    labels = code_labels or {}
    reasons = []
    for code, count, total in zip(top["code"], top["count"], top["n_valid"], strict=True):
        label = labels.get(code, {})
        zh = label.get("zh") or code
        en = label.get("en") or zh
        reasons.append(
            (
                f"{total} 项量表题中 {count} 项回答「{zh}」",
                f"{count} of {total} scale items answered '{en}'",
            )
        )
    return _result(STRAIGHTLINING, top.index, reasons)


def run_rules(
    df: pd.DataFrame,
    *,
    items: list[str],
    excluded_codes: ExcludedCodes = (),
    config: RuleConfig = RuleConfig(),  # noqa: B008 - frozen, so a shared default is safe
    code_labels: CodeLabels | None = None,
) -> pd.DataFrame:
    """Every automatic rule, one row per (interview, rule) that fired.

    Same columns as each rule; the index (interview id) repeats when several rules fire on
    one interview. Rows are ordered by interview id, then in the order of RULES.
    """
    results = [
        rushed(df, seconds_per_item=config.seconds_per_item, floor_seconds=config.floor_seconds),
        straightlining(
            df,
            items=items,
            excluded_codes=excluded_codes,
            min_items=config.straightlining_min_items,
            max_share=config.straightlining_max_share,
            code_labels=code_labels,
        ),
    ]
    fired = [result for result in results if not result.empty]
    if not fired:
        return _empty()
    # The results are in the order of RULES; a stable sort keeps it within each interview.
    out = pd.concat(fired).sort_index(kind="stable")
    out.index.name = "interview_id"
    return out
