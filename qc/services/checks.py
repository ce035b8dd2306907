"""The automatic checks: the rules run on completed interviews, one Flag per rule that fired
(with its severity, reason and details), and the Review moved to "flagged" or "clean".

Stored texts (flag reasons, the automatic events' reasons) are written in Chinese and in
English, whoever triggered the check: they are records, like the review history, and must
not depend on the language of the request that happened to run them; each reader reads
their own language (qc.presenters.labels.reason_text).
"""

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.i18n import in_chinese_and_english
from fieldwork.models import Interview, Wave
from qc import loaders, workflow
from qc.models import Flag, Review, ReviewEvent
from qc.rule_input import InterviewsFrame, run_frame_rules
from qc.rules import RULES, RuleConfig
from qc.services.settings import rule_config

AUTOMATIC_RULES = RULES  # flags these rules raise are replaced on every re-check
_CHUNK = 500  # ids per IN (...) list: far below every backend's parameter limit


class Fired(NamedTuple):
    """One rule's outcome on one interview, as a Flag stores it and an event's `rules` lists
    it: its reason in Chinese and in English."""

    severity: str
    reason: str
    reason_en: str
    details: dict

    @classmethod
    def of(cls, flag: Flag) -> "Fired":
        """What a stored flag found."""
        return cls(flag.severity, flag.reason, flag.reason_en, flag.details)


def _passed_reason() -> tuple[str, str]:
    return in_chinese_and_english(lambda: _("Automatic checks passed"))


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _fired(frame: InterviewsFrame, config: RuleConfig) -> dict[int, dict[str, Fired]]:
    """interview id -> {rule: Fired} for the rules that fired, in the order of RULES."""
    result = run_frame_rules(frame, config)
    fired: dict[int, dict[str, Fired]] = defaultdict(dict)
    for interview_id, rule, severity, reason, reason_en, details in zip(
        result.index,
        result["rule"],
        result["severity"],
        result["reason"],
        result["reason_en"],
        result["details"],
        strict=True,
    ):
        details = json.loads(details or "{}")
        fired[int(interview_id)][rule] = Fired(severity, reason, reason_en, details)
    return fired


def rule_results(flags: Mapping[str, Fired]) -> list[dict]:
    """The `rules` JSON of an event: the flags standing at that moment."""
    return [
        {
            "rule": rule,
            "severity": f.severity,
            "reason": f.reason,
            "reason_en": f.reason_en,
            "details": f.details,
        }
        for rule, f in flags.items()
    ]


def _event_reason(flags: Mapping[str, Fired], passed: tuple[str, str]) -> tuple[str, str]:
    """An automatic event's reason in Chinese and in English: the flags' reasons, or
    `passed` when none fired."""
    if not flags:
        return passed
    return (
        "; ".join(f.reason for f in flags.values()),
        "; ".join(f.reason_en for f in flags.values()),
    )


def _findings(flags: Mapping[str, Fired]) -> dict[str, tuple]:
    """What the rules found, rule by rule: the severity and the figures, not their wording."""
    return {rule: (f.severity, f.details) for rule, f in flags.items()}


