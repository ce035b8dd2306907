"""Plain data for the qc templates: reviews and interviews turned into rows and sections."""

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from common import svg
from common.labels import localized
from fieldwork.models import Call, Interview, Wave
from qc import paradata, rules, services, workflow
from qc.models import BackCheck, Flag, Review, ReviewEvent
from sampling.models import Locality
from sampling.phones import mask_phone

# Rule code (a Flag's rule) -> its name for people; every rule that can raise a flag.
RULE_LABELS = {
    rules.RUSHED: gettext_lazy("Too short"),
    rules.STRAIGHTLINING: gettext_lazy("Same answer throughout"),
    rules.RUSHED_RELATIVE: gettext_lazy("Much shorter than usual"),
    rules.ITEM_NONRESPONSE: gettext_lazy("Many don't know / refused"),
    rules.OFF_HOURS: gettext_lazy("Outside interviewing hours"),
    rules.OVERLAPPING: gettext_lazy("Overlaps another interview"),
    rules.DUPLICATE_ANSWERS: gettext_lazy("Copied answers"),
    rules.LOCALITY_MISMATCH: gettext_lazy("Other street than sampled"),
    rules.FAST_ITEMS: gettext_lazy("Questions read too fast"),
    rules.ACQUIESCENCE: gettext_lazy("Agrees with everything"),
    rules.INCONSISTENT: gettext_lazy("Fails consistency checks"),
    rules.CONTRADICTION: gettext_lazy("Overall rating contradicts items"),
    rules.DUPLICATE_CONTACT: gettext_lazy("Same phone or household"),
    rules.SHORT_OPEN_ANSWERS: gettext_lazy("Too-short open answers"),
    services.BACKCHECK_RULE: gettext_lazy("Back-check discrepancy"),
}


def rule_label(code: str) -> str:
    """The readable name of a rule code in the current language; an unknown code as is."""
    label = RULE_LABELS.get(code)
    return str(label) if label is not None else code


def _severity_label(code: str) -> str:
    return str(dict(Flag.Severity.choices).get(code, code))


def duration_text(seconds: float | None) -> str:
    """mm:ss (minutes may exceed 59); "" when unknown."""
    if seconds is None:
        return ""
    whole = max(int(round(seconds)), 0)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def review_rows(reviews: Iterable[Review]) -> list[dict[str, Any]]:
    """One dict per review of the list page (reviews from selectors.review_queue)."""
    rows = []
    for review in reviews:
        interview = review.interview
        rows.append(
            {
                "review_id": review.pk,
                "interview_id": interview.pk,
                "url": reverse("qc:review_detail", args=[interview.pk]),
                "interviewer": str(interview.interviewer),
                "street": interview.street.name if interview.street else "",
                "mode": interview.get_mode_display(),
                "completed_at": interview.completed_at,
                "duration": duration_text(interview.duration_seconds),
                "flags": [
                    {
                        "rule": flag.rule,
                        "rule_label": rule_label(flag.rule),
                        "reason": flag.reason,
                        "severity": flag.severity,
                        "severity_label": flag.get_severity_display(),
                    }
                    for flag in interview.flags.all()
                ],
                "state": review.state,
                "state_label": review.get_state_display(),
            }
        )
    return rows


def _answer_text(question: dict, value: Any, definition: dict, language: str, places: dict) -> str:
    kind = question.get("type")
    choices = {
        str(choice["value"]): localized(choice.get("label"), language) or str(choice["value"])
        for choice in definition.get("choice_lists", {}).get(question.get("list") or "", [])
    }
    if kind == "select_one":
        return choices.get(str(value), str(value))
    if kind == "select_multiple":
        values = value if isinstance(value, list) else str(value).split()
        return "、".join(choices.get(str(v), str(v)) for v in values)
    if kind == "locality":
        return places.get(str(value), str(value))
    return str(value)


