"""Plain data for the review pages: the review list, and one interview's answers, paradata,
flags, recordings, history and the decisions the user may take."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from common.labels import localized
from common.logs import masked
from fieldwork.capi.presenters import selection_card, sex_label
from fieldwork.interview import respondent
from fieldwork.interview.media import is_stored_name
from fieldwork.models import Call, Interview, Mode
from fieldwork.selectors import latest_selection
from qc import paradata, workflow
from qc.access import DECIDERS, is_qc_lead
from qc.models import Review, ReviewEvent
from qc.presenters.labels import reason_text, rule_label, severity_label
from qc.selectors import review_parties
from questionnaires import answers as stored
from sampling.models import Locality
from sampling.phones import mask_phone


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
                        "reason": reason_text(flag.reason, flag.reason_en),
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
    if kind == "geopoint":
        return _point_text(str(value))
    if kind in ("image", "audio"):
        return ""  # shown as the photo or the player
    return masked(str(value))  # a number left for a call back is masked as the sample's are


def _point_text(value: str) -> str:
    parts = value.split()
    if len(parts) < 2:
        return value
    text = f"{parts[0]}, {parts[1]}"
    if len(parts) >= 4 and parts[3] not in ("0", "0.0"):
        text += " " + _("(accurate to %(metres)s m)") % {"metres": parts[3]}
    return text


def _media(question: dict, value: Any, interview_id: int) -> dict | None:
    """The photo or recording an answer names, as the review page shows it."""
    if question.get("type") not in ("image", "audio") or not is_stored_name(value):
        return None
    url = reverse("fieldwork:interview_media", args=[interview_id, value])
    return {"kind": question["type"], "url": url}


def answer_sections(interview: Interview, language: str) -> list[dict[str, Any]]:
    """The interview's answers page by page, with question and choice labels in `language`.

    Questions without an answer are left out; answers to questions the definition does not
    know (renamed between versions, say) are listed last under their raw names.
    """
    definition = interview.questionnaire_version.definition
    answers = interview.answers or {}
    locality_codes = [
        str(stored.get(answers, q))
        for group in definition.get("groups", [])
        for q in group.get("questions", [])
        if q.get("type") == "locality" and stored.get(answers, q)
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
            known.add(stored.key(question))
            value = stored.get(answers, question)
            if question.get("type") == "note" or value is None or value in ("", []):
                continue
            rows.append(
                {
                    "name": question["name"],
                    "label": localized(question.get("label"), language) or question["name"],
                    "answer": _answer_text(question, value, definition, language, places),
                    # a scale's number helps a reviewer; a named value is a raw code
                    "code": value
                    if question.get("type") == "select_one" and str(value).isdigit()
                    else "",
                    "media": _media(question, value, interview.pk),
                }
            )
        if rows:
            sections.append(
                {"label": localized(group.get("label"), language) or group["name"], "answers": rows}
            )
    unknown = [
        {"name": name, "label": name, "answer": masked(str(value)), "code": ""}
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
            "reason": reason_text(event.reason, event.reason_en),
            "rules": rule_names(event.rules),
        }
        for event in events
    ]


def rule_names(rules: list | None) -> list[str]:
    """The rules a decision was taken on ([{"rule", "severity"}, ...], as a ReviewEvent keeps
    them), each as "name (severity)" in the current language."""
    return [
        f"{rule_label(r.get('rule', ''))} ({severity_label(r.get('severity', ''))})"
        for r in rules or []
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
        "reason": reason_text(review.reason, review.reason_en),
    }


def flag_rows(interview: Interview) -> list[dict[str, Any]]:
    return [
        {
            "rule": flag.rule,
            "rule_label": rule_label(flag.rule),
            "severity": flag.severity,
            "severity_label": flag.get_severity_display(),
            "reason": reason_text(flag.reason, flag.reason_en),
        }
        for flag in interview.flags.all()
    ]


def household_selection(interview: Interview) -> dict | None:
    """A door-to-door interview's household roster and selected member, beside the sex and age
    its answers record; None by phone or without a selection."""
    if interview.mode != Mode.DOOR:
        return None
    selection = latest_selection(interview.case)
    if selection is None:
        return None
    definition = interview.questionnaire_version.definition
    sex, age = respondent.recorded(stored.scope(interview.answers, definition))
    return {
        **selection_card(selection),
        "recorded": _("Recorded in the interview: %(sex)s, %(age)s")
        % {
            "sex": sex_label(sex) if sex else "—",
            "age": _("%(age)d years") % {"age": age} if age is not None else "—",
        },
    }


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

    `parties`: review_parties(review), read here when not given.
    """
    state = review.state
    if parties is None:
        parties = review_parties(review)

    def may(to_state: str, actor: str) -> bool:
        return workflow.allowed(state, to_state, actor) and (
            workflow.refusal(state, to_state, actor, person=user.pk, parties=parties) is None
        )

    lead = is_qc_lead(user)
    supervisor_step = (
        user.role in DECIDERS
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
