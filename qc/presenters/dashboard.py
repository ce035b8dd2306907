"""Plain data for a wave's QC dashboard: counts of flags and reviews, and their charts."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common import svg
from fieldwork.models import Wave
from qc.models import Flag, Review
from qc.presenters.labels import rule_label
from qc.rules import SEVERITIES
from qc.selectors import FlagRow


@dataclass
class _Counts:
    """A wave's flags and reviews counted; days are local days of completion (ISO dates)."""

    by_rule: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    by_interviewer: Counter[str] = field(default_factory=Counter)
    by_street: Counter[str] = field(default_factory=Counter)
    flags_by_day: Counter[str] = field(default_factory=Counter)
    flagged_interviews: set[int] = field(default_factory=set)
    interviews_by_day: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)

    def days(self) -> list[str]:
        return sorted(set(self.interviews_by_day) | set(self.flags_by_day))


def _count(flags: Iterable[FlagRow], reviews: Iterable[tuple[str, Any]], zone: tzinfo) -> _Counts:
    counts = _Counts()
    for flag in flags:
        counts.by_rule[flag.rule] += 1
        counts.by_severity[flag.severity] += 1
        counts.by_interviewer[flag.interviewer] += 1
        counts.by_street[flag.street or "—"] += 1
        if flag.completed_at:
            counts.flags_by_day[flag.completed_at.astimezone(zone).date().isoformat()] += 1
        counts.flagged_interviews.add(flag.interview_id)
    for state, completed_at in reviews:
        counts.states[state] += 1
        if completed_at:
            counts.interviews_by_day[completed_at.astimezone(zone).date().isoformat()] += 1
    return counts


def _bars(counter: Counter[str]) -> list[tuple[str, float]]:
    """The counts as bars, largest first (ties by name)."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _bar_chart(bars: list[tuple[str, float]], title: str) -> str:
    # common.svg escapes every text it draws
    return mark_safe(
        svg.bar_chart([svg.Bar(name, n) for name, n in bars], title=title, scale_max=None)
    )


def _charts(counts: _Counts) -> dict[str, str]:
    days = counts.days()
    return {
        "rule": _bar_chart(
            [(rule_label(code), n) for code, n in _bars(counts.by_rule)], _("Flags by rule")
        ),
        "interviewer": _bar_chart(_bars(counts.by_interviewer), _("Flags by interviewer")),
        "street": _bar_chart(_bars(counts.by_street), _("Flags by street")),
        "days": mark_safe(
            svg.line_chart(
                days,
                [
                    svg.Series(_("Interviews"), [counts.interviews_by_day[d] for d in days]),
                    svg.Series(_("Flags"), [counts.flags_by_day[d] for d in days]),
                ],
                title=_("Interviews and flags per day"),
                counts=True,
            )
        ),
    }


def wave_dashboard(
    wave: Wave, flags: Iterable[FlagRow], reviews: Iterable[tuple[str, Any]]
) -> dict[str, Any]:
    """Counts and charts of one wave's flags and reviews.

    `flags`: qc.selectors.wave_flag_rows; `reviews`: qc.selectors.dashboard_reviews, (state,
    completed_at) for the daily numbers of interviews, by local day of completion.
    """
    counts = _count(flags, reviews, timezone.get_default_timezone())
    return {
        "wave": str(wave),
        "n_flags": sum(counts.by_rule.values()),
        "n_flagged": len(counts.flagged_interviews),
        "n_reviews": sum(counts.states.values()),
        "states": [
            {"state": s, "label": label, "n": counts.states.get(s, 0)}
            for s, label in Review.State.choices
        ],
        "by_severity": [
            {"severity": s, "label": Flag.Severity(s).label, "n": counts.by_severity.get(s, 0)}
            for s in SEVERITIES
        ],
        "by_rule": _bars(counts.by_rule),
        "by_interviewer": _bars(counts.by_interviewer),
        "by_street": _bars(counts.by_street),
        "days": [
            (day, counts.interviews_by_day[day], counts.flags_by_day[day]) for day in counts.days()
        ],
        "charts": _charts(counts),
    }
