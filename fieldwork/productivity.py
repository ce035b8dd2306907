"""Interviewer productivity per interviewer and per shift. Pure: no Django, no I/O.

A shift is one calling window of one local day (a window that crosses midnight belongs to the
day it starts on, as in fieldwork.scheduling); work outside every window is its own shift,
labelled OUTSIDE.

Inputs:
- attempts: one row per contact attempt, columns `interviewer` (str), `started_at` (aware
  datetimes), `disposition` (AAPOR code, "" while open);
- interviews: one row per completed interview, columns `interviewer`, `completed_at` (aware),
  `duration_seconds` (float, NaN when unknown).
Outputs (`summarise`): one row per group with `attempts`, `contacts` (someone was reached: an
interview, a refusal, another eligible outcome, a callback asked for), `completes`, `hours`
(first to last activity of each shift, at least MIN_SHIFT_HOURS, summed over shifts),
`completes_per_hour`, `median_minutes` (completed interviews' length), `refusal_rate`
(refusals / contacts; NaN without contacts).
"""

import numpy as np
import pandas as pd

from fieldwork.dispositions import BY_CODE, CALLBACK_REQUESTED
from fieldwork.scheduling import CallingRules

OUTSIDE = "outside"
MIN_SHIFT_HOURS = 0.25
CONTACT_GROUPS = {"I", "P", "R", "O"}
REFUSALS = {"2.11", "2.111", "2.112"}
COLUMNS = [
    "attempts",
    "contacts",
    "completes",
    "hours",
    "completes_per_hour",
    "median_minutes",
    "refusal_rate",
]


def assign_shifts(times: pd.Series, rules: CallingRules) -> pd.DataFrame:
    """Per aware timestamp: `day` (local date of the shift) and `shift` ("HH:MM-HH:MM" or
    OUTSIDE). Index as `times`."""
    local = pd.to_datetime(times, utc=True).dt.tz_convert(rules.timezone)
    minutes = (local.dt.hour * 60 + local.dt.minute).to_numpy()
    weekend = (local.dt.day_of_week >= 5).to_numpy()
    yesterday_weekend = (((local.dt.day_of_week - 1) % 7) >= 5).to_numpy()
    today = local.dt.date.to_numpy()
    yesterday = (local - pd.Timedelta(days=1)).dt.date.to_numpy()
    shift = np.full(len(times), OUTSIDE, dtype=object)
    day = today.copy()
    for is_weekend, windows in ((False, rules.weekday_windows), (True, rules.weekend_windows)):
        for window in windows:
            label = f"{window.start:%H:%M}-{window.end:%H:%M}"
            start = window.start.hour * 60 + window.start.minute
            end = window.end.hour * 60 + window.end.minute
            free = shift == OUTSIDE
            if window.crosses_midnight:
                evening = free & (weekend == is_weekend) & (minutes >= start)
                night = free & (yesterday_weekend == is_weekend) & (minutes < end) & ~evening
                shift[evening | night] = label
                day[night] = yesterday[night]
            else:
                inside = free & (weekend == is_weekend) & (minutes >= start) & (minutes < end)
                shift[inside] = label
    return pd.DataFrame({"day": day, "shift": shift}, index=times.index)


def _codes_in(codes: pd.Series, wanted) -> pd.Series:
    return codes.isin(wanted)


def summarise(
    attempts: pd.DataFrame, interviews: pd.DataFrame, rules: CallingRules, by: list[str]
) -> pd.DataFrame:
    """Productivity per `by` groups: ["interviewer"] or ["day", "shift", "interviewer"]."""
    attempts = attempts.copy()
    interviews = interviews.copy()
    contact_codes = {c for c, d in BY_CODE.items() if d.group in CONTACT_GROUPS}
    contact_codes.add(CALLBACK_REQUESTED)
    attempts["contact"] = _codes_in(attempts["disposition"], contact_codes).astype(int)
    attempts["refusal"] = _codes_in(attempts["disposition"], REFUSALS).astype(int)
    attempts = attempts.join(assign_shifts(attempts["started_at"], rules))
    interviews = interviews.join(assign_shifts(interviews["completed_at"], rules))
    shift_keys = ["day", "shift", "interviewer"]
    # Hours: each shift from its first to its last activity (an attempt begun, an interview
    # completed), at least MIN_SHIFT_HOURS.
    activity = pd.concat(
        [
            attempts[[*shift_keys, "started_at"]].rename(columns={"started_at": "at"}),
            interviews[[*shift_keys, "completed_at"]].rename(columns={"completed_at": "at"}),
        ]
    )
    activity["at"] = pd.to_datetime(activity["at"], utc=True)
    spans = activity.groupby(shift_keys)["at"].agg(["min", "max"])
    spans["hours"] = ((spans["max"] - spans["min"]).dt.total_seconds() / 3600).clip(
        lower=MIN_SHIFT_HOURS
    )
    hours = spans["hours"].groupby(level=by).sum()
    counted = attempts.groupby(by).agg(
        attempts=("disposition", "size"), contacts=("contact", "sum"), refusals=("refusal", "sum")
    )
    done = interviews.groupby(by).agg(
        completes=("completed_at", "size"),
        median_seconds=("duration_seconds", "median"),
    )
    table = counted.join(done, how="outer").join(hours, how="outer")
    table[["attempts", "contacts", "refusals", "completes"]] = (
        table[["attempts", "contacts", "refusals", "completes"]].fillna(0).astype(int)
    )
    table["completes_per_hour"] = table["completes"] / table["hours"]
    table["median_minutes"] = table["median_seconds"] / 60
    contacts = table["contacts"].where(table["contacts"] > 0)
    table["refusal_rate"] = table["refusals"] / contacts
    return table[COLUMNS].reset_index().sort_values(by, kind="stable").reset_index(drop=True)
