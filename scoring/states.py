"""The state of a wave's inputs, and one read of each wave for a piece of work that reads it
several times.

`state_key` names the state of everything a wave's results are computed from; results,
tables and indexes are cached under it. Inside `one_read_per_wave`, scoring.weighting reads
and weights each wave once (`read_once`) and `state_key` gives the state the wave was in
when the block first asked for it or read it: what the block computes from its one read is
cached under that state, never under a later one whose decisions the read does not hold.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db.models import Count, Max, Q

from fieldwork.models import Case, Wave
from qc.models import Review, ReviewEvent
from sampling.models import Locality
from scoring.models import WaveTarget, WaveWeighting

# Bumped when the shape of a cached results dict changes, so no reader gets an entry of the
# old shape.
CACHE_VERSION = 4

T = TypeVar("T")

# inside a block: (wave id, "state") → its state, (wave id, what) → what was read of it
_block: ContextVar[dict | None] = ContextVar("one_read_per_wave", default=None)


@contextmanager
def one_read_per_wave() -> Iterator[None]:
    """Inside the block each wave is read and weighted once (scoring.weighting's
    weighted_sample: a later call with the same arguments gets the same sample, which no
    reader changes) and keeps one state (`state_key`). For one piece of work that reads a
    wave several times, such as an edition (its hash, results, index at both levels and
    the tables later rounds compare with) or the composite index (both levels and the round
    before): one read per wave instead of one per reader, and every part is computed from
    the same decisions even when one is taken meanwhile. A block inside another shares the
    outer block's reads. Outside any block every call reads afresh, as a page or a results
    job that must see the latest decision does."""
    if _block.get() is not None:
        yield
        return
    token = _block.set({})
    try:
        yield
    finally:
        _block.reset(token)


def read_once(wave: Wave, what: Hashable, read: Callable[[], T]) -> T:
    """read(), once per block of `one_read_per_wave` for (wave, what); the wave's state is
    taken first (`state_key`), so the state names no decision the read may lack."""
    block = _block.get()
    if block is None:
        return read()
    key = (wave.pk, what)
    if key not in block:
        state_key(wave)
        block[key] = read()
    return block[key]


def state_key(wave: Wave) -> str:
    """The state of the wave's inputs (see `_state_now`); inside a block of
    `one_read_per_wave`, the one it was in when the block first asked or read it."""
    block = _block.get()
    if block is None:
        return _state_now(wave)
    key = (wave.pk, "state")
    if key not in block:
        block[key] = _state_now(wave)
    return block[key]


def _state_now(wave: Wave) -> str:
    """A key that changes with every decision that adds or takes away an approved interview
    of the wave and with any change to the locality tree (names, population margins): three
    queries. The automatic checks' events (completed → clean or flagged) do not change it:
    results use approved interviews only. The weights depend on every released case too
    (nonresponse adjustment), on the household listings and on the analyst's nonresponse
    choice: two more queries; the board below target on the wave's targets: one more."""
    approved = Review.objects.filter(
        interview__case__wave=wave, state=Review.State.APPROVED
    ).aggregate(n=Count("id"), last=Max("id"))
    approvals = ReviewEvent.objects.filter(review__interview__case__wave=wave).filter(
        Q(to_state=Review.State.APPROVED) | Q(from_state=Review.State.APPROVED)
    )
    # Names and population margins of the tree: a renamed street or a new locality file.
    localities = Locality.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    weighting = Case.objects.filter(wave=wave).aggregate(
        cases=Count("id", distinct=True), listing=Max("respondent_selections__id")
    )
    choice = WaveWeighting.objects.filter(wave=wave).values_list("updated_at", flat=True)
    weighting["choice"] = choice.first()
    targets = WaveTarget.objects.filter(wave=wave).aggregate(n=Count("id"), last=Max("updated_at"))
    parts = (
        "scoring:results",
        CACHE_VERSION,
        wave.pk,
        wave.questionnaire_version_id,
        approved["n"],
        approved["last"],
        approvals.aggregate(last=Max("id"))["last"],
        localities["n"],
        localities["last"].isoformat() if localities["last"] else "",
        weighting["cases"],
        weighting["listing"],
        weighting["choice"].isoformat() if weighting["choice"] else "",
        targets["n"],
        targets["last"].isoformat() if targets["last"] else "",
    )
    return ":".join(str(part) for part in parts)
