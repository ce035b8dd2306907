"""Automatic quality-control rules. Pure: pandas/numpy, no Django, no I/O.

Input frame (built by qc.frames): one row per interview.

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

Every rule returns the interviews it fires on, as a DataFrame:

    index    interview id (only interviews the rule fires on; ascending)
    columns  rule       str, the rule's name (one of RULES)
             severity   str, "low" | "medium" | "high" (SEVERITIES)
             reason     str, Chinese: what a supervisor reads
             reason_en  str, the same in English
             details    str, JSON object of the numbers behind the reason

Rules over a population. rushed_relative (median of the wave), overlapping and
duplicate_answers (other interviews of the interviewer) judge an interview against the other
rows of the frame. Checking a single interview (qc.services.check_completed_interview) gives a
frame of one row, so these rules do not fire there; they fire when a wave or a set of interviews
is checked together (check_interviews, the qc_check command). rushed_relative also needs at
least RuleConfig.rushed_relative_min_interviews interviews with a known duration in the wave.

Why reasons come out already written in two languages instead of as translatable source
strings: a flag's reason is a record of what the check found when it ran, shown in the review
history beside human decisions, so it is stored as text (qc.services keeps the language of
settings.LANGUAGE_CODE, Chinese by default) rather than re-rendered from a catalogue that may
change later. The parameters are in the text, so nothing is lost.
"""

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import time

import numpy as np
import pandas as pd

RUSHED = "rushed"
STRAIGHTLINING = "straightlining"
RUSHED_RELATIVE = "rushed_relative"
ITEM_NONRESPONSE = "item_nonresponse"
OFF_HOURS = "off_hours"
OVERLAPPING = "overlapping"
DUPLICATE_ANSWERS = "duplicate_answers"
LOCALITY_MISMATCH = "locality_mismatch"
RULES = (
    RUSHED,
    STRAIGHTLINING,
    RUSHED_RELATIVE,
    ITEM_NONRESPONSE,
    OFF_HOURS,
    OVERLAPPING,
    DUPLICATE_ANSWERS,
    LOCALITY_MISMATCH,
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
    """Thresholds of the automatic rules; the defaults suit a ~7-minute phone interview."""

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
    duplicate_min_share: float = 0.95  # share of identical answers that fires
    duplicate_min_items: int = 10  # fewer commonly answered scale items say too little


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
                {"code": code, "count": int(count), "n_items": int(total)},
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


def duplicate_answers(
    df: pd.DataFrame, *, items: list[str], min_share: float = 0.95, min_items: int = 10
) -> pd.DataFrame:
    """Interviews whose scale answers (nearly) copy another interview of the same interviewer.

    For each pair of one interviewer's interviews: the items both answered (any code, don't
    know included) and how many of them have the same code. Fires on both when at least
    `min_items` are answered in common and the identical share is at least `min_share`. The
    reason names the most similar other interview (ties: the smallest id) and how many match.
    Pairwise per interviewer with numpy broadcasting: memory ~ n² × items per interviewer.
    """
    if not items or not _has(df, "interviewer_id"):
        return _empty()
    answers = df.reindex(columns=items).astype("object")
    codes = np.full(answers.shape, -1, dtype="int64")
    for j, item in enumerate(items):
        codes[:, j], _uniques = pd.factorize(answers[item], use_na_sentinel=True)
    who = df["interviewer_id"]
    ids_fired: list = []
    reasons: list[Reason] = []
    positions = pd.Series(np.arange(len(df)), index=df.index)
    for _who, rows in positions[who.notna().to_numpy()].groupby(who[who.notna()], sort=False):
        if len(rows) < 2:
            continue
        block = codes[rows.to_numpy()]
        valid = block >= 0
        common = valid.astype("int64") @ valid.T.astype("int64")
        same = ((block[:, None, :] == block[None, :, :]) & valid[:, None, :]).sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(common > 0, same / np.maximum(common, 1), 0.0)
        hit = (common >= min_items) & (share >= min_share)
        np.fill_diagonal(hit, False)
        ids = rows.index.to_numpy()
        for r in np.flatnonzero(hit.any(axis=1)):
            candidates = np.flatnonzero(hit[r])
            order = sorted(candidates, key=lambda c: (-share[r, c], ids[c]))
            best = order[0]
            n_same, n_common = int(same[r, best]), int(common[r, best])
            other = int(ids[best])
            more = len(order) - 1
            zh_more = f"（另有 {more} 份相似）" if more else ""
            en_more = f" ({more} more similar)" if more else ""
            ids_fired.append(ids[r])
            reasons.append(
                (
                    f"与同一访员的访问 #{other} 在 {n_common} 项共同作答的量表题中 "
                    f"{n_same} 项答案相同{zh_more}",
                    f"{n_same} of {n_common} commonly answered scale items identical to "
                    f"interview #{other} of the same interviewer{en_more}",
                    {
                        "other_interview": other,
                        "n_identical": n_same,
                        "n_common": n_common,
                        "similar_interviews": sorted(int(ids[c]) for c in order),
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
        ),
        locality_mismatch(df),
    ]
    fired = [result for result in results if not result.empty]
    if not fired:
        return _empty()
    # The results are in the order of RULES; a stable sort keeps it within each interview.
    out = pd.concat(fired).sort_index(kind="stable")
    out.index.name = "interview_id"
    return out
