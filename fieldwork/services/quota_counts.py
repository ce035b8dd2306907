"""Quota cells' achieved counts, kept in the database (QuotaTarget.achieved) so that "Next case"
reads fullness without counting interviews.

A completed interview adds one to the cells it falls in, in the transaction that completes it
(`count_completes`). Anything else that changes what counts (an interview reopened, voided by
qc's final rejection or brought back by its reversal, answers purged, the wave's questionnaire
version switched, a target created or changed) recounts the wave's cells exactly from
loaders.quota_progress, the reference (`recount_quotas`). Cases released change no count (a new
case has no interview), nor what the press reads from the counts: it states full strata without
a list of the wave's streets (fieldwork.queue.FullStreets). A scheduled job recounts every wave
in fieldwork and logs any count it had to correct.

Why the two cannot race, on PostgreSQL (READ COMMITTED) and SQLite:
- Both take the wave's row lock first: the increment through the case's row lock taken when the
  interview is finished (fieldwork.services.interviews.finish_interview locks the case with its
  wave), the recount and a target's change explicitly (`lock_counts`). The increment reads the
  targets and the wave's version after that lock, in statements of their own, so under READ
  COMMITTED each sees what a recount, a version switch or a new target committed before it; a
  target created or a version switched while an interview is being finished waits for it to
  commit.
- The recount then locks the wave's targets (FOR UPDATE) and only then reads the interviews:
  every complete whose increment is not yet committed holds the wave's lock, so the recount
  waits for it and its next statement (a new snapshot) counts it; a complete that starts after
  the lock waits for the recount to commit, then adds one to the recounted value (the UPDATE
  `achieved + 1` is evaluated on the row as committed, never on a stale read). The target row
  locks also cover a writer that does not go through the wave: it still cannot slip a change
  between the recount's read and its write.
- SQLite has one writer at a time: the project's transactions are IMMEDIATE, so the increment
  and the recount each run whole, one after the other, with nothing committed in between.
"""

import logging
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import F

from fieldwork import loaders, quotas, reactions
from fieldwork.models import Interview, QuotaTarget, Wave

logger = logging.getLogger(__name__)


def count_completes(*, wave: Wave, interviews: list[Interview]) -> int:
    """Add just-completed interviews of `wave` to the cells they fall in, in the caller's
    transaction, which holds the wave's row lock (see the module). One query when the wave has
    no target; else one for those a later stage voided, one for the cases, and one UPDATE per
    distinct increment (one for a single interview). Returns how many cells were incremented."""
    cells = loaders.quota_targets(wave.pk)
    if not cells or not interviews:
        return 0
    # One a later stage voided counts nowhere in the reference (qc reopens a rejected case
    # only through a return, which lifts the rejection; the counts need not rely on it).
    ids = [interview.pk for interview in interviews]
    kept = set(
        reactions.without_voided(Interview.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    counted = [interview for interview in interviews if interview.pk in kept]
    added: Counter[int] = Counter()
    for stratum, answers, attributes in loaders.completed_for_quotas(wave, counted):
        added.update(quotas.cells_of(cells, stratum, answers, attributes))
    by_amount: defaultdict[int, list[int]] = defaultdict(list)
    for pk, n in added.items():
        by_amount[n].append(pk)
    for n, cell_ids in by_amount.items():
        QuotaTarget.objects.filter(pk__in=cell_ids).update(achieved=F("achieved") + n)
    return len(added)


def lock_counts(wave: Wave) -> Wave:
    """The wave's row lock, taken before its targets by everything that changes counts, and
    the wave as it is once locked (its questionnaire version may just have been switched)."""
    return (
        Wave.objects.select_for_update(of=("self",), no_key=True)
        .select_related("questionnaire_version")
        .get(pk=wave.pk)
    )


@transaction.atomic
def recount_quotas(*, wave: Wave) -> int:
    """Count the wave's cells again exactly (loaders.quota_progress) and store what differs;
    returns how many counts changed."""
    locked = lock_counts(wave)
    targets = {
        (t.stratum, t.variable, t.value): t
        for t in QuotaTarget.objects.select_for_update().filter(wave_id=wave.pk).order_by("id")
    }
    if not targets:
        return 0
    progress = loaders.quota_progress(locked)
    changed = []
    for stratum, variable, value, achieved in zip(
        progress["stratum"], progress["variable"], progress["value"], progress["achieved"],
        strict=True,
    ):  # fmt: skip
        target = targets[(stratum, variable, value)]
        if target.achieved != int(achieved):
            target.achieved = int(achieved)
            changed.append(target)
    QuotaTarget.objects.bulk_update(changed, ["achieved"])
    return len(changed)


def recount_waves_in_fieldwork() -> dict[str, int]:
    """The guard against drift: every wave in fieldwork with quota targets recounted; a count
    that had to change is logged (it means an event that changes counts was missed)."""
    waves = Wave.objects.filter(status=Wave.Status.FIELDWORK, quota_targets__isnull=False)
    recounted = corrected = 0
    for wave in waves.distinct().order_by("pk"):
        changed = recount_quotas(wave=wave)
        recounted += 1
        corrected += changed
        if changed:
            logger.warning("quota counts of wave %s corrected in %d cell(s)", wave.pk, changed)
    return {"waves": recounted, "corrected": corrected}
