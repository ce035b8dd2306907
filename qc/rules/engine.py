"""Every automatic rule in one call: run_rules passes each rule its thresholds (RuleConfig)
and the questionnaire facts it needs, and combines what fired in the order of RULES.
Pure: no Django.
"""

from collections.abc import Mapping

import pandas as pd

from qc.rules import (
    ACQUIESCENCE,
    CONTRADICTION,
    DUPLICATE_ACROSS,
    DUPLICATE_ANSWERS,
    DUPLICATE_CONTACT,
    FAST_ITEMS,
    INCONSISTENT,
    ITEM_NONRESPONSE,
    LOCALITY_MISMATCH,
    NO_SPEECH,
    OFF_HOURS,
    OVERLAPPING,
    RESPONDENT_MISMATCH,
    RULES,
    RUSHED,
    RUSHED_RELATIVE,
    SHORT_OPEN_ANSWERS,
    STRAIGHTLINING,
    CodeLabels,
    ExcludedCodes,
    ItemScores,
    RuleConfig,
    empty_result,
)
from qc.rules.answers import acquiescence, item_nonresponse, short_open_answers, straightlining
from qc.rules.coding import ItemCodes, item_codes
from qc.rules.consistency import (
    contradiction,
    inconsistent,
    item_column,
    locality_mismatch,
    respondent_mismatch,
    same_dimension_items,
)
from qc.rules.duplicates import (
    answer_categories,
    duplicate_across,
    duplicate_answers,
    duplicate_contact,
)
from qc.rules.item_timing import item_rules
from qc.rules.similar import coded_answers
from qc.rules.speech import no_speech
from qc.rules.timing import fast_items, off_hours, overlapping, rushed, rushed_relative


def _timing_rules(
    df: pd.DataFrame, config: RuleConfig, reading_chars: Mapping[str, int]
) -> dict[str, pd.DataFrame]:
    return {
        RUSHED: rushed(
            df, seconds_per_item=config.seconds_per_item, floor_seconds=config.floor_seconds
        ),
        RUSHED_RELATIVE: rushed_relative(
            df,
            fraction=config.rushed_relative_fraction,
            min_interviews=config.rushed_relative_min_interviews,
        ),
        OFF_HOURS: off_hours(
            df,
            start=config.working_hours_start,
            end=config.working_hours_end,
            timezone=config.timezone,
        ),
        OVERLAPPING: overlapping(df),
        NO_SPEECH: no_speech(df, max_share=config.no_speech_max_share),
        FAST_ITEMS: fast_items(
            df,
            reading_chars=reading_chars,
            chars_per_second=config.chars_per_second,
            min_items=config.fast_items_min_items,
            max_share=config.fast_items_max_share,
        ),
    }


def _answer_rules(
    df: pd.DataFrame,
    config: RuleConfig,
    *,
    items: list[str],
    excluded_codes: ExcludedCodes,
    code_labels: CodeLabels | None,
    scores: ItemScores,
    open_items: list[str],
    batteries: Mapping[str, list[str]] | None,
    coded: ItemCodes,
) -> dict[str, pd.DataFrame]:
    return {
        STRAIGHTLINING: straightlining(
            df,
            items=items,
            excluded_codes=excluded_codes,
            min_items=config.straightlining_min_items,
            max_share=config.straightlining_max_share,
            code_labels=code_labels,
            batteries=batteries,
            coded=coded,
        ),
        ITEM_NONRESPONSE: item_nonresponse(
            df,
            items=items,
            excluded_codes=excluded_codes,
            max_share=config.item_nonresponse_max_share,
            min_items=config.item_nonresponse_min_items,
            coded=coded,
        ),
        ACQUIESCENCE: acquiescence(
            df,
            items=items,
            scores=scores,
            min_items=config.acquiescence_min_items,
            min_share=config.acquiescence_min_share,
            coded=coded,
        ),
        SHORT_OPEN_ANSWERS: short_open_answers(
            df, open_items=open_items, min_chars=config.open_min_chars
        ),
    }