def _apply_checks(
    interview_ids: list[int], fired: dict[int, dict[str, Fired]]
) -> dict[int, Review]:
    """Write the automatic outcome for these interviews with a fixed number of queries.

    Flags of AUTOMATIC_RULES are replaced only where what they found changed (severity and
    figures, `_findings`); a flag that found the same but is worded otherwise (kept before
    its English was, or a catalogue's new wording) has its texts updated in place. An
    undecided review (or a returned one, whose re-interview was just completed) follows the
    flags (clean/flagged) with an event when its state or its flags changed; a review
    further on keeps its state (its flags are still refreshed, for the reviewer to see).
    """
    reviews: dict[int, Review] = {}
    old_flags: dict[int, dict[str, Fired]] = defaultdict(dict)
    flag_ids: dict[tuple[int, str], int] = {}
    for chunk in _chunks(interview_ids):
        # Locked so that a supervisor's decision cannot be overwritten by a concurrent check.
        for review in Review.objects.select_for_update().filter(interview_id__in=chunk):
            reviews[review.interview_id] = review
        flags = Flag.objects.filter(interview_id__in=chunk, rule__in=AUTOMATIC_RULES)
        for pk, interview_id, rule, *fired_then in flags.values_list(
            "pk", "interview_id", "rule", "severity", "reason", "reason_en", "details"
        ):
            old_flags[interview_id][rule] = Fired(*fired_then)
            flag_ids[(interview_id, rule)] = pk

    passed = _passed_reason()
    changed_flags: list[int] = []
    new_flags: list[Flag] = []
    new_reviews: list[Review] = []
    new_review_events: list[tuple[str, str, list[dict]]] = []
    updated_reviews: list[Review] = []
    events: list[ReviewEvent] = []
    reworded: list[Flag] = []
    for interview_id in interview_ids:
        flags = fired.get(interview_id, {})
        old = old_flags.get(interview_id, {})
        flags_changed = _findings(flags) != _findings(old)
        if not flags_changed:
            reworded += [
                Flag(pk=flag_ids[(interview_id, rule)], reason=f.reason, reason_en=f.reason_en)
                for rule, f in flags.items()
                if (f.reason, f.reason_en) != (old[rule].reason, old[rule].reason_en)
            ]
        else:
            changed_flags.append(interview_id)
            new_flags.extend(
                Flag(
                    interview_id=interview_id,
                    rule=rule,
                    severity=f.severity,
                    reason=f.reason,
                    reason_en=f.reason_en,
                    details=f.details,
                )
                for rule, f in flags.items()
            )
        state = Review.State.FLAGGED if flags else Review.State.CLEAN
        reason, reason_en = _event_reason(flags, passed)
        results = rule_results(flags)
        review = reviews.get(interview_id)
        if review is None:
            review = Review(interview_id=interview_id, state=state)
            reviews[interview_id] = review
            new_reviews.append(review)
            new_review_events.append((reason, reason_en, results))
        elif workflow.allowed(review.state, state, workflow.SYSTEM) and (
            review.state != state or flags_changed
        ):
            events.append(
                ReviewEvent(
                    review=review,
                    from_state=review.state,
                    to_state=state,
                    reason=reason,
                    reason_en=reason_en,
                    rules=results,
                )
            )
            review.state = state
            updated_reviews.append(review)

    for chunk in _chunks(changed_flags):
        Flag.objects.filter(interview_id__in=chunk, rule__in=AUTOMATIC_RULES).delete()
    Flag.objects.bulk_create(new_flags, batch_size=_CHUNK)
    Flag.objects.bulk_update(reworded, ["reason", "reason_en"], batch_size=_CHUNK)
    # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35; the events need them.
    Review.objects.bulk_create(new_reviews, batch_size=_CHUNK)
    events.extend(
        ReviewEvent(
            review=review, from_state="", to_state=review.state, reason=zh, reason_en=en, rules=res
        )
        for review, (zh, en, res) in zip(new_reviews, new_review_events, strict=True)
    )
    Review.objects.bulk_update(updated_reviews, ["state"], batch_size=_CHUNK)
    ReviewEvent.objects.bulk_create(events, batch_size=_CHUNK)
    return reviews


@transaction.atomic
def check_completed_interview(interview: Interview, *, config: RuleConfig | None = None) -> Review:
    """Run the automatic rules on one completed interview and record the outcome.

    Run by a worker (qc.tasks.check_interview, queued through fieldwork.reactions once the
    transaction that completes the interview commits). If it fails, the scheduled QC batch
    checks the interview. Idempotent:
    running it again without a change in the answers writes nothing. `config` defaults to the
    wave's.
    """
    if interview.status != Interview.Status.COMPLETED:
        raise ValueError(
            f"Interview {interview.pk} is not completed: only completed ones are checked."
        )
    frame = loaders.interview_frame(interview)
    fired = _fired(frame, config or rule_config(interview.case.wave))
    return _apply_checks([interview.pk], fired)[interview.pk]


def check_interviews(*, interviews: QuerySet[Interview], config: RuleConfig | None = None) -> int:
    """Run the automatic rules on the completed interviews of a queryset; return how many.

    The same outcome as check_completed_interview on each, in a number of queries that grows
    with the number of waves, not of interviews (except a few per 500). Each wave's interviews
    are checked with its own thresholds unless `config` is given. `interviews` must not be
    sliced.

    The rules run outside any transaction (seconds on a large wave); the outcome is written
    in one short transaction per 500 interviews, in id order, so interviewers' page saves and
    reviewers' decisions are never held up for long (a decision taken meanwhile is kept: the
    rows are locked and re-read before writing).
    """
    completed = interviews.filter(status=Interview.Status.COMPLETED)
    wave_ids = sorted(set(completed.values_list("case__wave_id", flat=True)))
    total = 0
    for wave_id in wave_ids:
        frame = loaders.interviews_frame(completed.filter(case__wave_id=wave_id))
        interview_ids = [int(interview_id) for interview_id in frame.df.index]
        if not interview_ids:
            continue
        wave_config = config or rule_config(Wave.objects.get(pk=wave_id))
        fired = _fired(frame, wave_config)
        for chunk in _chunks(sorted(interview_ids)):
            with transaction.atomic():
                _apply_checks(chunk, fired)
        total += len(interview_ids)
    return total
