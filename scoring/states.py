"""The state of a wave's inputs, and one read of each wave for a piece of work that reads it
several times.

`state_key` names the state of everything a wave's results are computed from; results,
tables and indexes are cached under it. Inside `one_read_per_wave`, scoring.weighting reads
and weights each wave once (`read_once`) in one state, checked before and after the read,
and `state_key` gives that state: what the block computes from its one read is cached under
the state the read holds, never under a later one whose decisions it lacks.
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

# Bumped when the shape or the meaning of a cached results or index dict changes, so no
# reader gets an entry of the old one.
CACHE_VERSION = 5
READ_TRIES = 3  # reads of a wave in a block while decisions keep landing during them

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
    """read(), once per block of `one_read_per_wave` for (wave, what) (an error it raises is
    raised again, not read again), in the block's state of the wave: the state is taken
    before the read and again after it, and when a decision landed meanwhile the wave is
    read again in the new state (at most READ_TRIES reads). Should decisions keep landing,
    the last read is kept with the state before it: it may hold a decision its state does
    not name, never lack one. The wave's first read fixes its state; a later read of it in
    the block (another `what`) keeps that state in the same way."""
    block = _block.get()
    if block is None:
        return read()
    key = (wave.pk, what)
    if key not in block:
        try:
            block[key] = _read_in_one_state(block, wave, read)
        except Exception as error:
            block[key] = error
    if isinstance(block[key], Exception):
        raise block[key]
    return block[key]


def _read_in_one_state(block: dict, wave: Wave, read: Callable[[], T]) -> T:
    fixed = (wave.pk, "fixed")
    if fixed in block:  # the state is its first read's: a later read (another level) keeps it
        return read()
    block[fixed] = True
    for _ in range(READ_TRIES - 1):
        before = state_key(wave)
        found = read()
        after = _state_now(wave)
        if after == before:
            return found
        block[(wave.pk, "state")] = after  # a decision landed during the read: read in it
    return read()  # decisions keep landing: kept with the state taken before it


def state_key(wave: Wave) -> str:
    """The state of the wave's inputs (see `_state_now`); inside a block of
    `one_read_per_wave`, the one its read was taken in (or, before any read, the one it
    was in when the block first asked)."""
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
