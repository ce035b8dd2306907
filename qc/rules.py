"""Automatic quality-control rules. Pure: pandas/numpy/scipy, no Django, no I/O.

Input frame (built by qc.loaders): one row per interview.

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
             <question>__seconds  float s spent on a question (fast_items), NaN when unknown
             phone_key, household_key  opaque str keys, NaN when unknown (duplicate_contact)
             qc_check_failures  list of {"question", "zh", "en"} (inconsistent)
             <open question>   str answer text (short_open_answers)

Every rule returns the interviews it fires on, as a DataFrame:

    index    interview id (only interviews the rule fires on; ascending)
    columns  rule       str, the rule's name (one of RULES)
             severity   str, "low" | "medium" | "high" (SEVERITIES)
             reason     str, Chinese: what a supervisor reads
             reason_en  str, the same in English
             details    str, JSON object of the numbers behind the reason

Questionnaire facts some rules need come as arguments (run_rules passes them; qc.loaders
carries them): `scores` item -> {code: 0-100 score}, `dimensions`, `reading_chars` question ->
label characters, `open_items`.

Rules over a population. rushed_relative (median of the wave), overlapping and
duplicate_answers (other interviews of the interviewer; its chance agreement comes from the
whole frame) and duplicate_contact (any interviewer) judge an interview against the other
rows of the frame. Checking a single interview (qc.services.check_completed_interview) gives
a frame of one row, so these rules do not fire there; they fire when a wave or a set of
interviews is checked together (check_interviews, the qc_check command). rushed_relative
also needs at least RuleConfig.rushed_relative_min_interviews interviews with a known
duration in the wave.

Why reasons come out already written in two languages instead of as translatable source
strings: a flag's reason is a record of what the check found when it ran, shown in the review
history beside human decisions, so it is stored as text (qc.services keeps the language of
settings.LANGUAGE_CODE, Chinese by default) rather than re-rendered from a catalogue that may
change later. The parameters are in the text, so nothing is lost.
"""

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from scipy.stats import binom

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
}

OUTPUT_COLUMNS = ["rule", "severity", "reason", "reason_en", "details"]

# code -> {"zh": label, "en": label}, the label shape of questionnaire definitions.
CodeLabels = Mapping[str, Mapping[str, str]]
# Codes that are not a substantive answer (don't know, refused): one set for every item, or
# a set per item (item -> codes) when the items use different choice lists.
ExcludedCodes = Collection[str] | Mapping[str, Collection[str]]
# (Chinese reason, English reason, details) for one fired interview.
Reason = tuple[str, str, dict]


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
    rushed_relative_fraction: float = 0.4  # fires below this share of the wave's median
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
    # batteries mix positive and negative wordings; qc.signals compares rates instead.
    acquiescence_min_items: int = 0  # fewer substantive scale answers say too little; 0: off
    acquiescence_min_share: float = 1.0  # share on the positive side (score > 50) that fires
    overall_item: str = "safety_overall"  # overall item compared with its dimension's items
    contradiction_min_items: int = 1  # specific items answered needed to judge
    contradiction_high: float = 70.0  # a score at least this is clearly positive (0-100)
    contradiction_low: float = 40.0  # a score at most this is clearly negative
    open_min_chars: int = 2  # an open answer shorter than this (no spaces/punctuation) is short
    # Interviewer-level signals (qc.signals):
    signal_min_interviews: int = 5  # fewer interviews: listed, not scored
    signal_z: float = 2.0  # an indicator this many z beyond peers gives a reason
    signal_z_cap: float = 6.0  # no single indicator adds more than this to the risk

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


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {column: pd.Series(dtype="str") for column in OUTPUT_COLUMNS},
        index=pd.Index([], dtype="int64", name="interview_id"),
    )


def _result(rule: str, index: pd.Index, reasons: list[Reason]) -> pd.DataFrame:
    """The rule's output frame from (Chinese, English, details), one per fired interview."""
    out = pd.DataFrame(
        {
            "rule": pd.Series(rule, index=index, dtype="str"),
            "severity": pd.Series(SEVERITY[rule], index=index, dtype="str"),
            "reason": pd.Series([r[0] for r in reasons], index=index, dtype="str"),
            "reason_en": pd.Series([r[1] for r in reasons], index=index, dtype="str"),
            "details": pd.Series(
                [json.dumps(r[2], ensure_ascii=False, sort_keys=True) for r in reasons],
                index=index,
                dtype="str",
            ),
        }
    )
    out.index.name = "interview_id"
    return out.sort_index()[OUTPUT_COLUMNS]


