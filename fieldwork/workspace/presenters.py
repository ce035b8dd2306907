"""Plain data for the wave workspace's tabs: overview cards and alerts, case grid rows, the
calendar's cells, productivity rows and the community map."""

import math
from datetime import date, datetime, timedelta

import pandas as pd
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import svg
from common.logs import masked
from fieldwork import presenters
from fieldwork.models import Appointment, Wave

# Why a case was not moved (fieldwork.services.assignment.NOT_MOVED_REASONS), in words.
NOT_MOVED = {
    "finished": gettext_lazy("already finished"),
    "interviewing": gettext_lazy("an interview is under way"),
    "stopped": gettext_lazy("an interview was stopped: resume or close it first"),
    "same": gettext_lazy("already with that interviewer"),
    "unassigned": gettext_lazy("not assigned to anyone"),
    "gone": gettext_lazy("not in this wave"),
    "pool_short": gettext_lazy("not enough unassigned cases left"),
}
BEHIND_PLAN = 0.9  # completes under 90% of what the plan expects by today


def alerts(wave: Wave, numbers: dict) -> list[dict]:
    """What a supervisor should act on now, worst first: {"text", "href", "bad"}."""
    found = []
    cases_url = reverse("fieldwork:wave_cases", args=[wave.pk])
    appointments_url = reverse("fieldwork:wave_appointments", args=[wave.pk])
    expected, done = numbers["expected"], numbers["progress"]["completed"]
    if expected and done < BEHIND_PLAN * expected:
        found.append(
            {
                "text": _("Behind plan: %(done)d completed, %(expected)d expected by today.")
                % {"done": done, "expected": expected},
                "href": reverse("fieldwork:wave_interviewers", args=[wave.pk]),
                "bad": True,
            }
        )
    if numbers["missed"]:
        found.append(
            {
                "text": _("%(n)d appointments missed: call these respondents first.")
                % {"n": numbers["missed"]},
                "href": f"{cases_url}?appointment=missed&sort=appointment",
                "bad": True,
            }
        )
    if numbers["due"]:
        found.append(
            {
                "text": _("%(n)d appointments due now.") % {"n": numbers["due"]},
                "href": appointments_url,
                "bad": False,
            }
        )
    if numbers["stale_interviews"]:
        found.append(
            {
                "text": _("%(n)d interviews open for more than two hours.")
                % {"n": numbers["stale_interviews"]},
                "href": f"{cases_url}?status=in_progress&sort=last_attempt",
                "bad": False,
            }
        )
    if numbers["in_window"] and not numbers["calls_recently"]:
        found.append(
            {
                "text": _("No calls or visits in the last 30 minutes, inside a calling window."),
                "href": "",
                "bad": False,
            }
        )
    if numbers["pool"]:
        found.append(
            {
                "text": _("%(n)d untouched cases are not assigned to anyone.")
                % {"n": numbers["pool"]},
                "href": f"{cases_url}?interviewer=none&status=fresh",
                "bad": False,
            }
        )
    return found


def case_rows(cases, now: datetime) -> list[dict]:
    return [
        {
            **presenters.case_row_for_grid(case, now),
            "last_attempt_at": case.last_attempt_at,
        }
        for case in cases
    ]


def move_message(result) -> tuple[str, bool]:
    """What a move did and, for the cases left where they were, why. (text, anything moved)"""
    done = []
    if result.assigned:
        done.append(_("%(n)d assigned") % {"n": result.assigned})
    if result.transferred:
        done.append(_("%(n)d transferred") % {"n": result.transferred})
    if result.returned:
        done.append(_("%(n)d returned to the pool") % {"n": result.returned})
    why = [
        _("%(n)d %(why)s") % {"n": n, "why": NOT_MOVED[reason]}
        for reason, n in ((reason, result.not_moved[reason]) for reason in NOT_MOVED)
        if n
    ]
    # The separators are translated too: Chinese joins with full-width punctuation.
    moved = _("; ").join(done) if done else _("No case moved")
    if why:
        text = _("%(moved)s. Not moved: %(why)s.") % {"moved": moved, "why": _(", ").join(why)}
    else:
        text = _("%(moved)s.") % {"moved": moved}
    return text, bool(done)


def calendar(appointments: list[Appointment], *, view: str, day: date, now: datetime) -> dict:
    """Day view: a row per hour, a column per interviewer. Week view: a row per interviewer,
    a column per day (Monday first). Each cell lists its appointments."""
    slots = []
    for appointment in appointments:
        local = timezone.localtime(appointment.at)
        badge = presenters.appointment_badge(
            appointment.at, appointment.kind, appointment.window_end, now
        )
        slots.append(
            {
                "case_id": appointment.case_id,
                "local": local,
                "who": str(appointment.case.interviewer)
                if appointment.case.interviewer_id
                else _("pool"),
                "street": appointment.case.street.name,
                "note": masked(appointment.note),
                **badge,
            }
        )
    people = sorted({slot["who"] for slot in slots})
    if view == "day":
        hours = sorted({slot["local"].hour for slot in slots} | set(range(9, 21)))
        rows = [
            {
                "label": f"{hour:02d}:00",
                "cells": [
                    [s for s in slots if s["local"].hour == hour and s["who"] == who]
                    for who in people
                ],
            }
            for hour in hours
        ]
        return {"columns": people, "rows": rows, "count": len(slots)}
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    rows = [
        {
            "label": who,
            "cells": [
                [s for s in slots if s["local"].date() == d and s["who"] == who] for d in days
            ],
        }
        for who in people
    ]
    return {"columns": days, "rows": rows, "count": len(slots), "week": True}


def productivity_rows(table: pd.DataFrame, names: dict[int, str], flags: dict[int, int]):
    rows = []
    for record in table.to_dict("records"):
        interviewer = record["interviewer"]
        rows.append(
            {
                "interviewer": names.get(interviewer, "—"),
                "interviewer_id": interviewer,
                "day": record.get("day"),
                "shift": _("outside the windows")
                if record.get("shift") == "outside"
                else record.get("shift"),
                "attempts": record["attempts"],
                "contacts": record["contacts"],
                "completes": record["completes"],
                "hours": _fmt(record["hours"], 2),
                "completes_per_hour": _fmt(record["completes_per_hour"], 2),
                "median_minutes": _fmt(record["median_minutes"], 1),
                "refusal_rate": _fmt(100 * record["refusal_rate"], 0),
                "flags": flags.get(interviewer, 0),
            }
        )
    return rows


def _fmt(value, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def community_map(wave: Wave, rows: list[dict]) -> dict:
    """The wave's communities coloured by the share of their cases completed (inline SVG)."""
    placed = [r for r in rows if r["latitude"] is not None and r["longitude"] is not None]
    places = [
        svg.Place(
            label=row["name"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            share=row["completed"] / row["total"] if row["total"] else None,
            size=row["total"],
            note=_("%(street)s: %(done)d of %(total)d completed")
            % {"street": row["street_name"], "done": row["completed"], "total": row["total"]},
        )
        for row in placed
    ]
    legend = [_("under 20%"), "20–40%", "40–60%", "60–80%", _("at least 80%")]
    title = _("Communities of %(wave)s by share of cases completed") % {"wave": wave.name}
    return {
        "svg": svg.place_map(places, title=title, legend=legend),
        "placed": len(placed),
        "unplaced": [r["name"] for r in rows if r not in placed],
    }
