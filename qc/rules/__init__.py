"""Automatic quality-control rules: what every rule shares. Pure: no Django, no I/O.

The rules live by family in qc.rules.timing, qc.rules.answers, qc.rules.duplicates and
qc.rules.consistency; qc.rules.engine.run_rules runs them all in the order of RULES. This
module holds what they share: the rule codes and their order, severities, the thresholds
(RuleConfig), the types of the questionnaire facts, and the frame every rule returns.

Input frame (built by qc.rule_input.build_frame): one row per interview.

    index    interview id (int), named "interview_id"
    columns  duration_seconds  float, seconds spent interviewing (NaN when unknown)
             n_answered        int, answered questions other than notes
             <item> ...        one column per scale item, the answer code as a string
                               (NaN when unanswered); other columns are ignored
             optional, read by the rules that need them (a rule whose columns are missing
             returns no rows):
             wave_id           groups interviews for rushed_relative (NaN: one group)
             interviewer_id    any hashable; overlapping and duplicate_answers compare
                               interviews of one interviewer only (NaN: never compared)
             started_at        datetime64 (UTC, or naive = already local time); off_hours,
             completed_at      overlapping (NaT: not judged)
             sampled_locality  str code of the sampled street, NaN when unknown
             said_locality     str code of the street the respondent named, NaN when unknown
             sampled_locality_name, said_locality_name  their names, for the reason (NaN:
                               the reason names the codes)
             <question>__seconds  float s spent on a question (fast_items), NaN when unknown
             phone_key, household_key  opaque str keys, NaN when unknown (duplicate_contact)
             speech_share      float 0-1, share of the interview's audio with speech (NaN:
                               not recorded) (no_speech, door interviews: mode "door" or
                               no mode column)
             qc_check_failures  list of {"question", "zh", "en"} (inconsistent)
             selected_sex, selected_age  the household member a door-to-door selection
                               chose: "M"/"F" and years (NaN: no selection, or by phone)
             said_sex, said_age  the same as the interview's `sex` and `age` answers
                               (NaN: not answered) (respondent_mismatch)
             <open question>   str answer text (short_open_answers)

Every rule returns the interviews it fires on, as a DataFrame:

    index    interview id (only interviews the rule fires on; ascending)
    columns  rule       str, the rule's name (one of RULES)
             severity   str, "low" | "medium" | "high" (SEVERITIES)
             reason     str, Chinese: what a supervisor reads
             reason_en  str, the same in English
             details    str, JSON object of the numbers behind the reason

Questionnaire facts some rules need come as arguments (run_rules passes them; qc.rule_input
carries them): `scores` item -> {code: 0-100 score}, `dimensions`, `reading_chars` question ->
label characters, `open_items`.

Rules over a population. rushed_relative (median of the wave), overlapping and
duplicate_answers (other interviews of the interviewer; its chance agreement comes from the
whole frame) and duplicate_contact (any interviewer) judge an interview against the other
rows of the frame. Checking a single interview
(qc.services.checks.check_completed_interview) gives a frame of one row, so these rules do
not fire there; they fire when a wave or a set of interviews is checked together
(check_interviews, the qc_check command). rushed_relative also needs at least
RuleConfig.rushed_relative_min_interviews interviews with a known duration in the wave.

Why reasons come out already written in two languages instead of as translatable source
strings: a flag's reason is a record of what the check found when it ran, shown in the review
history beside human decisions, so it is stored as text (qc.services.checks keeps both
languages, and each reader reads their own) rather than re-rendered from a catalogue that may
change later. The parameters are in the text, so nothing is lost.
"""

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

RUSHED = "rushed"
STRAIGHTLINING = "straightlining"
RUSHED_RELATIVE = "rushed_relative"
ITEM_NONRESPONSE = "item_nonresponse"
OFF_HOURS = "off_hours"
OVERLAPPING = "overlapping"
DUPLICATE_ANSWERS = "duplicate_answers"
LOCALITY_MISMATCH = "locality_mismatch"
FAST_ITEMS = "fast_items"
ACQUIESCENCE = "acquiescence"
INCONSISTENT = "inconsistent"
CONTRADICTION = "contradiction"
DUPLICATE_CONTACT = "duplicate_contact"
SHORT_OPEN_ANSWERS = "short_open_answers"
RESPONDENT_MISMATCH = "respondent_mismatch"
NO_SPEECH = "no_speech"
DUPLICATE_ACROSS = "duplicate_across"
# Per-question paradata and audio audits (qc.rules.item_timing).
READING_SPEED = "reading_speed"
ANSWER_CHANGES = "answer_changes"
LONG_PAUSES = "long_pauses"
RULES = (
    RUSHED,
    STRAIGHTLINING,
    RUSHED_RELATIVE,
    ITEM_NONRESPONSE,
    OFF_HOURS,
    OVERLAPPING,
    DUPLICATE_ANSWERS,
    LOCALITY_MISMATCH,
    FAST_ITEMS,
    ACQUIESCENCE,
    INCONSISTENT,
    CONTRADICTION,
    DUPLICATE_CONTACT,
    SHORT_OPEN_ANSWERS,
    RESPONDENT_MISMATCH,
    NO_SPEECH,
    DUPLICATE_ACROSS,
    READING_SPEED,
    ANSWER_CHANGES,
    LONG_PAUSES,
)

