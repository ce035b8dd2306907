"""Call scheduling rules: which cases may be called now, best first, and why. Pure: no Django.

The rules, in order:
- only cases of released replicates, below the wave's maximum number of attempts;
- a hard appointment is called at its time (from `APPOINTMENT_LEAD` before it until
  `HARD_GRACE` after it), whatever the calling windows say: the respondent chose the time;
- a soft appointment is called anywhere inside its own window (`appointment_at` to
  `appointment_end`, or `SOFT_DEFAULT_WINDOW` when no end was given);
- before its appointment a case is held; an appointment that has passed (missed) puts the case
  back in the ordinary queue with priority over other callbacks;
- every other call happens inside the wave's calling windows for the local day (Asia/Shanghai,
  which has no daylight saving); a window whose end is not after its start crosses midnight and
  belongs to the day it starts on (a Friday 20:00–01:00 window still covers Saturday 00:30);
- a case waits `min_gap` after its last attempt, or only `busy_gap` when the line was busy;
- among the rest: busy retries first; then callbacks not yet tried in the current day part
  (morning, afternoon, evening), then fresh cases, then callbacks already tried in this day
  part (rotation, and callbacks before fresh sample so the sample is not burnt); a case whose
  known quota cell (or whose whole stratum) is full comes last. Ties: cases the interviewer
  already holds, fewer attempts, the longest since the last attempt, the case id (so the
  order is deterministic).

Who is calling matters too (`Caller`): when the wave asks for cross-region calling
(异地交叉调查) no case in the interviewer's home county is given to them, and a case that failed
on language (AAPOR 2.33, the language recorded with the outcome) goes only to an interviewer who
speaks that language. Both rules hold for the interviewer's own cases as well.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from fieldwork.dispositions import ALWAYS_BUSY, gettext_noop

LOCAL_TZ = "Asia/Shanghai"

# Day parts by local hour: [start, end). The evening runs over midnight into the night.
DAY_PARTS: dict[str, tuple[int, int]] = {
    "morning": (5, 12),
    "afternoon": (12, 18),
    "evening": (18, 5),
}
DAY_PART_BITS: dict[str, int] = {"morning": 1, "afternoon": 2, "evening": 4}

BUSY_CODES = frozenset({ALWAYS_BUSY})
APPOINTMENT_LEAD = timedelta(minutes=5)
HARD_GRACE = timedelta(minutes=30)
SOFT_DEFAULT_WINDOW = timedelta(hours=2)

# Reasons, best first. The position is the tier used for ordering.
REASONS = (
    gettext_noop("Hard appointment"),
    gettext_noop("Soft appointment"),
    gettext_noop("Missed appointment"),
    gettext_noop("Busy: retry"),
    gettext_noop("Callback"),
    gettext_noop("Fresh case"),
    gettext_noop("Quota full"),
)
HARD, SOFT, MISSED, BUSY, CALLBACK, FRESH, QUOTA_FULL = range(len(REASONS))


class ScheduleError(ValueError):
    """Calling windows or input columns that cannot be read."""


@dataclass(frozen=True)
class Window:
    """A local-time calling window; `end <= start` means it crosses midnight."""

    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class CallingRules:
    weekday_windows: tuple[Window, ...] = field(
        default_factory=lambda: parse_windows("09:00-12:00,14:00-21:00")
    )
    weekend_windows: tuple[Window, ...] = field(
        default_factory=lambda: parse_windows("10:00-12:00,14:00-20:00")
    )
    max_attempts: int = 5
    min_gap: timedelta = timedelta(hours=2)
    busy_gap: timedelta = timedelta(minutes=15)
    timezone: str = LOCAL_TZ
    cross_region: bool = False  # never a case in the interviewer's home county


@dataclass(frozen=True)
class Caller:
    """The interviewer asking for a case: their home county (an id, None: unknown) and the
    languages they speak (values of fieldwork.models.Dialect)."""

    home_county: int | None = None
    languages: frozenset[str] = frozenset()

    def may_call(self, county: int | None, language: str, rules: CallingRules) -> bool:
        """Whether a case in `county` needing `language` ('' for none) may go to this caller."""
        if rules.cross_region and self.home_county is not None and county == self.home_county:
            return False
        return not language or language in self.languages


ANYONE = Caller()  # no home county, no language but the defaults: the rules of old


def parse_windows(text: str) -> tuple[Window, ...]:
    """'09:00-12:00,14:00-21:00' → windows. Blank text means no calling on those days."""
    windows = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            start, end = (time.fromisoformat(t.strip()) for t in part.split("-"))
        except ValueError as error:
            raise ScheduleError(f"calling window {part!r}: expected HH:MM-HH:MM") from error
        if start == end:
            raise ScheduleError(f"calling window {part!r}: start and end are the same")
        windows.append(Window(start, end))
    return tuple(windows)


def format_windows(windows: tuple[Window, ...]) -> str:
    return ",".join(f"{w.start:%H:%M}-{w.end:%H:%M}" for w in windows)


def _windows_for(day: datetime, rules: CallingRules) -> tuple[Window, ...]:
    return rules.weekend_windows if day.weekday() >= 5 else rules.weekday_windows


def in_calling_window(now: datetime, rules: CallingRules) -> bool:
    """True when `now` (aware) falls in a calling window of its local day or of the day before."""
    local = now.astimezone(ZoneInfo(rules.timezone))
    t = local.time()
    for window in _windows_for(local, rules):
        if window.crosses_midnight:
            if t >= window.start:
                return True
        elif window.start <= t < window.end:
            return True
    yesterday = local - timedelta(days=1)
    return any(w.crosses_midnight and t < w.end for w in _windows_for(yesterday, rules))


def day_part(now: datetime, tz: str = LOCAL_TZ) -> str:
    hour = now.astimezone(ZoneInfo(tz)).hour
    for name, (start, end) in DAY_PARTS.items():
        if (start <= hour < end) if start < end else (hour >= start or hour < end):
            return name
    raise AssertionError("day parts cover the whole day")  # pragma: no cover


CANDIDATE_COLUMNS = {
    "case_id": "int",
    "released": "bool",
    "attempts": "int",
    "last_attempt_at": "datetime64[ns, UTC] (NaT: never tried)",
    "last_outcome": "str (AAPOR code of the last attempt, '' if none)",
    "day_parts_tried": "int bitmask of DAY_PART_BITS",
    "appointment_at": "datetime64[ns, UTC] (NaT: no open appointment)",
    "appointment_kind": "'hard' | 'soft' | ''",
    "appointment_end": "datetime64[ns, UTC] (NaT: soft default window)",
    "quota_full": "bool",
    "mine": "bool (the case is already assigned to this interviewer)",
    "county": "int | None (id of the county the case's street is in)",
    "language": "str (the language a 2.33 case needs, '' if none)",
}
OPTIONAL_COLUMNS = {"mine", "quota_full", "county", "language"}


def eligible_cases(
    candidates: pd.DataFrame, rules: CallingRules, now: datetime, caller: Caller = ANYONE
) -> pd.DataFrame:
    """Cases that may be called at `now` by `caller`, best first.

    `candidates`: one row per open case with the columns of CANDIDATE_COLUMNS (`mine`,
    `quota_full`, `county` and `language` may be left out: False, None, ''). `now` must be
    timezone-aware.
    Returns a DataFrame with a fresh RangeIndex and columns `case_id`, `tier` (0 = best) and
    `reason` (an English label, one of REASONS), in calling order; empty when nothing is due.
    """
    if now.tzinfo is None:
        raise ScheduleError("now must be timezone-aware")
    missing = set(CANDIDATE_COLUMNS) - OPTIONAL_COLUMNS - set(candidates.columns)
    if missing:
        raise ScheduleError(f"missing candidate columns: {', '.join(sorted(missing))}")
    if candidates.empty:
        return pd.DataFrame({"case_id": [], "tier": [], "reason": []}).astype(
            {"case_id": "int64", "tier": "int64", "reason": "object"}
        )
    c = candidates.reset_index(drop=True)
    now_ts = pd.Timestamp(now).tz_convert("UTC")

    def utc(column: str) -> pd.Series:
        return pd.to_datetime(c[column], utc=True)

    last = utc("last_attempt_at")
    appt = utc("appointment_at")
    appt_end = utc("appointment_end")
    kind = c["appointment_kind"].fillna("").astype(str)
    mine = c["mine"].astype(bool) if "mine" in c else pd.Series(False, index=c.index)
    quota_full = (
        c["quota_full"].astype(bool) if "quota_full" in c else pd.Series(False, index=c.index)
    )
    attempts = c["attempts"].astype(int)

    has_appt = appt.notna() & kind.isin(["hard", "soft"])
    hard = has_appt & (kind == "hard")
    soft = has_appt & (kind == "soft")
    soft_end = appt_end.where(appt_end.notna(), appt + SOFT_DEFAULT_WINDOW)
    hard_due = hard & (now_ts >= appt - APPOINTMENT_LEAD) & (now_ts <= appt + HARD_GRACE)
    soft_due = soft & (now_ts >= appt) & (now_ts <= soft_end)
    held = (hard & (now_ts < appt - APPOINTMENT_LEAD)) | (soft & (now_ts < appt))
    missed = has_appt & ~hard_due & ~soft_due & ~held

    busy = c["last_outcome"].fillna("").astype(str).isin(BUSY_CODES)
    gap = np.where(busy, rules.busy_gap, rules.min_gap)
    waited = last.isna() | ((now_ts - last) >= pd.to_timedelta(gap))
    in_window = in_calling_window(now, rules)

    ordinary = ~has_appt | missed
    eligible = (
        c["released"].astype(bool)
        & _callable_by(c, caller, rules)
        & (attempts < rules.max_attempts)
        & ((hard_due | soft_due) | (ordinary & waited & in_window))
    )

    tier = np.select(
        [hard_due, soft_due, missed, quota_full, busy, attempts > 0],
        [HARD, SOFT, MISSED, QUOTA_FULL, BUSY, CALLBACK],
        default=FRESH,
    )
    part_bit = DAY_PART_BITS[day_part(now, rules.timezone)]
    ordered = pd.DataFrame(
        {
            "case_id": c["case_id"].astype("int64"),
            "tier": tier.astype("int64"),
            "part_tried": (c["day_parts_tried"].fillna(0).astype(int) & part_bit) > 0,
            "not_mine": ~mine,
            "attempts": attempts,
            # Never-tried cases first among equals, then the longest wait.
            "last": last.fillna(pd.Timestamp("1970-01-01", tz="UTC")),
        }
    )[eligible.to_numpy()]
    return _in_calling_order(ordered)


def _in_calling_order(ordered: pd.DataFrame) -> pd.DataFrame:
    """The eligible cases sorted as ordinary_key sorts them, with their reasons."""
    ordered = ordered.assign(group=np.where(ordered["tier"] == FRESH, CALLBACK, ordered["tier"]))
    ordered = ordered.sort_values(
        ["group", "part_tried", "tier", "not_mine", "attempts", "last", "case_id"], kind="stable"
    )
    result = ordered[["case_id", "tier"]].reset_index(drop=True)
    result["reason"] = [REASONS[t] for t in result["tier"]]
    return result


def _callable_by(c: pd.DataFrame, caller: Caller, rules: CallingRules) -> pd.Series:
    """Rows the caller may be given: outside their home county under cross-region calling,
    and needing no language or one they speak."""
    ok = pd.Series(True, index=c.index)
    if rules.cross_region and caller.home_county is not None and "county" in c:
        ok &= c["county"].astype("Int64").ne(caller.home_county).fillna(True).astype(bool)
    if "language" in c:
        language = c["language"].fillna("").astype(str)
        ok &= (language == "") | language.isin(sorted(caller.languages))
    return ok


def day_part_bit(at: datetime, tz: str = LOCAL_TZ) -> int:
    """The bit to OR into a case's `day_parts_tried` for an attempt at `at`."""
    return DAY_PART_BITS[day_part(at, tz)]


