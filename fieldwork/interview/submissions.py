"""Pages and visits sent more than once are applied once: submission keys and stale pages.

A tablet keeps what it could not send while offline and sends it again when the connection
returns (static/js/offline.js). Each submission carries a key; a key already received is not
applied again, and a wizard page rendered before later pages were submitted is refused as
stale rather than overwrite newer answers. The HTTP answers the script understands are in
fieldwork.interview.replay.
"""

import uuid
from collections.abc import Callable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from fieldwork.interview import flow
from fieldwork.models import Case, Interview, SubmissionKey
from fieldwork.services import interviews
from questionnaires import answers, xpath
from questionnaires.definitions import definition_of


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


def _claim_for_interview(*, interview: Interview, key: uuid.UUID, step: str, applied: bool) -> None:
    _create_key(key=key, interview=interview, step=step, applied=applied)


def claim_for_case(*, case: Case, key: uuid.UUID, step: str) -> None:
    """Store a door-to-door visit's (or doorstep start's) key; DuplicateSubmission if seen."""
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
    expressions: xpath.Interview | None = None,
    items: list[dict] | None = None,
    shown_next: Callable[[dict], str | None] | None = None,
) -> Interview:
    """Save one wizard page (services.interviews.save_interview_page) at most once per key.

    In one transaction, under the interview's one row lock, with one UPDATE: a page rendered
    at `page_version` older than the pages submitted since raises StalePage (nothing saved);
    then the key is stored (a key already stored for this interview raises
    DuplicateSubmission, nothing saved); then the page's answers replace what its questions
    held, everything that left the path goes and the calculates are recomputed (flow.settle)
    against the locked row's answers, so a delivery that waited for the lock never writes
    back answers read before another page was saved. Without a key or version that check is skipped.
    `items`: paradata events the browser reported for the page (fieldwork.interview.item_events),
    stored with the page, so a page sent twice records them once. `shown_next`: the page
    shown after this one, from the answers as saved; its "page shown" event is written with
    the page (services.interviews.apply_page).
    """
    locked = interviews.lock_in_progress(interview)  # the one row lock of this save
    if page_version is not None and page_version < current_page_version(locked):
        raise StalePage(step)
    if key is not None:
        # No savepoint: a duplicate key ends the whole save, which is rolled back.
        try:
            SubmissionKey.objects.create(key=key, interview=locked, step=step, applied=True)
        except IntegrityError as error:
            raise DuplicateSubmission(str(key)) from error
    definition = definition_of(interview.questionnaire_version)
    page = next(group for group in definition["groups"] if group["name"] == step)
    asked, keyed = answers.from_page(page, asked_names, page_answers)
    own = set(asked)
    before = {k: v for k, v in locked.answers.items() if k not in own}
    settled = flow.settle(definition, before | keyed, today=today, interview=expressions,
                          previous=locked.answers)  # fmt: skip
    names = [*asked, *locked.answers, *settled]
    at = timezone.now().isoformat()
    locked.paradata.extend({**event, "step": step, "at": at} for event in items or [])
    return interviews.apply_page(
        locked=locked,
        interview=interview,
        step=step,
        question_names=list(dict.fromkeys(names)),
        answers=settled,
        shown_next=shown_next,
    )


@transaction.atomic
def refuse_stale_page(*, interview: Interview, key: uuid.UUID, step: str) -> None:
    """Record that a page rendered before later pages were submitted was not applied.

    Such a page (kept offline while the interview went on elsewhere) would overwrite newer
    answers. Its key is stored as not applied, so sending it again changes nothing either.
    """
    _claim_for_interview(interview=interview, key=key, step=step, applied=False)