def _has(df: pd.DataFrame, *columns: str) -> bool:
    return not df.empty and all(column in df.columns for column in columns)


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
            {"duration_seconds": int(t), "n_answered": int(n), "expected_seconds": int(e)},
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


def _most_frequent(
    df: pd.DataFrame, items: list[str], excluded_codes: ExcludedCodes
) -> pd.DataFrame:
    """Per interview with a substantive answer among `items`: the most frequent code (ties:
    the smallest), its count and n_valid (substantive answers). Index interview_id."""
    answers = _substantive_answers(df, items, excluded_codes)
    answers.index = answers.index.rename("interview_id")
    pairs = answers.reset_index().melt(id_vars="interview_id", value_name="code")
    pairs = pairs[pairs["code"].notna()]
    if pairs.empty:
        return pd.DataFrame(columns=["code", "count", "n_valid"])
    pairs = pairs.assign(code=pairs["code"].astype("str"))
    counts = pairs.groupby(["interview_id", "code"], sort=True).size().rename("count")
    counts = counts.reset_index().sort_values(
        ["interview_id", "count", "code"], ascending=[True, False, True], kind="stable"
    )
    top = counts.drop_duplicates("interview_id").set_index("interview_id")
    top["n_valid"] = counts.groupby("interview_id")["count"].sum()
    return top