def answer_sections(interview: Interview, language: str) -> list[dict[str, Any]]:
    """The interview's answers page by page, with question and choice labels in `language`.

    Questions without an answer are left out; answers to questions the definition does not
    know (renamed between versions, say) are listed last under their raw names.
    """
    definition = interview.questionnaire_version.definition
    answers = interview.answers or {}
    locality_codes = [
        str(answers[q["name"]])
        for group in definition.get("groups", [])
        for q in group.get("questions", [])
        if q.get("type") == "locality" and answers.get(q["name"])
    ]
    places = (
        dict(Locality.objects.filter(code__in=locality_codes).values_list("code", "name"))
        if locality_codes
        else {}
    )
    sections = []
    known: set[str] = set()
    for group in definition.get("groups", []):
        rows = []
        for question in group.get("questions", []):
            known.add(question["name"])
            value = answers.get(question["name"])
            if question.get("type") == "note" or value is None or value in ("", []):
                continue
            rows.append(
                {
                    "name": question["name"],
                    "label": localized(question.get("label"), language) or question["name"],
                    "answer": _answer_text(question, value, definition, language, places),
                    "code": value if question.get("type") == "select_one" else "",
                }
            )
        if rows:
            sections.append(
                {"label": localized(group.get("label"), language) or group["name"], "answers": rows}
            )
    unknown = [
        {"name": name, "label": name, "answer": str(value), "code": ""}
        for name, value in answers.items()
        if name not in known
    ]
    if unknown:
        sections.append({"label": "", "answers": unknown})
    return sections


def paradata_summary(interview: Interview, language: str) -> dict[str, Any]:
    """Durations from the interview's paradata: total, wall-clock, and per page."""
    definition = interview.questionnaire_version.definition
    page_labels = {
        group["name"]: localized(group.get("label"), language) or group["name"]
        for group in definition.get("groups", [])
    }
    events = interview.paradata or []
    return {
        "duration": duration_text(interview.duration_seconds),
        "elapsed": duration_text(paradata.elapsed_seconds(events)),
        "answer_changes": paradata.count_events(events, "answer_changed"),
        "pages": [
            {
                "step": page.step,
                "label": page_labels.get(page.step, page.step),
                "visits": page.visits,
                "duration": duration_text(page.seconds),
            }
            for page in paradata.page_times(events)
        ],
    }


def history_rows(events: Iterable[ReviewEvent]) -> list[dict[str, Any]]:
    states = dict(Review.State.choices)
    return [
        {
            "at": event.at,
            "from_state": states.get(event.from_state, event.from_state),
            "to_state": states.get(event.to_state, event.to_state),
            "to_state_code": event.to_state,
            "actor": str(event.actor) if event.actor else "",
            "reason": event.reason,
            "rules": [
                f"{rule_label(r.get('rule', ''))} ({_severity_label(r.get('severity', ''))})"
                for r in event.rules or []
            ],
        }
        for event in events
    ]


def interview_facts(review: Review) -> dict[str, Any]:
    """The header of the detail page; the phone number only masked."""
    interview = review.interview
    case = interview.case
    return {
        "interview_id": interview.pk,
        "wave": str(case.wave),
        "case_id": case.pk,
        "interviewer": str(interview.interviewer),
        "mode": interview.get_mode_display(),
        "phone": mask_phone(case.unit.phone or ""),
        "district": interview.district.name if interview.district else "",
        "street": interview.street.name if interview.street else "",
        "community": interview.community.name if interview.community else "",
        "started_at": interview.started_at,
        "completed_at": interview.completed_at,
        "questionnaire": str(interview.questionnaire_version),
        "state": review.state,
        "state_label": review.get_state_display(),
        "proposed_by": str(review.proposed_by) if review.proposed_by else "",
        "proposed_at": review.proposed_at,
        "decided_by": str(review.decided_by) if review.decided_by else "",
        "decided_at": review.decided_at,
        "reason": review.reason,
    }


def flag_rows(interview: Interview) -> list[dict[str, Any]]:
    return [
        {
            "rule": flag.rule,
            "rule_label": rule_label(flag.rule),
            "severity": flag.severity,
            "severity_label": flag.get_severity_display(),
            "reason": flag.reason,
        }
        for flag in interview.flags.all()
    ]


