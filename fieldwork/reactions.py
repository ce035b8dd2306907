"""What later stages of the pipeline do when fieldwork changes: a small typed registry.

Fieldwork cannot import qc (the pipeline flows one way), yet qc must check every interview the
moment it is completed and fieldwork's quotas must not count interviews qc finally rejected.
qc registers its functions here from `QcConfig.ready()`; fieldwork calls them through
`interview_completed()` and `without_voided()`. Grep for the registering function's name to
find both ends.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet

from fieldwork.models import Interview

CompletedHandler = Callable[[Interview], object]
WaveHandler = Callable[[int], object]  # takes a wave id
VoidedFilter = Callable[[QuerySet[Interview]], QuerySet[Interview]]
# Interviews → {interviewer id: number of quality flags raised on them}
FlagCounter = Callable[[QuerySet[Interview]], dict[int, int]]

_completed_handlers: list[CompletedHandler] = []
_voided_filters: list[VoidedFilter] = []
_flag_counters: list[FlagCounter] = []
_inputs_handlers: list[WaveHandler] = []


def on_results_inputs_changed(handler: WaveHandler) -> WaveHandler:
    """Call `handler(wave_id)` once the transaction that changed what a wave's results are
    computed from (an interview approved, or no longer approved) commits: scoring registers
    the job that recomputes them."""
    if handler not in _inputs_handlers:
        _inputs_handlers.append(handler)
    return handler


def results_inputs_changed(wave_id: int) -> None:
    """qc's review decisions say so here; the handlers run after the commit."""
    for handler in _inputs_handlers:
        transaction.on_commit(lambda handler=handler: handler(wave_id))


def count_flags_with(counter: FlagCounter) -> FlagCounter:
    """Let `counter` say how many quality flags each interviewer's interviews carry (the
    productivity table shows them beside the pace)."""
    if counter not in _flag_counters:
        _flag_counters.append(counter)
    return counter


def flags_by_interviewer(interviews: QuerySet[Interview]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for counter in _flag_counters:
        for interviewer_id, n in counter(interviews).items():
            totals[interviewer_id] = totals.get(interviewer_id, 0) + n
    return totals


def on_interview_completed(handler: CompletedHandler) -> CompletedHandler:
    """Call `handler(interview)` once the transaction that completes an interview commits
    (a handler that fails is logged and cannot undo the completion)."""
    if handler not in _completed_handlers:
        _completed_handlers.append(handler)
    return handler


def filter_voided_interviews(voided_filter: VoidedFilter) -> VoidedFilter:
    """Let `voided_filter` drop interviews a later stage voided (e.g. finally rejected)."""
    if voided_filter not in _voided_filters:
        _voided_filters.append(voided_filter)
    return voided_filter


def interview_completed(interview: Interview) -> None:
    for handler in _completed_handlers:
        handler(interview)


def without_voided(interviews: QuerySet[Interview]) -> QuerySet[Interview]:
    for voided_filter in _voided_filters:
        interviews = voided_filter(interviews)
    return interviews


def completed_handlers() -> tuple[CompletedHandler, ...]:
    return tuple(_completed_handlers)


_analysed_handlers: list[CompletedHandler] = []


def on_recording_analysed(handler: CompletedHandler) -> CompletedHandler:
    """Call `handler(interview)` when an audio-audit recording of the interview has been
    measured (fieldwork.audits): qc checks a completed interview again with its speech share,
    since a page's recording may be measured after the on-completion check ran."""
    if handler not in _analysed_handlers:
        _analysed_handlers.append(handler)
    return handler


def recording_analysed(interview: Interview) -> None:
    for handler in _analysed_handlers:
        handler(interview)
