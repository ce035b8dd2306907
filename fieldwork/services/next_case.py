"""An interviewer pulls the next case to call: the scheduler's choice, claimed under a lock."""

from datetime import datetime
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from fieldwork import loaders, scheduling
from fieldwork.models import Case, Wave
from fieldwork.services.locking import one_writer_per_process, row_locked

NEXT_CASE_LOCK_BATCH = 20


class NextCase(NamedTuple):
    case: Case
    reason: str  # one of scheduling.REASONS (an English msgid)


def assign_next_case(
    *, wave: Wave, interviewer: User, now: datetime | None = None
) -> NextCase | None:
    """Pull model: the best case to call now by the wave's calling rules, and the reason.

    The case is the interviewer's own or an unassigned one, never one someone else holds. The
    ranking is read outside any write transaction (fieldwork.scheduling over the loaded
    candidates); the claim is one short transaction that takes the best-ranked case still free.
    On PostgreSQL the claim locks rows with SKIP LOCKED, so 50 interviewers pressing "Next
    case" at once each get a different case without queueing behind each other, and the lock
    query re-checks that the case is still open and free. SQLite has no row locks: its
    IMMEDIATE transaction makes claims one at a time. None when nothing is due.
    """
    now = now or timezone.now()
    rules = loaders.calling_rules(wave)
    for _round in range(3):
        candidates = loaders.candidate_frame(wave=wave, interviewer=interviewer, now=now)
        ranked = scheduling.eligible_cases(candidates, rules, now)
        if ranked.empty:
            return None
        reasons = dict(zip(ranked["case_id"].tolist(), ranked["reason"], strict=True))
        claimed = _claim(
            wave=wave, interviewer=interviewer, ranked_ids=list(reasons), reasons=reasons
        )
        # Every ranked case was taken meanwhile: only a truncated list can hide others.
        if claimed is not None or len(candidates) < loaders.CANDIDATE_LIMIT:
            return claimed
    return None


@one_writer_per_process
@transaction.atomic
def _claim(
    *, wave: Wave, interviewer: User, ranked_ids: list[int], reasons: dict[int, str]
) -> NextCase | None:
    free = Q(interviewer=None) | Q(interviewer=interviewer)
    for start in range(0, len(ranked_ids), NEXT_CASE_LOCK_BATCH):
        batch = ranked_ids[start : start + NEXT_CASE_LOCK_BATCH]
        open_cases = Case.objects.filter(free, pk__in=batch, wave=wave, status=Case.Status.PENDING)
        locked = set(row_locked(open_cases).values_list("pk", flat=True))
        chosen = next((pk for pk in batch if pk in locked), None)
        if chosen is None:
            continue
        case = Case.objects.select_related("wave").get(pk=chosen)
        if case.interviewer_id != interviewer.pk:
            case.interviewer = interviewer
            case.save(update_fields=["interviewer", "updated_at"])
        return NextCase(case, reasons[chosen])
    return None