def _duplicate_rules(
    df: pd.DataFrame,
    config: RuleConfig,
    *,
    items: list[str],
    excluded_codes: ExcludedCodes,
    scores: ItemScores | None,
    coded: ItemCodes,
) -> dict[str, pd.DataFrame]:
    categories = answer_categories(items, excluded_codes, scores)
    similar = {
        "items": items,
        "min_share": config.duplicate_min_share,
        "min_items": config.duplicate_min_items,
        "alpha": config.duplicate_alpha,
        "categories": categories,
        "coded": coded_answers(df, items, categories, coded) if items and len(df) else None,
    }
    return {
        DUPLICATE_ANSWERS: duplicate_answers(df, **similar),
        DUPLICATE_ACROSS: duplicate_across(df, **similar),
        DUPLICATE_CONTACT: duplicate_contact(df),
    }


def _consistency_rules(
    df: pd.DataFrame,
    config: RuleConfig,
    *,
    items: list[str],
    scores: ItemScores,
    dimensions: Mapping[str, str],
) -> dict[str, pd.DataFrame]:
    overall = item_column(df, config.overall_item)
    return {
        LOCALITY_MISMATCH: locality_mismatch(df),
        RESPONDENT_MISMATCH: respondent_mismatch(df, age_tolerance=config.respondent_age_tolerance),
        INCONSISTENT: inconsistent(df),
        CONTRADICTION: contradiction(
            df,
            overall_item=overall,
            specific_items=same_dimension_items(overall, items, dimensions),
            scores=scores,
            min_items=config.contradiction_min_items,
            high=config.contradiction_high,
            low=config.contradiction_low,
        ),
    }


def run_rules(
    df: pd.DataFrame,
    *,
    items: list[str],
    excluded_codes: ExcludedCodes = (),
    config: RuleConfig = RuleConfig(),  # noqa: B008 - frozen, so a shared default is safe
    code_labels: CodeLabels | None = None,
    scores: ItemScores | None = None,
    dimensions: Mapping[str, str] | None = None,
    reading_chars: Mapping[str, int] | None = None,
    open_items: list[str] | None = None,
    batteries: Mapping[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Every automatic rule, one row per (interview, rule) that fired.

    Same columns as each rule; the index (interview id) repeats when several rules fire on
    one interview. Rows are ordered by interview id, then in the order of RULES.
    The questionnaire facts some rules need (qc.rule_input.InterviewsFrame carries them all;
    qc.rule_input.run_frame_rules passes them): `scores` item -> {code: score} (acquiescence,
    contradiction), `dimensions` item -> dimension (the specific items of
    config.overall_item), `reading_chars` question -> label characters (fast_items),
    `open_items` text questions (short_open_answers), `batteries` name -> scale items
    (straightlining per battery as well as over all items). A rule without its facts or columns
    returns no rows.
    """
    coded = item_codes(df, items)
    results = (
        _timing_rules(df, config, reading_chars or {})
        | _answer_rules(
            df,
            config,
            items=items,
            excluded_codes=excluded_codes,
            code_labels=code_labels,
            scores=scores or {},
            open_items=open_items or [],
            batteries=batteries,
            coded=coded,
        )
        | _duplicate_rules(
            df, config, items=items, excluded_codes=excluded_codes, scores=scores, coded=coded
        )
        | _consistency_rules(
            df, config, items=items, scores=scores or {}, dimensions=dimensions or {}
        )
        | item_rules(df, config, reading_chars or {})
    )
    fired = [results[rule] for rule in RULES if not results[rule].empty]
    if not fired:
        return empty_result()
    # In the order of RULES; a stable sort keeps it within each interview.
    out = pd.concat(fired).sort_index(kind="stable")
    out.index.name = "interview_id"
    return out
