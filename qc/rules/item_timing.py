"""Rules on the per-question paradata the interview page measures in the browser: reading speed
question by question, answers changed in patterns, long pauses (the audio audit's speech is
qc.rules.speech). Pure: no Django.

They judge only interviews whose paradata hold per-question logs (`item_logged` true; the
columns come from qc.rule_input, from qc.paradata.item_summary): an interview taken without
them (on an older page, imported from another system) is left to the page-level rules
(rushed, rushed_relative, and fast_items, whose per-question times are then estimated from
the page's time). fast_items itself uses the measured times wherever a page has them.

Columns read (a rule whose columns are missing returns no rows):
    item_logged            bool, the interview has per-question logs
    <question>__seconds    float s measured per question (with reading_chars)
    item_changes           int, answers changed after a first answer
    item_returns           int, changes back to an earlier answer (A → B → A)
    n_answered             int
    longest_pause_seconds  float s, the longest time on a page in the foreground without any
                           event
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from qc.rules import (
    ANSWER_CHANGES,
    LONG_PAUSES,
    READING_SPEED,
    Reason,
    RuleConfig,
    empty_result,
    has_columns,
    rule_result,
)
from qc.rules.timing import SECONDS_SUFFIX


def _logged(df: pd.DataFrame) -> np.ndarray:
    return df["item_logged"].fillna(False).astype(bool).to_numpy()


def reading_speed(
    df: pd.DataFrame,
    *,
    reading_chars: Mapping[str, int],
    max_chars_per_second: float = 15.0,
    min_items: int = 5,
) -> pd.DataFrame:
    """Interviews whose median reading speed over their measured questions (label characters
    per second spent on the question) is above `max_chars_per_second`: faster than anyone
    reads aloud, so the questions were not read. Needs `min_items` answered measured
    questions with a label."""
    questions = [q for q, c in reading_chars.items() if c and f"{q}{SECONDS_SUFFIX}" in df]
    if df.empty or not questions or not has_columns(df, "item_logged"):
        return empty_result()
    columns = [f"{q}{SECONDS_SUFFIX}" for q in questions]
    seconds = df[columns].to_numpy(dtype="float64", copy=True)
    chars = np.array([reading_chars[q] for q in questions], dtype="float64")
    seconds[~_logged(df)] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(seconds > 0, chars[None, :] / seconds, np.inf)
    speed[np.isnan(seconds)] = np.nan
    counted = (~np.isnan(speed)).sum(axis=1)
    enough = counted >= min_items
    median = np.full(len(df), np.nan)
    if enough.any():
        median[enough] = np.nanmedian(speed[enough], axis=1)
    fired = enough & (median > max_chars_per_second)
    if not fired.any():
        return empty_result()
    reasons: list[Reason] = []
    names = np.array(questions, dtype=object)
    for row in np.flatnonzero(fired):
        value, n, most = float(median[row]), int(counted[row]), max_chars_per_second
        fastest = names[np.argsort(-np.nan_to_num(speed[row], nan=-1.0))[:5]]
        shown = "∞" if np.isinf(value) else f"{value:.1f}"
        reasons.append(
            (
                f"{n} 道计时题的中位阅读速度为每秒 {shown} 字，超过每秒 {most:g} 字",
                f"Median reading speed over {n} measured questions was {shown} characters/s, "
                f"above {max_chars_per_second:g}",
                {
                    "median_chars_per_second": None if np.isinf(value) else round(value, 2),
                    "n_measured": n,
                    "max_chars_per_second": float(max_chars_per_second),
                    "fastest_questions": [str(q) for q in fastest],
                },
            )
        )
    return rule_result(READING_SPEED, df.index[fired], reasons)


def answer_changes(
    df: pd.DataFrame, *, max_share: float = 0.3, min_changes: int = 5, min_returns: int = 3
) -> pd.DataFrame:
    """Interviews with many answers changed (at least `min_changes`, and more than `max_share`
    of the answered questions), or at least `min_returns` changes back to an answer given
    before: answers tried out until the path got shorter, or typed in after the fact."""
    if not has_columns(df, "item_logged", "item_changes", "item_returns", "n_answered"):
        return empty_result()
    logged = _logged(df)
    changes = df["item_changes"].fillna(0).astype("int64").to_numpy()
    returns = df["item_returns"].fillna(0).astype("int64").to_numpy()
    answered = df["n_answered"].astype("int64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(answered > 0, changes / np.maximum(answered, 1), 0.0)
    many = (changes >= min_changes) & (share > max_share)
    fired = logged & (many | (returns >= min_returns))
    if not fired.any():
        return empty_result()
    reasons = [
        (
            f"已答 {n} 题中改答 {c} 次，其中 {r} 次改回先前的答案",
            f"{c} answer changes over {n} answered questions, {r} of them back to an earlier "
            "answer",
            {
                "changes": int(c),
                "returns": int(r),
                "n_answered": int(n),
                "share": round(float(s), 4),
            },
        )
        for c, r, n, s in zip(
            changes[fired], returns[fired], answered[fired], share[fired], strict=True
        )
    ]
    return rule_result(ANSWER_CHANGES, df.index[fired], reasons)


def long_pauses(df: pd.DataFrame, *, pause_seconds: float = 300.0) -> pd.DataFrame:
    """Interviews with a page on screen (in the foreground) for `pause_seconds` or more
    without anything being touched: the respondent may have left, or someone else answered."""
    if not has_columns(df, "item_logged", "longest_pause_seconds"):
        return empty_result()
    pause = df["longest_pause_seconds"].astype("float64").to_numpy()
    fired = _logged(df) & (pause >= pause_seconds)  # NaN compares False
    if not fired.any():
        return empty_result()
    reasons = [
        (
            f"页面停留 {int(p)} 秒无任何操作（阈值 {int(pause_seconds)} 秒）",
            f"A page stayed {int(p)} s without anything touched (threshold {int(pause_seconds)} s)",
            {"longest_pause_seconds": round(float(p), 1), "pause_seconds": float(pause_seconds)},
        )
        for p in pause[fired]
    ]
    return rule_result(LONG_PAUSES, df.index[fired], reasons)


def item_rules(
    df: pd.DataFrame, config: RuleConfig, reading_chars: Mapping[str, int]
) -> dict[str, pd.DataFrame]:
    """This module's rules with their thresholds, by rule code (qc.rules.engine.run_rules)."""
    return {
        READING_SPEED: reading_speed(
            df,
            reading_chars=reading_chars,
            max_chars_per_second=config.reading_max_chars_per_second,
            min_items=config.reading_min_items,
        ),
        ANSWER_CHANGES: answer_changes(
            df,
            max_share=config.changes_max_share,
            min_changes=config.changes_min_changes,
            min_returns=config.changes_min_returns,
        ),
        LONG_PAUSES: long_pauses(df, pause_seconds=config.pause_seconds),
    }
