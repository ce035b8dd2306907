"""The respondents' personal data QC keeps, registered with common.personal.registry: the
interview as it stood when its case was reopened (a review event's snapshot) holds its
location, photo and audio answers like the interview itself."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from common.personal.registry import Holder, Scope, not_personal, register
from fieldwork.interview.personal_answers import personal_answers, without_personal_answers
from qc.models import ReviewEvent


def _events(scope: Scope) -> QuerySet[ReviewEvent]:
    return (
        ReviewEvent.objects.filter(review__interview__case__wave_id=scope.wave_id)
        .exclude(snapshot__isnull=True)
        .select_related("review__interview__questionnaire_version")
    )


def _definition(event: ReviewEvent) -> dict:
    return event.review.interview.questionnaire_version.definition


def _count(scope: Scope) -> int:
    return sum(
        personal_answers(event.snapshot.get("answers") or {}, _definition(event))
        for event in _events(scope)
    )


def _purge(scope: Scope) -> int:
    removed, changed = 0, []
    for event in _events(scope):
        answers = event.snapshot.get("answers") or {}
        n = without_personal_answers(answers, _definition(event))
        if n:
            event.snapshot = {**event.snapshot, "answers": answers}
            removed += n
            changed.append(event)
    ReviewEvent.objects.bulk_update(changed, ["snapshot"])
    return removed


def register_holders() -> None:
    """Called from QcConfig.ready()."""
    register(
        Holder(
            key="qc.snapshot_answers",
            what=_("Location, photo and audio answers in reopened interviews' records"),
            where=_("Review events (database)"),
            count=_count,
            purge=_purge,
            fields=("qc.ReviewEvent.snapshot",),
            kept=_("The record of the review stays, with every other answer."),
        )
    )
    not_personal(
        "qc.BackCheck.answers",
        "the key questions' answers re-asked (survey items), never a location or media question",
    )