# --- The same rules on a handful of cases, without pandas ----------------------------------
# The database returns the best few candidates (fieldwork.queue); ranking them through a
# DataFrame would cost more than the query. `eligible_cases` above stays the reference the
# tests compare this with, on random waves.

EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))


@dataclass(frozen=True)
class Candidate:
    """One open case with the fields of CANDIDATE_COLUMNS (released: only released cases)."""

    case_id: int
    attempts: int
    last_attempt_at: datetime | None = None
    last_outcome: str = ""
    day_parts_tried: int = 0
    appointment_at: datetime | None = None
    appointment_kind: str = ""
    appointment_end: datetime | None = None
    quota_full: bool = False
    mine: bool = False
    county: int | None = None
    language: str = ""


SortKey = tuple[int, bool, int, bool, int, datetime, int]


def ordinary_key(candidate: Candidate, tier: int, part_bit: int) -> SortKey:
    """The calling order of an eligible case: smaller comes first (as eligible_cases sorts)."""
    return (
        CALLBACK if tier == FRESH else tier,
        bool(candidate.day_parts_tried & part_bit),
        tier,
        not candidate.mine,
        candidate.attempts,
        candidate.last_attempt_at or EPOCH,
        candidate.case_id,
    )


def _appointment_state(c: Candidate, now: datetime) -> str:
    """'' (none), 'hard_due', 'soft_due', 'held' or 'missed'."""
    if c.appointment_at is None or c.appointment_kind not in ("hard", "soft"):
        return ""
    at = c.appointment_at
    if c.appointment_kind == "hard":
        if at - APPOINTMENT_LEAD <= now <= at + HARD_GRACE:
            return "hard_due"
        return "held" if now < at - APPOINTMENT_LEAD else "missed"
    end = c.appointment_end or at + SOFT_DEFAULT_WINDOW
    if at <= now <= end:
        return "soft_due"
    return "held" if now < at else "missed"


