"""A wave's export: every flag and every review decision as tables for common.spreadsheets."""

import json
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from qc.models import Flag, ReviewEvent
from qc.presenters.labels import rule_label

FLAG_COLUMNS = [
    "interview_id",
    "interviewer",
    "street",
    "completed_at",
    "rule",
    "severity",
    "reason",
    "details",
    "raised_at",
    "rule_label",
    "reason_en",  # last: the columns before it keep their places
]
EVENT_COLUMNS = [
    "interview_id",
    "at",
    "from_state",
    "to_state",
    "actor",
    "reason",
    "rules",
    "reason_en",
]


def _iso(value) -> str:
    return value.astimezone(timezone.get_default_timezone()).isoformat() if value else ""


def export_tables(flags: Iterable[Flag], events: Iterable[ReviewEvent]) -> list[dict]:
    """The wave's export as two tables ("flags", "events") for common.spreadsheets, which
    guards every cell (staff-typed texts are no formulas)."""
    return [
        {"title": "flags", "columns": FLAG_COLUMNS, "rows": _flag_rows(flags)},
        {"title": "events", "columns": EVENT_COLUMNS, "rows": _event_rows(events)},
    ]


def _flag_rows(flags: Iterable[Flag]) -> list[list[Any]]:
    """One row per flag, in FLAG_COLUMNS order; times local ISO 8601, details JSON."""
    return [
        [
            flag.interview_id,
            str(flag.interview.interviewer),
            flag.interview.street.name if flag.interview.street else "",
            _iso(flag.interview.completed_at),
            flag.rule,
            flag.severity,
            flag.reason,
            json.dumps(flag.details, ensure_ascii=False, sort_keys=True),
            _iso(flag.created_at),
            rule_label(flag.rule),
            flag.reason_en,
        ]
        for flag in flags
    ]


def _event_rows(events: Iterable[ReviewEvent]) -> list[list[Any]]:
    """One row per review event (every decision), in EVENT_COLUMNS order."""
    return [
        [
            event.review.interview_id,
            _iso(event.at),
            event.from_state,
            event.to_state,
            event.actor.username if event.actor else "",
            event.reason,
            json.dumps(event.rules, ensure_ascii=False, sort_keys=True),
            event.reason_en,
        ]
        for event in events
    ]