def straightlining(
    df: pd.DataFrame,
    *,
    items: list[str],
    excluded_codes: ExcludedCodes = (),
    min_items: int = 8,
    max_share: float = 0.9,
    code_labels: CodeLabels | None = None,
    batteries: Mapping[str, list[str]] | None = None,
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
        return _empty()
    sets = {"": items} | {
        name: [item for item in members if item in items]
        for name, members in (batteries or {}).items()
    }
    found = []
    for order, (name, members) in enumerate(sets.items()):
        if len(members) < min_items or (name and members == items):
            continue
        top = _most_frequent(df, members, excluded_codes)
        top = top[(top["n_valid"] >= min_items) & (top["count"] / top["n_valid"] >= max_share)]
        found.append(top.assign(battery=name, order=order))
    top = pd.concat(found) if found else pd.DataFrame()
    if top.empty:
        return _empty()
    top = (
        top.rename_axis("interview_id")
        .reset_index()
        .sort_values(["interview_id", "n_valid", "order"], ascending=[True, False, True])
        .drop_duplicates("interview_id")
        .set_index("interview_id")
    )
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
    return _result(STRAIGHTLINING, top.index, reasons)


def rushed_relative(
    df: pd.DataFrame, *, fraction: float = 0.4, min_interviews: int = 20
) -> pd.DataFrame:
    """Interviews shorter than `fraction` × the median duration of their wave in the frame.

    The median is over the frame's interviews of the same wave_id (all rows when there is no
    wave_id column; rows with a missing wave form one group) with a known duration; a group
    with fewer than `min_interviews` known durations has no median and never fires.
    """
    if not _has(df, "duration_seconds"):
        return _empty()
    duration = df["duration_seconds"].astype("float64")
    if "wave_id" in df.columns:
        groups = df["wave_id"].astype("object").where(df["wave_id"].notna(), "__none__")
    else:
        groups = pd.Series(0, index=df.index)
    grouped = duration.groupby(groups, sort=False)
    median = grouped.transform("median")
    known = grouped.transform("count")
    limit = median * float(fraction)
    fired = (known >= min_interviews) & (duration < limit)
    if not fired.any():
        return _empty()
    reasons = []
    for t, m, n in zip(duration[fired], median[fired], known[fired], strict=True):
        took, med, pct = int(np.floor(t)), int(round(m)), round(100 * float(fraction))
        reasons.append(
            (
                f"访问用时 {took} 秒，不到同期 {n} 份访问中位用时 {med} 秒的 {pct}%",
                f"Interview took {took} s, under {pct}% of the median {med} s "
                f"of {n} interviews in the wave",
                {
                    "duration_seconds": float(t),
                    "median_seconds": float(m),
                    "fraction": float(fraction),
                    "n_interviews": int(n),
                },
            )
        )
    return _result(RUSHED_RELATIVE, duration.index[fired.to_numpy()], reasons)


def _excluded_mask(df: pd.DataFrame, items: list[str], excluded_codes: ExcludedCodes) -> np.ndarray:
    """(interviews × items) bool: the answer is an excluded code (don't know, refused)."""
    answers = df.reindex(columns=items).astype("object")
    per_item = isinstance(excluded_codes, Mapping)
    mask = np.zeros(answers.shape, dtype=bool)
    for j, item in enumerate(items):
        codes = excluded_codes.get(item, ()) if per_item else excluded_codes
        if codes:
            mask[:, j] = answers[item].isin(list(codes)).to_numpy()
    return mask


def item_nonresponse(
    df: pd.DataFrame,
    *,
    items: list[str],
    excluded_codes: ExcludedCodes = (),
    max_share: float = 0.5,
    min_items: int = 5,
) -> pd.DataFrame:
    """Interviews answering more than `max_share` of their answered scale items with an
    excluded code (don't know, refused).

    Unanswered items (NaN, e.g. skipped by relevance) do not count; an interview with fewer
    than `min_items` answered scale items never fires.
    """
    if df.empty or not items:
        return _empty()
    answered = df.reindex(columns=items).notna().to_numpy()
    dont_know = _excluded_mask(df, items, excluded_codes) & answered
    n_answered = answered.sum(axis=1)
    n_dont_know = dont_know.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n_dont_know / n_answered
    fired = (n_answered >= min_items) & (share > max_share)
    if not fired.any():
        return _empty()
    reasons = [
        (
            f"{a} 项量表题中 {k} 项回答不知道或拒答（{s:.0%}，上限 {max_share:.0%}）",
            f"{k} of {a} scale items answered don't know or refused "
            f"({s:.0%}; limit {max_share:.0%})",
            {"n_items": int(a), "n_dont_know": int(k), "share": float(s)},
        )
        for a, k, s in zip(n_answered[fired], n_dont_know[fired], share[fired], strict=True)
    ]
    return _result(ITEM_NONRESPONSE, df.index[fired], reasons)


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as err:
        raise ValueError(f"'{text}' is not a time of day like 08:00") from err


def _local(values: pd.Series, timezone: str) -> pd.Series:
    """Datetimes in local time: aware ones converted to `timezone`, naive ones kept."""
    stamps = pd.to_datetime(values)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert(timezone)
    return stamps


def off_hours(
    df: pd.DataFrame,
    *,
    start: str = "08:00",
    end: str = "21:30",
    timezone: str = "Asia/Shanghai",
) -> pd.DataFrame:
    """Interviews started before `start` or after `end`, local time in `timezone`.

    Starting exactly at `start` or `end` does not fire. A naive started_at is taken to be
    local time already. Raises ValueError when start or end is not a time of day.
    """
    earliest, latest = _clock(start), _clock(end)
    if not _has(df, "started_at"):
        return _empty()
    local = _local(df["started_at"], timezone)
    seconds = (
        local.dt.hour * 3600 + local.dt.minute * 60 + local.dt.second + local.dt.microsecond / 1e6
    )
    low = earliest.hour * 3600 + earliest.minute * 60 + earliest.second
    high = latest.hour * 3600 + latest.minute * 60 + latest.second
    fired = ((seconds < low) | (seconds > high)).fillna(False).astype(bool)
    if not fired.any():
        return _empty()
    reasons = []
    for stamp in local[fired]:
        at = stamp.strftime("%H:%M")
        reasons.append(
            (
                f"访问开始于当地时间 {at}，不在 {start}–{end} 之间",
                f"Interview started at {at} local time, outside {start}–{end}",
                {"started_local": stamp.isoformat(), "start": start, "end": end},
            )
        )
    return _result(OFF_HOURS, df.index[fired.to_numpy()], reasons)


_EPOCH = pd.Timestamp(0, tz="UTC")


def _id_list(ids: list) -> str:
    return ", ".join(f"#{i}" for i in ids)


def overlapping(df: pd.DataFrame) -> pd.DataFrame:
    """Interviews whose [started_at, completed_at] overlaps another of the same interviewer.

    Both fire, each naming the other(s). Intervals that only touch (one ends when the other
    starts) do not overlap; interviews with a missing time or interviewer are not compared.
    """
    if not _has(df, "interviewer_id", "started_at", "completed_at"):
        return _empty()
    start = pd.to_datetime(df["started_at"], utc=True)
    end = pd.to_datetime(df["completed_at"], utc=True)
    usable = start.notna() & end.notna() & df["interviewer_id"].notna()
    if usable.sum() < 2:
        return _empty()
    frame = pd.DataFrame(
        {
            "who": df["interviewer_id"][usable],
            # Seconds since the epoch: the two columns may hold different datetime units.
            "start": (start[usable] - _EPOCH).dt.total_seconds(),
            "end": (end[usable] - _EPOCH).dt.total_seconds(),
        }
    )
    ids_fired: list = []
    reasons: list[Reason] = []
    for _who, group in frame.groupby("who", sort=False):
        if len(group) < 2:
            continue
        s, e = group["start"].to_numpy(), group["end"].to_numpy()
        overlap = (s[:, None] < e[None, :]) & (s[None, :] < e[:, None])
        np.fill_diagonal(overlap, False)
        ids = group.index.to_numpy()
        for row in np.flatnonzero(overlap.any(axis=1)):
            others = sorted(int(i) for i in ids[overlap[row]])
            ids_fired.append(ids[row])
            reasons.append(
                (
                    f"与同一访员的访问 {_id_list(others)} 时间重叠",
                    f"Overlaps in time with interview(s) {_id_list(others)} "
                    "of the same interviewer",
                    {"overlaps_with": others},
                )
            )
    if not ids_fired:
        return _empty()
    return _result(OVERLAPPING, pd.Index(ids_fired, name="interview_id"), reasons)


MAX_LISTED = 50  # other interviews named in a flag's details
DEFAULT_CATEGORIES = 5  # a 5-point scale, when the questionnaire's categories are not given


def _chance_agreement(codes: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Per item, the chance that two interviews drawn from the frame give the same code:
    Σ_c p_c² with p_c = (n_c + 1) / (N + K), the pooled answer distribution under a
    Dirichlet(1) prior over the item's K categories. The prior keeps a small frame (two
    interviews copying each other) from calling its own copies the norm; with hundreds of
    interviews it is negligible.

    `codes` is (interviews × items) int, factorized per item, -1 for unanswered;
    `categories` per item K (at least the number of codes seen).
    """
    chance = np.zeros(codes.shape[1], dtype="float64")
    for j in range(codes.shape[1]):
        answered = codes[:, j][codes[:, j] >= 0]
        k = int(categories[j])
        counts = np.bincount(answered, minlength=k).astype("float64")
        p = (counts + 1.0) / (answered.size + k)
        chance[j] = float((p**2).sum())
    return chance


def _one_hot(block: np.ndarray, offsets: np.ndarray, width: int) -> np.ndarray:
    """(rows × Σ categories) float32: 1 where row r answered item j with code c."""
    rows, cols = np.nonzero(block >= 0)
    out = np.zeros((block.shape[0], width), dtype="float32")
    out[rows, offsets[cols] + block[rows, cols]] = 1.0
    return out


def duplicate_answers(
    df: pd.DataFrame,
    *,
    items: list[str],
    min_share: float = 0.85,
    min_items: int = 10,
    alpha: float = 0.001,
    categories: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Interviews whose scale answers (nearly) copy another interview of the same interviewer.

    For each pair of one interviewer's interviews: the n items both answered (any code, don't
    know included) and the k of them with the same code. A pair fires (both interviews) when
    n >= `min_items`, k/n >= `min_share` and agreeing that much is implausible by chance:
    P(X >= k) <= alpha / (pairs of the interviewer), X ~ Binomial(n, p0), where p0 is the mean
    over the n common items of each item's chance agreement Σ_c p_c² under the answer
    distribution pooled over the whole frame (the interviewer's peers). So the threshold
    adapts to the number of items and to how concentrated the answers are: 10 identical items
    out of 10 is telling on a spread-out scale and not when nearly everyone says "satisfied"
    (Kuriakose & Robbins' fixed 85% is the `min_share` floor; Pew 2016 on calibration).
    The reason names the most similar other interview (ties: the smallest id).
    Vectorised per interviewer: agreements are a one-hot matrix product, memory ~ m² per
    interviewer of m interviews plus m × Σ categories.
    """
    if not items or not _has(df, "interviewer_id"):
        return _empty()
    answers = df.reindex(columns=items).astype("object")
    codes = np.full(answers.shape, -1, dtype="int64")
    n_codes = np.zeros(len(items), dtype="int64")
    for j, item in enumerate(items):
        codes[:, j], uniques = pd.factorize(answers[item], use_na_sentinel=True)
        n_codes[j] = len(uniques)
    offsets = np.concatenate([[0], np.cumsum(n_codes)[:-1]])
    width = int(n_codes.sum())
    known = categories or {}
    k_items = np.maximum(n_codes, [known.get(item, DEFAULT_CATEGORIES) for item in items])
    chance = _chance_agreement(codes, k_items)
    who = df["interviewer_id"]
    ids_fired: list = []
    reasons: list[Reason] = []
    positions = pd.Series(np.arange(len(df)), index=df.index)
    for _who, rows in positions[who.notna().to_numpy()].groupby(who[who.notna()], sort=False):
        m = len(rows)
        if m < 2:
            continue
        block = codes[rows.to_numpy()]
        valid = (block >= 0).astype("float32")
        one_hot = _one_hot(block, offsets, width)
        same = np.rint(one_hot @ one_hot.T).astype("int64")
        common = np.rint(valid @ valid.T).astype("int64")
        expected = (valid * chance.astype("float32")) @ valid.T  # Σ chance over common items
        hit = (common >= min_items) & (same >= min_share * common - 1e-9)
        np.fill_diagonal(hit, False)
        if not hit.any():
            continue
        r_idx, c_idx = np.nonzero(hit)
        n, k = common[r_idx, c_idx], same[r_idx, c_idx]
        p0 = np.clip(expected[r_idx, c_idx] / n, 0.0, 1.0)
        p_value = binom.sf(k - 1, n, p0)
        limit = alpha / (m * (m - 1) / 2)
        p_matrix = np.ones((m, m))
        p_matrix[r_idx, c_idx] = p_value
        hit[r_idx, c_idx] = p_value <= limit
        ids = rows.index.to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            share = same / np.maximum(common, 1)
        for r in np.flatnonzero(hit.any(axis=1)):
            candidates = np.flatnonzero(hit[r])
            order = candidates[np.lexsort((ids[candidates], -share[r, candidates]))]
            best = order[0]
            n_same, n_common, p = int(same[r, best]), int(common[r, best]), p_matrix[r, best]
            other = int(ids[best])
            more = len(order) - 1
            zh_more = f"（另有 {more} 份相似）" if more else ""
            en_more = f" ({more} more similar)" if more else ""
            ids_fired.append(ids[r])
            reasons.append(
                (
                    f"与同一访员的访问 #{other} 在 {n_common} 项共同作答的量表题中 "
                    f"{n_same} 项答案相同，偶然如此的概率 {p:.1g}{zh_more}",
                    f"{n_same} of {n_common} commonly answered scale items identical to "
                    f"interview #{other} of the same interviewer; chance {p:.1g}{en_more}",
                    {
                        "other_interview": other,
                        "n_identical": n_same,
                        "n_common": n_common,
                        "p_value": float(p),
                        "p_limit": float(limit),
                        "n_similar": len(order),
                        # the most similar first, at most MAX_LISTED
                        "similar_interviews": np.sort(ids[order[:MAX_LISTED]]).tolist(),
                    },
                )
            )
    if not ids_fired:
        return _empty()
    return _result(DUPLICATE_ANSWERS, pd.Index(ids_fired, name="interview_id"), reasons)


def locality_mismatch(df: pd.DataFrame) -> pd.DataFrame:
    """Interviews whose respondent named a street other than the sampled one (both known)."""
    if not _has(df, "sampled_locality", "said_locality"):
        return _empty()
    sampled = df["sampled_locality"].astype("object")
    said = df["said_locality"].astype("object")
    known = sampled.notna() & said.notna()
    fired = known & (sampled.where(known, "").astype(str) != said.where(known, "").astype(str))
    if not fired.any():
        return _empty()
    reasons = [
        (
            f"受访者所述街道 {a} 与抽样街道 {b} 不一致",
            f"Respondent named street {a}; the sampled street is {b}",
            {"said_locality": str(a), "sampled_locality": str(b)},
        )
        for a, b in zip(said[fired], sampled[fired], strict=True)
    ]
    return _result(LOCALITY_MISMATCH, df.index[fired.to_numpy()], reasons)


SECONDS_SUFFIX = "__seconds"


def fast_items(
    df: pd.DataFrame,
    *,
    reading_chars: Mapping[str, int],
    chars_per_second: float = 6.0,
    min_items: int = 5,
    max_share: float = 0.5,
) -> pd.DataFrame:
    """Interviews where most timed questions took less time than reading them aloud.

    Reads `<question>__seconds` (float s, NaN when unknown) for each question of
    `reading_chars` (question -> characters of its label to read out). A question is too
    fast when its seconds < chars / `chars_per_second`. Fires when at least `min_items`
    questions are timed and the share of too-fast ones is above `max_share`.
    """
    timed_questions = [
        q for q, chars in reading_chars.items() if f"{q}{SECONDS_SUFFIX}" in df.columns and chars
    ]
    if df.empty or not timed_questions:
        return _empty()
    seconds = df[[f"{q}{SECONDS_SUFFIX}" for q in timed_questions]].astype("float64").to_numpy()
    need = np.array([reading_chars[q] for q in timed_questions], dtype="float64")
    need = need / float(chars_per_second)
    timed = ~np.isnan(seconds)
    fast = timed & (seconds < need[None, :])
    n_timed, n_fast = timed.sum(axis=1), fast.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n_fast / n_timed
    fired = (n_timed >= min_items) & (share > max_share)
    if not fired.any():
        return _empty()
    names = np.array(timed_questions, dtype=object)
    cps = float(chars_per_second)
    reasons = []
    for row in np.flatnonzero(fired):
        k, f, s = int(n_timed[row]), int(n_fast[row]), float(share[row])
        reasons.append(
            (
                f"{k} 道计时题中 {f} 道用时短于读完题目所需时间（按每秒 {cps:g} 字计）",
                f"{f} of {k} timed questions took less time than reading them aloud "
                f"({cps:g} characters/s)",
                {
                    "n_timed": k,
                    "n_fast": f,
                    "share": round(s, 4),
                    "chars_per_second": cps,
                    "fast_questions": [str(q) for q in names[fast[row]]],
                },
            )
        )
    return _result(FAST_ITEMS, df.index[fired], reasons)


# item -> {code: score 0-100} for the substantive codes (don't know/refused left out).
ItemScores = Mapping[str, Mapping[str, float]]


def _score_matrix(df: pd.DataFrame, items: list[str], scores: ItemScores) -> np.ndarray:
    """(interviews × items) float: each answer's score, NaN when unanswered or not scored."""
    out = np.full((len(df), len(items)), np.nan)
    for j, item in enumerate(items):
        if item in df.columns:
            mapped = df[item].astype("object").map(dict(scores.get(item, {})))
            out[:, j] = pd.to_numeric(mapped, errors="coerce").to_numpy(dtype="float64")
    return out


def positive_answers(
    df: pd.DataFrame, items: list[str], scores: ItemScores
) -> tuple[np.ndarray, np.ndarray]:
    """Per interview (arrays in row order): substantive scale answers, and how many of them
    are on the positive side of the scale (score above 50)."""
    values = _score_matrix(df, items, scores)
    substantive = ~np.isnan(values)
    return substantive.sum(axis=1), (substantive & (np.nan_to_num(values) > 50)).sum(axis=1)


def acquiescence(
    df: pd.DataFrame,
    *,
    items: list[str],
    scores: ItemScores,
    min_items: int = 12,
    min_share: float = 1.0,
) -> pd.DataFrame:
    """Interviews agreeing with everything: the share of substantive scale answers on the
    positive side (score above 50, e.g. satisfied/safe) at least `min_share`, over at least
    `min_items` substantive answers.

    Our batteries have no reverse-keyed items, so agreeing with everything is also what a
    truly content respondent does: the rule is low severity, off when `min_items` is 0, and
    the interviewer-level rate against peers (qc.signals) is the stronger signal.
    """
    if df.empty or not items or not scores or min_items <= 0:
        return _empty()
    n_items, n_positive = positive_answers(df, items, scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n_positive / n_items
    fired = (n_items >= min_items) & (share >= min_share - 1e-12)
    if not fired.any():
        return _empty()
    reasons = [
        (
            f"{n} 项量表题中 {k} 项回答偏正面（满意或安全一侧）",
            f"{k} of {n} scale items answered on the positive side (satisfied or safe)",
            {"n_items": int(n), "n_positive": int(k)},
        )
        for n, k in zip(n_items[fired], n_positive[fired], strict=True)
    ]
    return _result(ACQUIESCENCE, df.index[fired], reasons)


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
    specific = [item for item in specific_items if item != overall_item]
    if df.empty or not specific or overall_item not in df.columns or not scores:
        return _empty()
    overall = _score_matrix(df, [overall_item], scores)[:, 0]
    values = _score_matrix(df, specific, scores)
    substantive = ~np.isnan(values)
    n_items = substantive.sum(axis=1)
    filled = np.nan_to_num(values, nan=(high + low) / 2)
    all_low = (substantive <= (filled <= low)).all(axis=1)  # every answered one is low
    all_high = (substantive <= (filled >= high)).all(axis=1)
    fired = (n_items >= min_items) & (((overall >= high) & all_low) | ((overall <= low) & all_high))
    if not fired.any():
        return _empty()
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
    return _result(CONTRADICTION, df.index[fired], reasons)


def inconsistent(df: pd.DataFrame) -> pd.DataFrame:
    """Interviews failing the questionnaire's own consistency checks (`qc_check`).

    Reads `qc_check_failures`: per interview a list of {"question", "zh", "en"} (the failed
    check's question and its message; qc.loaders evaluates the expressions), empty or NaN
    when every check passed.
    """
    if not _has(df, "qc_check_failures"):
        return _empty()
    failures = df["qc_check_failures"]
    fired = failures.map(lambda value: isinstance(value, list) and len(value) > 0)
    fired = fired.to_numpy(dtype=bool)
    if not fired.any():
        return _empty()
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
    return _result(INCONSISTENT, df.index[fired], reasons)


def duplicate_contact(df: pd.DataFrame) -> pd.DataFrame:
    """Interviews sharing a phone number or a household with another interview in the frame.

    Reads `phone_key` and/or `household_key`: opaque keys (qc.loaders hashes the number and
    the address; raw numbers never reach a flag), NaN when unknown. Any interviewers: the
    same household interviewed twice is wrong whoever did it. Each interview names the others.
    """
    columns = [c for c in ("phone_key", "household_key") if c in df.columns]
    if df.empty or not columns:
        return _empty()
    found: dict[int, dict[str, list[int]]] = {}
    for column in columns:
        keys = df[column].astype("object")
        keys = keys[keys.notna() & (keys.astype(str) != "")]
        repeated = keys[keys.duplicated(keep=False)]
        for _key, members in repeated.groupby(repeated, sort=False):
            ids = sorted(int(i) for i in members.index)
            for i in ids:
                found.setdefault(i, {})[column] = [o for o in ids if o != i]
    if not found:
        return _empty()
    order = sorted(found)
    reasons = []
    for i in order:
        parts_zh, parts_en = [], []
        phone, household = found[i].get("phone_key"), found[i].get("household_key")
        if phone:
            parts_zh.append(f"与访问 {_id_list(phone)} 电话号码相同")
            parts_en.append(f"same phone number as interview(s) {_id_list(phone)}")
        if household:
            parts_zh.append(f"与访问 {_id_list(household)} 为同一住户")
            parts_en.append(f"same household as interview(s) {_id_list(household)}")
        en = "; ".join(parts_en)
        reasons.append(
            (
                "；".join(parts_zh),
                en[0].upper() + en[1:],
                {"same_phone_as": phone or [], "same_household_as": household or []},
            )
        )
    return _result(DUPLICATE_CONTACT, pd.Index(order, name="interview_id"), reasons)


def short_open_answers(
    df: pd.DataFrame, *, open_items: list[str], min_chars: int = 2
) -> pd.DataFrame:
    """Interviews whose every answered open question has fewer than `min_chars` characters,
    not counting spaces and punctuation (e.g. "无", "好", "。"), over at least one answer."""
    present = [item for item in open_items if item in df.columns]
    if df.empty or not present:
        return _empty()
    texts = df[present].astype("object")
    answered = np.zeros(texts.shape, dtype=bool)
    short = np.zeros(texts.shape, dtype=bool)
    for j, item in enumerate(present):
        text = texts[item].where(texts[item].notna(), "").astype(str)
        answered[:, j] = (text.str.strip() != "").to_numpy()
        length = text.str.replace(r"[\W_]", "", regex=True).str.len().to_numpy()
        short[:, j] = length < min_chars
    n_answered = answered.sum(axis=1)
    fired = (n_answered >= 1) & (answered <= short).all(axis=1)
    if not fired.any():
        return _empty()
    raw = texts.to_numpy()
    reasons = []
    for row in np.flatnonzero(fired):
        said = [str(raw[row, j]).strip() for j in np.flatnonzero(answered[row])]
        quoted = "、".join(f"「{s}」" for s in said[:3])
        quoted_en = ", ".join(f"'{s}'" for s in said[:3])
        n = int(n_answered[row])
        reasons.append(
            (
                f"{n} 道开放题的回答都少于 {min_chars} 个字：{quoted}",
                f"All {n} open answers are shorter than {min_chars} characters: {quoted_en}",
                {"n_open": n, "answers": said, "min_chars": int(min_chars)},
            )
        )
    return _result(SHORT_OPEN_ANSWERS, df.index[fired], reasons)


def _categories(
    items: list[str], excluded_codes: ExcludedCodes, scores: ItemScores | None
) -> dict[str, int] | None:
    """item -> number of choices (scored codes and don't know/refused), when scores are known."""
    if not scores:
        return None
    per_item = isinstance(excluded_codes, Mapping)
    out = {}
    for item in items:
        excluded = excluded_codes.get(item, ()) if per_item else excluded_codes
        out[item] = len(set(scores.get(item, {})) | set(excluded)) or DEFAULT_CATEGORIES
    return out


def _same_dimension(overall: str, items: list[str], dimensions: Mapping[str, str]) -> list[str]:
    dimension = dimensions.get(overall)
    if not dimension:
        return []
    return [item for item in items if item != overall and dimensions.get(item) == dimension]


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
    The questionnaire facts some rules need (qc.loaders.InterviewsFrame carries them all;
    qc.loaders.run_frame_rules passes them): `scores` item -> {code: score} (acquiescence,
    contradiction), `dimensions` item -> dimension (the specific items of
    config.overall_item), `reading_chars` question -> label characters (fast_items),
    `open_items` text questions (short_open_answers), `batteries` name -> scale items
    (straightlining per battery as well as over all items). A rule without its facts or columns
    returns no rows.
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
            batteries=batteries,
        ),
        rushed_relative(
            df,
            fraction=config.rushed_relative_fraction,
            min_interviews=config.rushed_relative_min_interviews,
        ),
        item_nonresponse(
            df,
            items=items,
            excluded_codes=excluded_codes,
            max_share=config.item_nonresponse_max_share,
            min_items=config.item_nonresponse_min_items,
        ),
        off_hours(
            df,
            start=config.working_hours_start,
            end=config.working_hours_end,
            timezone=config.timezone,
        ),
        overlapping(df),
        duplicate_answers(
            df,
            items=items,
            min_share=config.duplicate_min_share,
            min_items=config.duplicate_min_items,
            alpha=config.duplicate_alpha,
            categories=_categories(items, excluded_codes, scores),
        ),
        locality_mismatch(df),
        fast_items(
            df,
            reading_chars=reading_chars or {},
            chars_per_second=config.chars_per_second,
            min_items=config.fast_items_min_items,
            max_share=config.fast_items_max_share,
        ),
        acquiescence(
            df,
            items=items,
            scores=scores or {},
            min_items=config.acquiescence_min_items,
            min_share=config.acquiescence_min_share,
        ),
        inconsistent(df),
        contradiction(
            df,
            overall_item=config.overall_item,
            specific_items=_same_dimension(config.overall_item, items, dimensions or {}),
            scores=scores or {},
            min_items=config.contradiction_min_items,
            high=config.contradiction_high,
            low=config.contradiction_low,
        ),
        duplicate_contact(df),
        short_open_answers(df, open_items=open_items or [], min_chars=config.open_min_chars),
    ]
    fired = [result for result in results if not result.empty]
    if not fired:
        return _empty()
    # The results are in the order of RULES; a stable sort keeps it within each interview.
    out = pd.concat(fired).sort_index(kind="stable")
    out.index.name = "interview_id"
    return out
