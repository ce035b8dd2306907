"""A wave's QC export for the people who review it: every flag and every review decision as
two tables for common.spreadsheets, with headers, rules, severities and review states named
in the reader's language, as the QC pages name them, and times in local time."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qc.models import Flag, Review, ReviewEvent
from qc.presenters.labels import reason_text, rule_label, severity_label
from qc.presenters.reviews import history_rows


def export_tables(flags: Iterable[Flag], events: Iterable[ReviewEvent]) -> list[dict]:
    """The wave's export as two tables ("flags", "events" by their "key") for
    common.spreadsheets, which guards every cell (staff-typed texts are no formulas).
    `flags`: qc.selectors.wave_flags; `events`: qc.selectors.wave_events."""
    return [_flag_table(flags), _event_table(events)]


def _local(value, zone) -> str:
    """A time as the reader's clock shows it (`zone`, the site's), to the second."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _flag_table(flags: Iterable[Flag]) -> dict:
    """One row per flag: the interview (its number, interviewer, place, completion and
    current review state), then the rule that raised it and why."""
    states = dict(Review.State.choices)
    zone = timezone.get_current_timezone()
    rows: list[list[Any]] = []
    for flag in flags:
        interview = flag.interview
        review = getattr(interview, "review", None)
        rows.append(
            [
                interview.pk,
                str(interview.interviewer),
                interview.district.name if interview.district else "",
                interview.street.name if interview.street else "",
                _local(interview.completed_at, zone),
                str(states.get(review.state, review.state)) if review else "",
                rule_label(flag.rule),
                severity_label(flag.severity),
                reason_text(flag.reason, flag.reason_en),
                _local(flag.created_at, zone),
            ]
        )
    columns = [
        _("Interview"), _("Interviewer"), _("District"), _("Street"), _("Completed at"),
        _("Review state"), _("Rule"), _("Severity"), _("Reason"), _("Flagged at"),
    ]  # fmt: skip
    return {"key": "flags", "title": _("Flags"), "columns": columns, "rows": rows}


def _event_table(events: Iterable[ReviewEvent]) -> dict:
    """One row per review event, oldest first: the page's history of each interview
    (qc.presenters.reviews.history_rows), every interview of the wave in one table."""
    events = list(events)
    zone = timezone.get_current_timezone()
    rows = [
        [
            event.review.interview_id,
            _local(shown["at"], zone),
            str(shown["from_state"]),
            str(shown["to_state"]),
            shown["actor"] or _("Automatic checks"),
            shown["reason"],
            "; ".join(shown["rules"]),
        ]
        for event, shown in zip(events, history_rows(events), strict=True)
    ]
    columns = [
        _("Interview"), _("When"), pgettext("review state", "Before"),
        pgettext("review state", "After"), _("By"), _("Reason"), _("Rules"),
    ]  # fmt: skip
    return {"key": "events", "title": _("Review decisions"), "columns": columns, "rows": rows}
