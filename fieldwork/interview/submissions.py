"""Pages and visits sent more than once are applied once: submission keys and stale pages.

A tablet keeps what it could not send while offline and sends it again when the connection
returns (static/js/offline.js). Each submission carries a key; a key already received is not
applied again, and a wizard page rendered before later pages were submitted is refused as
stale rather than overwrite newer answers. The HTTP answers the script understands are in
fieldwork.interview.replay.
"""

import copy
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

    In one transaction with one UPDATE: a page rendered at `page_version` older than the pages
    submitted since raises StalePage (nothing saved); then the key is stored (a key already
    stored for this interview raises DuplicateSubmission, nothing saved); then the page's
    answers replace what its questions held, everything that left the path goes and the
    calculates are recomputed (flow.settle). They are settled against `interview` as the
    request read it, and the UPDATE applies only if the row is still that one (in progress,
    the same start, as many paradata events: every writer of an interview in progress
    appends one); otherwise, the row changed meanwhile (another delivery of a page, a page
    left by Back), the save is made again against the row read under its lock, so a delivery
    never writes back answers read before another page was saved. Without a key or version
    that check is skipped. `items`: paradata events the browser reported for the page
    (fieldwork.interview.item_events), stored with the page, so a page sent twice records them
    once. `shown_next`: the page shown after this one, from the answers as saved; its "page
    shown" event is written with the page (services.interviews.apply_page).
    """
    if page_version is not None and page_version < current_page_version(interview):
        raise StalePage(step)  # pages are only ever added: the row is at least as far on
    if key is not None:
        # No savepoint: a duplicate key ends the whole save, which is rolled back.
        try:
            SubmissionKey.objects.create(key=key, interview=interview, step=step, applied=True)
        except IntegrityError as error:
            raise DuplicateSubmission(str(key)) from error
    page = dict(step=step, asked_names=asked_names, page_answers=page_answers, today=today,
                expressions=expressions, items=items, shown_next=shown_next)  # fmt: skip
    read = copy.copy(interview)  # settled and written as read; `interview` follows on success
    read.answers, read.paradata = dict(interview.answers), list(interview.paradata)
    saved = _settle_and_apply(base=read, interview=interview, unchanged_since=interview, **page)
    if saved is not None:
        return saved
    locked = interviews.lock_in_progress(interview)  # the one row lock, only when it changed
    if page_version is not None and page_version < current_page_version(locked):
        raise StalePage(step)
    return _settle_and_apply(base=locked, interview=interview, unchanged_since=None, **page)


def _settle_and_apply(
    *, base: Interview, interview: Interview, unchanged_since: Interview | None, step: str,
    asked_names: list[str], page_answers: dict, today: date, expressions, items, shown_next,
) -> Interview | None:  # fmt: skip
    """The page settled against `base` and written (None: the row changed since
    `unchanged_since` was read, nothing written)."""
    definition = definition_of(interview.questionnaire_version)
    page = next(group for group in definition["groups"] if group["name"] == step)
    asked, keyed = answers.from_page(page, asked_names, page_answers)
    own = set(asked)
    before = {k: v for k, v in base.answers.items() if k not in own}
    settled = flow.settle(definition, before | keyed, today=today, interview=expressions,
                          previous=base.answers)  # fmt: skip
    names = [*asked, *base.answers, *settled]
    at = timezone.now().isoformat()
    base.paradata.extend({**event, "step": step, "at": at} for event in items or [])
    return interviews.apply_page(
        locked=base,
        interview=interview,
        step=step,
        question_names=list(dict.fromkeys(names)),
        answers=settled,
        shown_next=shown_next,
        unchanged_since=unchanged_since,
    )


@transaction.atomic
def refuse_stale_page(*, interview: Interview, key: uuid.UUID, step: str) -> None:
    """Record that a page rendered before later pages were submitted was not applied.

    Such a page (kept offline while the interview went on elsewhere) would overwrite newer
    answers. Its key is stored as not applied, so sending it again changes nothing either.
    """
    _claim_for_interview(interview=interview, key=key, step=step, applied=False)
