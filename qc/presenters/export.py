"""A wave's QC export for the people who review it: every flag and every review decision as
tables for common.spreadsheets, with headers, rules, severities and review states named in
the reader's language, as the QC pages name them, and times in local time."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fieldwork.models import Mode
from qc.models import Review
from qc.presenters.labels import reason_text, rule_label, severity_label
from qc.presenters.reviews import rule_names
from qc.selectors import EventRow, FlagRow, QueueRow


def flag_table(flags: Iterable[FlagRow]) -> dict:
    """The flags (qc.selectors.wave_flag_rows) as the table "flags": one row per flag, the
    interview (its number, interviewer, places, completion and current review state), then
    the rule that raised it and why."""
    states = _state_names()
    zone = timezone.get_current_timezone()
    rows = [
        [
            *_interview_cells(flag),
            _local(flag.completed_at, zone),
            states.get(flag.state, flag.state or ""),
            rule_label(flag.rule),
            severity_label(flag.severity),
            reason_text(flag.reason, flag.reason_en),
            _local(flag.created_at, zone),
        ]
        for flag in flags
    ]
    columns = [
        _("Interview"), _("Interviewer"), _("District"), _("Street"), _("Completed at"),
        _("Review state"), _("Rule"), _("Severity"), _("Reason"), _("Flagged at"),
    ]  # fmt: skip
    return {"key": "flags", "title": _("Flags"), "columns": columns, "rows": rows}


def event_table(events: Iterable[EventRow]) -> dict:
    """The review events (qc.selectors.event_rows) as the table "events": one row per
    decision, oldest first, as each interview's page lists its history."""
    states = _state_names()
    zone = timezone.get_current_timezone()
    automatic = _("Automatic checks")
    rows = [
        [
            event.interview_id,
            _local(event.at, zone),
            states.get(event.from_state, event.from_state),
            states.get(event.to_state, event.to_state),
            event.actor or automatic,
            reason_text(event.reason, event.reason_en),
            "; ".join(rule_names(event.rules)),
        ]
        for event in events
    ]
    columns = [
        _("Interview"), _("When"), pgettext("review state", "Before"),
        pgettext("review state", "After"), _("By"), _("Reason"), _("Rules"),
    ]  # fmt: skip
    return {"key": "events", "title": _("Review decisions"), "columns": columns, "rows": rows}


def queue_table(reviews: Iterable[QueueRow]) -> dict:
    """The review queue as filtered (qc.selectors.queue_rows) as the table "queue": one row
    per interview, in the queue's order, with its flags named."""
    states = _state_names()
    modes = {code: str(label) for code, label in Mode.choices}
    zone = timezone.get_current_timezone()
    rows = [
        [
            *_interview_cells(review),
            modes.get(review.mode, review.mode),
            _local(review.completed_at, zone),
            review.duration_seconds,
            states.get(review.state, review.state),
            "; ".join(rule_names(review.flags)),
            reason_text(review.reason, review.reason_en),
        ]
        for review in reviews
    ]
    columns = [
        _("Interview"), _("Interviewer"), _("District"), _("Street"), _("Mode"),
        _("Completed at"), _("Duration (s)"), _("Review state"), _("Flags"), _("Reason"),
    ]  # fmt: skip
    return {"key": "queue", "title": _("Review queue"), "columns": columns, "rows": rows}


def _interview_cells(row: FlagRow | QueueRow) -> list:
    """The columns Interview, Interviewer, District, Street of a row about an interview."""
    return [row.interview_id, row.interviewer, row.district or "", row.street or ""]


def _state_names() -> dict[str, str]:
    """Review state code -> its name in the current language."""
    return {code: str(label) for code, label in Review.State.choices}


def _local(value, zone) -> str:
    """A time as the reader's clock shows it (`zone`, the site's), to the second."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""
