"""Door-to-door (CAPI) use-cases: visits with the tablet's position, and pages sent once.

Positions are checked against the assigned community's coordinates by fieldwork.capi; the
thresholds are settings (CAPI_MAX_DISTANCE_M, CAPI_MAX_ACCURACY_M). A visit is always saved:
the warnings are recorded on it for the interviewer, the supervisor and quality control.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from fieldwork import capi, flow, services
from fieldwork.models import Case, ContactAttempt, Interview, Mode, SubmissionKey

DEFAULT_MAX_DISTANCE_M = 2000.0
DEFAULT_MAX_ACCURACY_M = 100.0


@dataclass(frozen=True)
class Position:
    """The browser's answer to "where am I?": a fix, or why there is none."""

    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    error: str = ""  # one of capi.POSITION_ERRORS when there is no fix


def thresholds() -> tuple[float, float]:
    """(maximum distance from the community, maximum accuracy radius), in metres."""
    return (
        float(getattr(settings, "CAPI_MAX_DISTANCE_M", DEFAULT_MAX_DISTANCE_M)),
        float(getattr(settings, "CAPI_MAX_ACCURACY_M", DEFAULT_MAX_ACCURACY_M)),
    )


def reference_point(case: Case) -> tuple[float, float] | None:
    """Coordinates the visit is checked against: the unit's community, else its street."""
    for locality in (case.unit.locality, case.street):
        if locality is not None and capi.is_valid_position(locality.latitude, locality.longitude):
            return locality.latitude, locality.longitude
    return None


def _place(attempt: ContactAttempt, case: Case, position: Position) -> None:
    max_distance, max_accuracy = thresholds()
    distance, warnings = capi.position_warnings(
        latitude=position.latitude,
        longitude=position.longitude,
        accuracy_m=position.accuracy_m,
        reference=reference_point(case),
        max_distance_m=max_distance,
        max_accuracy_m=max_accuracy,
    )
    fix = capi.MISSING not in warnings
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
    appointment_at=None,
    key: uuid.UUID | None = None,
) -> ContactAttempt:
    """A door-to-door visit that did not become an interview, with where it was made.

    Same rules as services.record_attempt (own open case, a non-interview AAPOR outcome, a
    final code or the last allowed attempt closes the case, optional come-back time); the
    position and its warnings (capi.position_warnings) are stored on the visit. With a key,
    the visit is recorded at most once: a second delivery raises DuplicateSubmission.
    """
    if key is not None:
        _claim_for_case(case=case, key=key, step="visit")
    attempt = services.record_attempt(
        case=case,
        interviewer=interviewer,
        mode=Mode.DOOR,
        disposition=disposition,
        note=note,
        appointment_at=appointment_at,
    )
    _place(attempt, case, position)
    return attempt


@transaction.atomic
def start_door_interview(
    *, case: Case, interviewer: User, position: Position, key: uuid.UUID | None = None
) -> Interview:
    """Start (or resume) the household's interview on the doorstep, recording the position.

    The visit is the contact attempt services.start_interview opens; a visit already under
    way keeps the position it was given first. With a key, this happens at most once: a
    second delivery raises DuplicateSubmission (and opens no second contact attempt).
    """
    if key is not None:
        _claim_for_case(case=case, key=key, step="start")
    interview = services.start_interview(case=case, interviewer=interviewer, mode=Mode.DOOR)
    attempt = (
        ContactAttempt.objects.filter(case=case, ended_at=None, mode=Mode.DOOR)
        .order_by("-started_at", "-id")
        .first()
    )
    if attempt is not None and attempt.latitude is None and not attempt.position_error:
        _place(attempt, case, position)
    return interview


# --- pages sent once ------------------------------------------------------------------------


class DuplicateSubmission(Exception):
    """This page submission (by its key) was already received."""


def parse_key(text: str | None) -> uuid.UUID | None:
    """The submission key a page carries, or None when absent or not a UUID."""
    try:
        return uuid.UUID(str(text)) if text else None
    except ValueError:
        return None


def current_page_version(interview: Interview) -> int:
    """How many pages were submitted so far: a page rendered at an older version is stale."""
    return sum(1 for event in interview.paradata if event.get("event") == "page_submitted")


class StalePage(Exception):
    """The page was rendered before pages submitted since: applying it would undo them."""


def is_received(*, interview: Interview, key: uuid.UUID) -> bool:
    """Whether this interview already received a page under this key."""
    return SubmissionKey.objects.filter(interview=interview, key=key).exists()


def is_visit_received(*, case: Case, key: uuid.UUID) -> bool:
    """Whether this case already received a visit (or doorstep start) under this key."""
    return SubmissionKey.objects.filter(case=case, key=key).exists()


def _create_key(**fields) -> None:
    try:
        with transaction.atomic():  # a savepoint: the outer transaction stays usable
            SubmissionKey.objects.create(**fields)
    except IntegrityError as error:
        raise DuplicateSubmission(str(fields["key"])) from error


def _claim(*, interview: Interview, key: uuid.UUID, step: str, applied: bool) -> None:
    _create_key(key=key, interview=interview, step=step, applied=applied)


def _claim_for_case(*, case: Case, key: uuid.UUID, step: str) -> None:
    _create_key(key=key, case=case, step=step, applied=True)


@transaction.atomic
def save_interview_page_once(
    *,
    interview: Interview,
    key: uuid.UUID | None,
    page_version: int | None,
    step: str,
    asked_names: list[str],
    page_answers: dict,
    today: date,
) -> Interview:
    """Save one wizard page (services.save_interview_page) at most once per key.

    Under the interview's row lock: a page rendered at `page_version` older than the pages
    submitted since raises StalePage (nothing saved); then the key is stored (a key already
    stored for this interview raises DuplicateSubmission, nothing saved); then the page's
    answers replace what its questions held, everything that left the path goes and the
    calculates are recomputed (flow.settle) against the locked row's answers, so a delivery
    that waited for the lock never writes back answers read before another page was saved.
    Without a key or version that check is skipped.
    """
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    if page_version is not None and page_version < current_page_version(locked):
        raise StalePage(step)
    if key is not None:
        _claim(interview=locked, key=key, step=step, applied=True)
    own = set(asked_names)
    before = {k: v for k, v in locked.answers.items() if k not in own}
    definition = locked.questionnaire_version.definition
    settled = flow.settle(definition, before | page_answers, today=today)
    names = [*asked_names, *locked.answers, *settled]
    return services.save_interview_page(
        interview=interview, step=step, question_names=list(dict.fromkeys(names)), answers=settled
    )


@transaction.atomic
def refuse_stale_page(*, interview: Interview, key: uuid.UUID, step: str) -> None:
    """Record that a page rendered before later pages were submitted was not applied.

    Such a page (kept offline while the interview went on elsewhere) would overwrite newer
    answers. Its key is stored as not applied, so sending it again changes nothing either.
    """
    _claim(interview=interview, key=key, step=step, applied=False)
