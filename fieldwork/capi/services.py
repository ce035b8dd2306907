"""Door-to-door (CAPI) use-cases: a visit or a doorstep start, with the tablet's position.

Positions are checked against the assigned community's coordinates by fieldwork.capi.geo; the
thresholds are settings (CAPI_MAX_DISTANCE_M, CAPI_MAX_ACCURACY_M). A visit is always saved:
the warnings are recorded on it for the interviewer, the supervisor and quality control. A
keyed visit is recorded once however often the tablet sends it (fieldwork.interview.submissions).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction

from accounts.models import User
from fieldwork.capi import geo
from fieldwork.interview import submissions
from fieldwork.models import Case, ContactAttempt, Interview, Mode
from fieldwork.services import attempts, interviews

DEFAULT_MAX_DISTANCE_M = 2000.0
DEFAULT_MAX_ACCURACY_M = 100.0


@dataclass(frozen=True)
class Position:
    """The browser's answer to "where am I?": a fix, or why there is none."""

    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    error: str = ""  # one of geo.POSITION_ERRORS when there is no fix


def thresholds() -> tuple[float, float]:
    """(maximum distance from the community, maximum accuracy radius), in metres."""
    return (
        float(getattr(settings, "CAPI_MAX_DISTANCE_M", DEFAULT_MAX_DISTANCE_M)),
        float(getattr(settings, "CAPI_MAX_ACCURACY_M", DEFAULT_MAX_ACCURACY_M)),
    )


def reference_point(case: Case) -> tuple[float, float] | None:
    """Coordinates the visit is checked against: the unit's community, else its street."""
    for locality in (case.unit.locality, case.street):
        if locality is not None and geo.is_valid_position(locality.latitude, locality.longitude):
            return locality.latitude, locality.longitude
    return None


def _place(attempt: ContactAttempt, case: Case, position: Position) -> None:
    max_distance, max_accuracy = thresholds()
    distance, warnings = geo.position_warnings(
        latitude=position.latitude,
        longitude=position.longitude,
        accuracy_m=position.accuracy_m,
        reference=reference_point(case),
        max_distance_m=max_distance,
        max_accuracy_m=max_accuracy,
    )
    fix = geo.MISSING not in warnings
    attempt.latitude = position.latitude if fix else None
    attempt.longitude = position.longitude if fix else None
    attempt.accuracy_m = position.accuracy_m if fix else None
    attempt.position_error = "" if fix else (position.error or "unavailable")
    attempt.distance_m = distance
    attempt.position_warnings = warnings
    attempt.save(
        update_fields=[
            "latitude",
            "longitude",
            "accuracy_m",
            "position_error",
            "distance_m",
            "position_warnings",
        ]
    )


@transaction.atomic
def record_visit(
    *,
    case: Case,
    interviewer: User,
    disposition: str,
    position: Position,
    note: str = "",
    appointment_at: datetime | None = None,
    appointment_kind: str = "hard",
    key: uuid.UUID | None = None,
    language: str = "",
) -> ContactAttempt:
    """A door-to-door visit that did not become an interview, with where it was made.

    Same rules as attempts.record_attempt (own open case, a non-interview AAPOR outcome, a
    final code or the last allowed attempt closes the case, optional come-back time); the
    position and its warnings (geo.position_warnings) are stored on the visit. With a key,
    the visit is recorded at most once: a second delivery raises submissions.DuplicateSubmission.
    """
    if key is not None:
        submissions.claim_for_case(case=case, key=key, step="visit")
    attempt = attempts.record_attempt(
        case=case,
        interviewer=interviewer,
        mode=Mode.DOOR,
        disposition=disposition,
        note=note,
        appointment_at=appointment_at,
        appointment_kind=appointment_kind,
        language=language,
    )
    _place(attempt, case, position)
    return attempt


@transaction.atomic
def start_door_interview(
    *,
    case: Case,
    interviewer: User,
    position: Position,
    key: uuid.UUID | None = None,
    device: str = "",
) -> Interview:
    """Start (or resume) the household's interview on the doorstep, recording the position.

    The visit is the contact attempt interviews.start_interview opens; a visit already under
    way keeps the position it was given first. With a key, this happens at most once: a
    second delivery raises submissions.DuplicateSubmission (and opens no second contact attempt).
    """
    if key is not None:
        submissions.claim_for_case(case=case, key=key, step="start")
    interview = interviews.start_interview(
        case=case, interviewer=interviewer, mode=Mode.DOOR, device=device
    )
    attempt = (
        ContactAttempt.objects.filter(case=case, ended_at=None, mode=Mode.DOOR)
        .order_by("-started_at", "-id")
        .first()
    )
    if attempt is not None and attempt.latitude is None and not attempt.position_error:
        _place(attempt, case, position)
    return interview
