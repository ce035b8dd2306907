"""Plain data for the qc templates: reviews and interviews turned into rows and sections."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import translation

from fieldwork.models import Interview
from qc import paradata
from qc.models import Review, ReviewEvent
from sampling.models import Locality
from sampling.phones import mask_phone


def duration_text(seconds: float | None) -> str:
    """mm:ss (minutes may exceed 59); "" when unknown."""
    if seconds is None:
        return ""
    whole = max(int(round(seconds)), 0)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def ui_language() -> str:
    """The definition language matching the UI: "zh" under any Chinese locale, else "en"."""
    return "zh" if (translation.get_language() or "").lower().startswith("zh") else "en"


def _label(labels: dict | None, language: str, fallback: str = "") -> str:
    """A label in `language`, else in the first language that has one."""
    if not labels:
        return fallback
    return labels.get(language) or next((text for text in labels.values() if text), fallback)


def review_rows(reviews: Iterable[Review]) -> list[dict[str, Any]]:
    """One dict per review of the list page (reviews from selectors.review_queue)."""
    rows = []
    for review in reviews:
        interview = review.interview
        rows.append(
            {
                "interview_id": interview.pk,
                "url": reverse("qc:review_detail", args=[interview.pk]),
                "interviewer": str(interview.interviewer),
                "street": interview.street.name if interview.street else "",
                "mode": interview.get_mode_display(),
                "completed_at": interview.completed_at,
                "duration": duration_text(interview.duration_seconds),
                "flags": [flag.reason for flag in interview.flags.all()],
                "state": review.state,
                "state_label": review.get_state_display(),
            }
        )
    return rows


def _answer_text(question: dict, value: Any, definition: dict, language: str, places: dict) -> str:
    kind = question.get("type")
    choices = {
        str(choice["value"]): _label(choice.get("label"), language, str(choice["value"]))
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
                    "label": _label(question.get("label"), language, question["name"]),
                    "answer": _answer_text(question, value, definition, language, places),
                    "code": value if question.get("type") == "select_one" else "",
                }
            )
        if rows:
            sections.append(
                {"label": _label(group.get("label"), language, group["name"]), "answers": rows}
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
        group["name"]: _label(group.get("label"), language, group["name"])
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
        "decided_by": str(review.decided_by) if review.decided_by else "",
        "decided_at": review.decided_at,
        "reason": review.reason,
    }