def rank_candidate(
    c: Candidate,
    rules: CallingRules,
    now: datetime,
    *,
    in_window: bool,
    part_bit: int,
    caller: Caller = ANYONE,
) -> SortKey | None:
    """The case's place in the calling order at `now`, or None when it may not be called
    (by `caller`)."""
    if c.attempts >= rules.max_attempts or not caller.may_call(c.county, c.language, rules):
        return None
    state = _appointment_state(c, now)
    busy = c.last_outcome in BUSY_CODES
    if state not in ("hard_due", "soft_due"):
        if state == "held" or not in_window:
            return None
        gap = rules.busy_gap if busy else rules.min_gap
        if c.last_attempt_at is not None and now - c.last_attempt_at < gap:
            return None
    if state == "hard_due":
        tier = HARD
    elif state == "soft_due":
        tier = SOFT
    elif state == "missed":
        tier = MISSED
    elif c.quota_full:
        tier = QUOTA_FULL
    elif busy:
        tier = BUSY
    else:
        tier = CALLBACK if c.attempts > 0 else FRESH
    return ordinary_key(c, tier, part_bit)


def rank_candidates(
    candidates: list[Candidate], rules: CallingRules, now: datetime, caller: Caller = ANYONE
) -> list[tuple[SortKey, Candidate]]:
    """The callable candidates at `now` with their sort keys, best first (the order and
    eligibility of eligible_cases); the reason is REASONS[key[2]]."""
    if now.tzinfo is None:
        raise ScheduleError("now must be timezone-aware")
    in_window = in_calling_window(now, rules)
    part_bit = day_part_bit(now, rules.timezone)
    ranked = []
    for candidate in candidates:
        key = rank_candidate(
            candidate, rules, now, in_window=in_window, part_bit=part_bit, caller=caller
        )
        if key is not None:
            ranked.append((key, candidate))
    ranked.sort(key=lambda pair: pair[0])
    return ranked
