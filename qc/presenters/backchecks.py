"""Plain data for the back-check pages: an interviewer's list and form, a wave's back-checks
and the per-interviewer discrepancy table (also on the dashboard)."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from common.labels import localized
from fieldwork.models import Call, Mode
from fieldwork.telephony.presenters import call_message
from qc.models import BackCheck
from questionnaires import answers as stored
from sampling.phones import mask_phone


def backcheck_questions(backcheck: BackCheck, language: str) -> list[dict[str, Any]]:
    """The key questions of a back-check with labels and choices from the definition."""
    definition = backcheck.interview.questionnaire_version.definition
    by_name = {
        stored.key(q): q
        for group in definition.get("groups", [])
        for q in group.get("questions", [])
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


def _checked(backcheck: BackCheck) -> str:
    """Who had done the interview the back-check checked (a re-interview: its re-interviewer)."""
    return str(backcheck.interviewer or backcheck.interview.interviewer)


def backcheck_rows(backchecks: Iterable[BackCheck]) -> list[dict[str, Any]]:
    return [
        {
            "interview_id": b.interview_id,
            "url": reverse("qc:review_detail", args=[b.interview_id]),
            "round": b.round,
            "interviewer": _checked(b),
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
            _checked(b),
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


def backcheck_call_panel(backcheck: BackCheck, last_call: Call | None, configured: bool) -> dict:
    """The back-check page's call control: whether the checker can be put through (telephony
    set up, a number on file, the back-check to do), where the last call stands, and whether
    this is a door interview checked by phone. The number itself is never in it."""
    interview = backcheck.interview
    has_phone = bool(interview.case.unit.phone)
    return {
        "configured": configured,
        "has_phone": has_phone,
        "can_call": configured and has_phone and backcheck.state == BackCheck.State.ASSIGNED,
        "door": interview.mode == Mode.DOOR,
        "message": call_message(last_call) if last_call is not None else "",
        "url": reverse("qc:backcheck_call", args=[backcheck.interview_id]),
    }
