"""Which door interviews and pages an audio audit records, and what counts as consent. Pure.

The draw is a hash of the interview (and page), not a random number kept somewhere: the same
interview is audited on every device and every page load, and nobody can pick which.
"""

import hashlib

CONSENT = "consent"  # the question whose "yes" allows recording
YES = frozenset({"yes", "y", "1", "true", "是", "同意", "agree", "agreed"})


def _uniform(*parts: object) -> float:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_audited(*, interview_id: int, mode: str, percent: int) -> bool:
    """Whether this door interview is among the `percent` % audited (phone: never)."""
    return mode == "door" and percent > 0 and _uniform("audit", interview_id) < percent / 100


def page_recorded(*, interview_id: int, step: str, pages_percent: int) -> bool:
    """Whether this page of an audited interview is recorded (a random segment)."""
    return pages_percent >= 100 or _uniform("page", interview_id, step) < pages_percent / 100


def consent_question(definition: dict) -> dict | None:
    """The questionnaire's `consent` question, on any page; None without one."""
    for group in definition.get("groups", []):
        for question in group.get("questions", []):
            if question.get("name") == CONSENT:
                return question
    return None


def consented(value: object) -> bool:
    """Whether an answer to the consent question is a yes."""
    return value is not None and str(value).strip().lower() in YES


def yes_codes(definition: dict, question: dict) -> list[str]:
    """The consent question's choice codes that mean yes (for the browser to start on)."""
    choices = definition.get("choice_lists", {}).get(question.get("list") or "", [])
    return [str(c["value"]) for c in choices if consented(c["value"])] or sorted(YES)