LOW, MEDIUM, HIGH = "low", "medium", "high"
SEVERITIES = (LOW, MEDIUM, HIGH)
SEVERITY = {
    RUSHED: HIGH,
    STRAIGHTLINING: MEDIUM,
    RUSHED_RELATIVE: MEDIUM,
    ITEM_NONRESPONSE: MEDIUM,
    OFF_HOURS: LOW,
    OVERLAPPING: HIGH,
    DUPLICATE_ANSWERS: HIGH,
    LOCALITY_MISMATCH: MEDIUM,
    FAST_ITEMS: MEDIUM,
    ACQUIESCENCE: LOW,
    INCONSISTENT: MEDIUM,
    CONTRADICTION: LOW,
    DUPLICATE_CONTACT: HIGH,
    SHORT_OPEN_ANSWERS: LOW,
    # Another household member than the one selected breaks the household's probability
    # of selection, the very thing the weights rest on.
    RESPONDENT_MISMATCH: HIGH,
    # A recorded door interview with hardly any voice on it was not held at the door.
    NO_SPEECH: HIGH,
    # Two interviewers delivering one set of answers: a team copying each other.
    DUPLICATE_ACROSS: HIGH,
    READING_SPEED: HIGH,
    ANSWER_CHANGES: MEDIUM,
    LONG_PAUSES: LOW,
}

OUTPUT_COLUMNS = ["rule", "severity", "reason", "reason_en", "details"]