def recordings(interview: Interview) -> list[dict[str, Any]]:
    """The case's call recordings, newest first, as links to the telephony recording view."""
    calls = Call.objects.filter(case_id=interview.case_id).exclude(recording_url="")
    return [
        {
            "url": reverse("fieldwork:telephony:recording", args=[call.pk]),
            "at": call.created_at,
            "duration": duration_text(call.recording_seconds),
        }
        for call in calls.order_by("-created_at", "-id")
    ]


def review_actions(
    review: Review, user: User, parties: dict[str, frozenset[int]] | None = None
) -> dict[str, bool]:
    """Which decision forms the user may use on this review now (the services check again).

    `parties`: services.review_parties(review), read here when not given.
    """
    state = review.state
    if parties is None:
        parties = services.review_parties(review)

    def may(to_state: str, actor: str) -> bool:
        return workflow.allowed(state, to_state, actor) and (
            workflow.refusal(state, to_state, actor, person=user.pk, parties=parties) is None
        )

    lead = services.is_qc_lead(user)
    supervisor_step = (
        user.role in services.DECIDERS
        and state in workflow.UNDECIDED
        and may(workflow.PROPOSED_APPROVE, workflow.REVIEWER)
    )
    approve = lead and may(workflow.APPROVED, workflow.LEAD)
    reject = lead and may(workflow.REJECTED, workflow.LEAD)
    send_back = lead and may(workflow.RETURNED, workflow.LEAD)
    return {
        "approve": supervisor_step or approve,
        "reject": supervisor_step or reject,
        "return": supervisor_step or (send_back and state in workflow.PROPOSED),
        "rerelease": send_back and state == workflow.REJECTED,
        "final": approve or reject,
    }


def backcheck_questions(backcheck: BackCheck, language: str) -> list[dict[str, Any]]:
    """The key questions of a back-check with labels and choices from the definition."""
    definition = backcheck.interview.questionnaire_version.definition
    by_name = {
        q["name"]: q for group in definition.get("groups", []) for q in group.get("questions", [])
    }
    lists = definition.get("choice_lists", {})
    result = []
    for name in backcheck.questions:
        question = by_name.get(name, {"name": name})
        choices = [
            (str(c["value"]), localized(c.get("label"), language) or str(c["value"]))
            for c in lists.get(question.get("list") or "", [])
        ]
        result.append(
            {
                "name": name,
                "label": localized(question.get("label"), language) or name,
                "choices": choices if question.get("type", "").startswith("select") else [],
            }
        )
    return result


def my_backcheck_rows(backchecks: Iterable[BackCheck]) -> list[dict[str, Any]]:
    """The interviewer's list: the respondent's phone only masked."""
    return [
        {
            "interview_id": b.interview_id,
            "url": reverse("qc:backcheck_form", args=[b.interview_id]),
            "wave": str(b.interview.case.wave),
            "phone": mask_phone(b.interview.case.unit.phone or ""),
            "street": b.interview.street.name if b.interview.street else "",
            "state": b.state,
            "state_label": b.get_state_display(),
            "rate": b.rate,
        }
        for b in backchecks
    ]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def backcheck_rows(backchecks: Iterable[BackCheck]) -> list[dict[str, Any]]:
    return [
        {
            "interview_id": b.interview_id,
            "url": reverse("qc:review_detail", args=[b.interview_id]),
            "interviewer": str(b.interview.interviewer),
            "assigned_to": str(b.assigned_to),
            "state": b.state,
            "state_label": b.get_state_display(),
            "rate": _percent(b.rate),
            "outcome": b.get_outcome_display() if b.outcome else "",
            "seed": b.draw.seed,
        }
        for b in backchecks
    ]


