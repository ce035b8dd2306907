"""An interviewer pulls the next case to call: the scheduler's choice, claimed in one statement."""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.utils import timezone

from accounts.models import User
from fieldwork import loaders, queue, scheduling
from fieldwork.models import Case, Wave
from fieldwork.services.locking import one_writer_per_process

# Cases read per part of the queue; doubled when every safe candidate was taken meanwhile.
FIRST_BATCH = 8
ROUNDS = 4


@dataclass(frozen=True)
class NextCase:
    case_id: int
    reason: str  # one of scheduling.REASONS (an English msgid)

    @cached_property
    def case(self) -> Case:
        """The case, read when asked for: the page "Next case" leads to needs only its id."""
        return Case.objects.select_related("wave").get(pk=self.case_id)


def assign_next_case(
    *, wave: Wave, interviewer: User, now: datetime | None = None, batch: int = FIRST_BATCH
) -> NextCase | None:
    """Pull model: the best case to call now by the wave's calling rules, and the reason.

    The case is the interviewer's own or an unassigned one, never one someone else holds. The
    database returns the few cases that can win (fieldwork.queue, from partial indexes in the
    scheduler's order); fieldwork.scheduling ranks them; the claim is one statement that takes
    the best-ranked case still open and free. On PostgreSQL it skips rows another claim holds
    (SKIP LOCKED), so 50 interviewers pressing "Next case" at once each get a different case
    without queueing; SQLite's IMMEDIATE transaction makes claims one at a time. When every
    safe candidate was taken meanwhile, bigger batches are read. None when nothing is due.
    Under cross-region calling no case in the interviewer's home county is given, and a case
    needing a language (2.33) only to a speaker (scheduling.Caller). The claim is a single
    UPDATE in autocommit, atomic by itself: no transaction around it, and the case is read
    only if the caller asks for `NextCase.case`.
    """
    now = now or timezone.now()
    rules = loaders.calling_rules(wave)
    caller = loaders.caller(interviewer, wave=wave)
    reach = queue.reach(wave, caller)
    for _round in range(ROUNDS):
        read = queue.read_batch(
            wave=wave,
            interviewer_id=interviewer.pk,
            now=now,
            rules=rules,
            batch=batch,
            caller=caller,
            reach=reach,
        )
        if not read.ranked:
            return None
        safe = queue.safe_ids(read)
        claimed = _claim(wave=wave, interviewer=interviewer, ranked=safe)
        if claimed is not None:
            return claimed
        if not read.bounds:  # nothing unread could be due: every candidate was taken
            return None
        batch *= 4
    return None


@one_writer_per_process
def _claim(*, wave: Wave, interviewer: User, ranked: list[tuple[int, int]]) -> NextCase | None:
    chosen = queue.claim(
        wave=wave,
        interviewer_id=interviewer.pk,
        case_ids=[pk for pk, _tier in ranked],
        now=timezone.now(),
    )
    if chosen is None:
        return None
    return NextCase(chosen, scheduling.REASONS[dict(ranked)[chosen]])
