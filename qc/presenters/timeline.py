"""The review page's timeline of an interview's per-question paradata: each page visit as the
browser logged it (fieldwork.interview.item_events), with going back and language switches;
and the interview's audio-audit recordings (fieldwork.audits) with their speech share."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.labels import localized
from fieldwork.interview.item_events import MASK
from fieldwork.models import Interview
from qc import paradata

ENDINGS = {
    "next": gettext_lazy("Next"),
    "back": gettext_lazy("Back"),
    "language": gettext_lazy("Language switch"),
}


def _seconds(ms: Any) -> str:
    if ms is None:
        return "–"
    return _("%(seconds)s s") % {"seconds": f"{float(ms) / 1000:.1f}"}


def _value_text(question: dict, value: Any, definition: dict, language: str) -> str:
    if value is None:
        return _("(none)")
    if value == MASK:
        return _("(hidden: personal data)")
    choices = {
        str(choice["value"]): localized(choice.get("label"), language) or str(choice["value"])
        for choice in definition.get("choice_lists", {}).get(question.get("list") or "", [])
    }
    if question.get("type") in ("select_one", "select_multiple") and choices:
        return "、".join(choices.get(code, code) for code in str(value).split())
    return str(value)


def _visit(event: dict, group: dict, definition: dict, language: str) -> dict[str, Any]:
    questions = {q["name"]: q for q in group.get("questions", []) if "name" in q}

    def label(name: str) -> str:
        question = questions.get(name, {})
        return localized(question.get("label"), language) or _("Question %(n)s") % {
            "n": list(questions).index(name) + 1 if name in questions else "?"
        }

    rows = [
        {
            "label": label(name),
            "shown": _seconds(row[0]),
            "focus": _seconds(row[1]),
            "first": _seconds(row[2]),
            "time": _seconds(row[3]),
            "changes": row[4],
        }
        for name, row in (event.get("q") or {}).items()
        if isinstance(row, list) and len(row) == 5
    ]
    changes = [
        {
            "at": _seconds(ms),
            "label": label(name),
            "old": _value_text(questions.get(name, {}), old, definition, language),
            "new": _value_text(questions.get(name, {}), new, definition, language),
        }
        for ms, name, old, new in event.get("ch") or []
    ]
    return {
        "kind": "visit",
        "page": localized(group.get("label"), language) or group.get("name", ""),
        "at": event.get("at", ""),
        "length": _seconds(event.get("ms")),
        "ended": ENDINGS.get(event.get("end"), ENDINGS["next"]),
        "pause": _seconds(event.get("gap")),
        "background": _seconds(event.get("bg")) if event.get("bg") else "",
        "questions": rows,
        "changes": changes,
    }


def item_timeline(events: list[dict], definition: dict, language: str) -> dict[str, Any]:
    """The visits in the order they happened, and the totals; empty without a per-question
    log (an interview taken before it was recorded, or on paper)."""
    pages = {group.get("name"): group for group in definition.get("groups", [])}
    summary = paradata.item_summary(events)
    if summary is None:
        return {}
    visits = [
        _visit(event, pages[event["step"]], definition, language)
        for event in events
        if event.get("event") == paradata.ITEMS and event.get("step") in pages
    ]
    return {
        "visits": visits,
        "changes": summary.changes,
        "returns": summary.returns,
        "back": summary.back,
        "language_switches": summary.language_switches,
        "longest_pause": _seconds(summary.longest_pause * 1000),
        "refused": paradata.count_events(events, "items_refused"),
    }


def audio_audits(interview: Interview, language: str) -> list[dict[str, Any]]:
    """The interview's audio-audit recordings in the order made, each with its player's
    address, its page and what the speech analysis found."""
    definition = interview.questionnaire_version.definition
    pages = {g.get("name"): localized(g.get("label"), language) for g in definition["groups"]}
    rows = []
    for audit in interview.audio_audits.all():
        if audit.error:
            found = _("Could not be analysed")
        elif audit.analysed_at is None:
            found = _("Not analysed yet")
        else:
            share = audit.speech_share or 0.0
            found = _("Speech in %(share)s %% of %(seconds)s") % {
                "share": f"{100 * share:.0f}",
                "seconds": _seconds((audit.seconds or 0) * 1000),
            }
        rows.append(
            {
                "url": reverse("fieldwork:interview_media", args=[interview.pk, audit.name]),
                "page": pages.get(audit.step) or audit.step,
                "found": found,
                "at": audit.created_at,
            }
        )
    return rows