def discrepancy_table(backchecks: Iterable[BackCheck]) -> list[dict[str, Any]]:
    """Per interviewer (of the checked interviews): done, mean rate, failed, in name order.

    The mean is over interviews (each done back-check weighs the same).
    """
    table: dict[str, dict[str, Any]] = {}
    for b in backchecks:
        row = table.setdefault(
            str(b.interview.interviewer),
            {"selected": 0, "done": 0, "rates": [], "failed": 0},
        )
        row["selected"] += 1
        if b.state == BackCheck.State.DONE:
            row["done"] += 1
            row["rates"].append(b.rate or 0.0)
            row["failed"] += b.outcome in (BackCheck.Outcome.REJECTED, BackCheck.Outcome.RETURNED)
    return [
        {
            "interviewer": name,
            "selected": row["selected"],
            "done": row["done"],
            "mean_rate": _percent(sum(row["rates"]) / len(row["rates"]) if row["rates"] else None),
            "failed": row["failed"],
        }
        for name, row in sorted(table.items())
    ]


def dashboard(wave: Wave, flags: Iterable[Flag], reviews: Iterable[Review]) -> dict[str, Any]:
    """Counts and charts of one wave's flags and reviews.

    `flags`: selectors.wave_flags; `reviews`: the wave's reviews with their interviews (for
    the daily numbers of interviews, by local day of completion).
    """
    zone = timezone.get_default_timezone()
    by_rule: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    by_interviewer: Counter[str] = Counter()
    by_street: Counter[str] = Counter()
    flags_by_day: Counter[str] = Counter()
    flagged_interviews: set[int] = set()
    for flag in flags:
        interview = flag.interview
        by_rule[flag.rule] += 1
        by_severity[flag.severity] += 1
        by_interviewer[str(interview.interviewer)] += 1
        by_street[interview.street.name if interview.street else "—"] += 1
        if interview.completed_at:
            flags_by_day[interview.completed_at.astimezone(zone).date().isoformat()] += 1
        flagged_interviews.add(interview.pk)
    interviews_by_day: Counter[str] = Counter()
    states: Counter[str] = Counter()
    for review in reviews:
        states[review.state] += 1
        if review.interview.completed_at:
            day = review.interview.completed_at.astimezone(zone).date().isoformat()
            interviews_by_day[day] += 1
    days = sorted(set(interviews_by_day) | set(flags_by_day))

    def bars(counter: Counter[str]) -> list[tuple[str, float]]:
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))

    return {
        "wave": str(wave),
        "n_flags": sum(by_rule.values()),
        "n_flagged": len(flagged_interviews),
        "n_reviews": sum(states.values()),
        "states": [
            {"state": s, "label": label, "n": states.get(s, 0)} for s, label in Review.State.choices
        ],
        "by_severity": [
            {"severity": s, "label": Flag.Severity(s).label, "n": by_severity.get(s, 0)}
            for s in rules.SEVERITIES
        ],
        "by_rule": bars(by_rule),
        "by_interviewer": bars(by_interviewer),
        "by_street": bars(by_street),
        "days": [(day, interviews_by_day[day], flags_by_day[day]) for day in days],
        # common.svg escapes every text it draws
        "charts": {
            "rule": mark_safe(
                svg.bar_chart(
                    [svg.Bar(rule_label(code), n) for code, n in bars(by_rule)],
                    title=_("Flags by rule"),
                    scale_max=None,
                )
            ),
            "interviewer": mark_safe(
                svg.bar_chart(
                    [svg.Bar(name, n) for name, n in bars(by_interviewer)],
                    title=_("Flags by interviewer"),
                    scale_max=None,
                )
            ),
            "street": mark_safe(
                svg.bar_chart(
                    [svg.Bar(name, n) for name, n in bars(by_street)],
                    title=_("Flags by street"),
                    scale_max=None,
                )
            ),
            "days": mark_safe(
                svg.line_chart(
                    days,
                    [
                        svg.Series(_("Interviews"), [interviews_by_day[d] for d in days]),
                        svg.Series(_("Flags"), [flags_by_day[d] for d in days]),
                    ],
                    title=_("Interviews and flags per day"),
                    counts=True,
                )
            ),
        },
    }


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
]
EVENT_COLUMNS = ["interview_id", "at", "from_state", "to_state", "actor", "reason", "rules"]


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
        ]
        for event in events
    ]