# code -> {"zh": label, "en": label}, the label shape of questionnaire definitions.
CodeLabels = Mapping[str, Mapping[str, str]]
# Codes that are not a substantive answer (don't know, refused): one set for every item, or
# a set per item (item -> codes) when the items use different choice lists.
ExcludedCodes = Collection[str] | Mapping[str, Collection[str]]
# (Chinese reason, English reason, details) for one fired interview.
Reason = tuple[str, str, dict]
# item -> {code: score 0-100} for the substantive codes (don't know/refused left out).
ItemScores = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class RuleConfig:
    """Thresholds of the automatic rules; the defaults suit a ~7-minute phone interview.

    A flat frozen dataclass of scalars, so per-wave overrides stored as a dict apply as
    RuleConfig(**overrides); RuleConfig.from_mapping(d) does the same with validation.
    """

    seconds_per_item: float = 3.0  # the least time to hear and answer one question
    floor_seconds: float = 60.0  # no complete interview is shorter than this
    straightlining_min_items: int = 8  # fewer answered scale items say too little
    straightlining_max_share: float = 0.9  # share of the most frequent answer that fires
    # Half the median time: a common definition of a speeder in survey practice
    rushed_relative_fraction: float = 0.5  # fires below this share of the wave's median
    rushed_relative_min_interviews: int = 20  # fewer known durations: no median is used
    item_nonresponse_max_share: float = 0.5  # don't know/refused share above this fires
    item_nonresponse_min_items: int = 5  # fewer answered scale items say too little
    working_hours_start: str = "08:00"  # local time; starting earlier fires off_hours
    working_hours_end: str = "21:30"  # local time; starting later fires off_hours
    timezone: str = "Asia/Shanghai"
    duplicate_min_share: float = 0.85  # share of identical answers needed (Kuriakose-Robbins)
    duplicate_min_items: int = 10  # fewer commonly answered scale items say too little
    # Chance of so many identical answers, per interviewer (split over their pairs): below it
    # fires. Calibrates the share to the number of items and to how concentrated answers are.
    duplicate_alpha: float = 0.001
    # Reading a question aloud: Chinese speech runs at ~4-5 characters a second; an item
    # answered faster than its label can be read at this rate was not read out.
    chars_per_second: float = 6.0
    fast_items_min_items: int = 5  # fewer timed answered questions say too little
    fast_items_max_share: float = 0.5  # share of too-fast questions above this fires
    # Off by default (0): where most residents are satisfied, agreeing with everything is the
    # commonest honest answer (136 of 150 demo interviews). Switch it on for a wave whose
    # batteries mix positive and negative wordings; qc.risk.statistics compares rates.
    acquiescence_min_items: int = 0  # fewer substantive scale answers say too little; 0: off
    acquiescence_min_share: float = 1.0  # share on the positive side (score > 50) that fires
    overall_item: str = "safety_overall"  # overall item compared with its dimension's items
    contradiction_min_items: int = 1  # specific items answered needed to judge
    contradiction_high: float = 70.0  # a score at least this is clearly positive (0-100)
    contradiction_low: float = 40.0  # a score at most this is clearly negative
    open_min_chars: int = 2  # an open answer shorter than this (no spaces/punctuation) is short
    # Years the interview's age may differ from the selected member's (see
    # sampling.household.AGE_TOLERANCE_YEARS, which the interview's own warning uses).
    respondent_age_tolerance: int = 2
    # Interviewer risk (qc.risk.statistics); stored per wave under these names:
    signal_min_interviews: int = 5  # fewer interviews: listed, not scored
    signal_z: float = 2.0  # an indicator this many z beyond peers gives a reason
    signal_z_cap: float = 6.0  # no single indicator adds more than this to the risk
    # A door interview's audio with speech in less than this share of it fires no_speech
    # (speech_share from the audio audit's voice-activity detection; unrecorded: not judged).
    no_speech_max_share: float = 0.1
    # Per-question paradata measured in the browser (qc.rules.item_timing).
    reading_max_chars_per_second: float = 15.0  # a median reading speed above this fires
    reading_min_items: int = 5  # fewer measured answered questions say too little
    changes_max_share: float = 0.3  # answers changed per answered question above this fires
    changes_min_changes: int = 5  # ...with at least this many changes
    changes_min_returns: int = 3  # changes back to an earlier answer that fire on their own
    pause_seconds: float = 300.0  # a page this long without anything touched fires

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, source: str = "settings") -> "RuleConfig":
        """A RuleConfig with `values` overriding the defaults.

        Raises ValueError naming `source` and the key for an unknown key, a value of the wrong
        type (an int is accepted for a float), a bad time of day, an unknown timezone or a
        share outside 0-1.
        """
        defaults = cls()
        known = {field.name for field in fields(cls)}
        clean: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                raise ValueError(
                    f"{source}: unknown setting '{key}'; known: {', '.join(sorted(known))}."
                )
            kind = type(getattr(defaults, key))
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if type(value) is not kind:
                raise ValueError(
                    f"{source}: setting '{key}' must be {kind.__name__}, not {value!r}."
                )
            if key.endswith("_share") and not 0.0 <= value <= 1.0:
                raise ValueError(f"{source}: setting '{key}' must be between 0 and 1, not {value}.")
            if kind in (int, float) and value < 0:
                raise ValueError(f"{source}: setting '{key}' must not be negative, not {value}.")
            clean[key] = value
        config = cls(**clean)
        for key in ("working_hours_start", "working_hours_end"):
            try:
                time.fromisoformat(getattr(config, key))
            except ValueError as err:
                raise ValueError(f"{source}: setting '{key}' must be a time like 08:00.") from err
        try:
            ZoneInfo(config.timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(
                f"{source}: setting 'timezone': unknown zone {config.timezone!r}."
            ) from err
        return config


def empty_result() -> pd.DataFrame:
    """A rule's output when it fires on nothing."""
    return pd.DataFrame(
        {column: pd.Series(dtype="str") for column in OUTPUT_COLUMNS},
        index=pd.Index([], dtype="int64", name="interview_id"),
    )


def _json(details: dict, written: dict[int, str]) -> str:
    """details as JSON; a details object shared by many reasons is written once."""
    key = id(details)
    if key not in written:
        written[key] = json.dumps(details, ensure_ascii=False, sort_keys=True)
    return written[key]


def rule_result(rule: str, index: pd.Index, reasons: list[Reason]) -> pd.DataFrame:
    """The rule's output frame from (Chinese, English, details), one per fired interview."""
    written: dict[int, str] = {}  # alive while `reasons` holds the details: ids stay unique
    out = pd.DataFrame(
        {
            "rule": pd.Series(rule, index=index, dtype="str"),
            "severity": pd.Series(SEVERITY[rule], index=index, dtype="str"),
            "reason": pd.Series([r[0] for r in reasons], index=index, dtype="str"),
            "reason_en": pd.Series([r[1] for r in reasons], index=index, dtype="str"),
            "details": pd.Series(
                [_json(r[2], written) for r in reasons],
                index=index,
                dtype="str",
            ),
        }
    )
    out.index.name = "interview_id"
    return out.sort_index()[OUTPUT_COLUMNS]


def has_columns(df: pd.DataFrame, *columns: str) -> bool:
    """The frame has rows and every one of these columns."""
    return not df.empty and all(column in df.columns for column in columns)


def id_list(ids: list) -> str:
    """Interview ids as a reason names them: "#3, #5"."""
    return ", ".join(f"#{i}" for i in ids)


def p_text(p: float) -> str:
    """A probability as a reason shows it: "= 0.0312", or "< 0.0001" for the tiny ones
    (never 2e-07: people read reasons, not floats)."""
    return "< 0.0001" if p < 0.0001 else f"= {p:.4f}"
