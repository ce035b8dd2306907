"""A supervisor hands out work: assign, transfer and return cases, and reopen a case closed by
mistake. Every move is one CaseEvent with who, from whom, to whom and why."""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.teams import may_supervise, team_rows
from fieldwork.dispositions import BY_CODE
from fieldwork.models import Case, CaseEvent, ContactAttempt, Interview, Wave
from fieldwork.services.attempts import final_code
from fieldwork.services.locking import row_locked

# Why a selected case was left where it was (presenters put these in words).
NOT_MOVED_REASONS = (
    "finished",
    "interviewing",
    "stopped",
    "same",
    "unassigned",
    "gone",
    "pool_short",
)


@dataclass
class MoveResult:
    """What a move did: cases assigned, transferred, returned, and the rest with their reason."""

    assigned: int = 0
    transferred: int = 0
    returned: int = 0
    not_moved: Counter = field(default_factory=Counter)

    @property
    def moved(self) -> int:
        return self.assigned + self.transferred + self.returned


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why: the reason is kept in each case's history."))
    return reason


def _why_not(case: Case, to: User | None, stopped: set[int]) -> str | None:
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        return "finished"
    if case.status == Case.Status.IN_PROGRESS:
        return "interviewing"
    if case.pk in stopped:
        # A stopped interview (暂停并预约) belongs to whoever started it: moving the case would
        # leave its answers credited to them. It must be resumed or closed first.
        return "stopped"
    if to is None and case.interviewer_id is None:
        return "unassigned"
    if to is not None and case.interviewer_id == to.pk:
        return "same"
    return None


@transaction.atomic
def move_cases(
    *, wave: Wave, case_ids: list[int], to: User | None, actor: User, reason: str
) -> MoveResult:
    """Give the chosen open cases of the wave to `to` (None: back to the pool).

    Unassigned cases are assigned, cases another interviewer holds are transferred (their
    appointments go with them, so whoever takes the case sees them); finished cases and cases
    with an interview under way or stopped stay where they are, counted by reason in the result.
    """
    reason = _check_reason(reason)
    if to is not None and (to.role != Role.INTERVIEWER or not to.is_active):
        raise ValidationError(_("Cases can only be assigned to active interviewers."))
    if to is not None and not may_supervise(actor, to):
        raise ValidationError(_("%(name)s is not in your team.") % {"name": to})
    result = MoveResult()
    wanted = set(case_ids)
    # Another team's cases are not the actor's to move: they count as gone.
    mine = Case.objects.filter(team_rows(actor, "interviewer", pool=True))
    cases = list(row_locked(mine.filter(wave=wave, pk__in=wanted).order_by("id")))
    if len(cases) < len(wanted):
        result.not_moved["gone"] += len(wanted) - len(cases)
    stopped = set(
        Interview.objects.filter(case__in=cases, status=Interview.Status.IN_PROGRESS).values_list(
            "case_id", flat=True
        )
    )
    events, moved_ids = [], []
    for case in cases:
        why = _why_not(case, to, stopped)
        if why is not None:
            result.not_moved[why] += 1
            continue
        if to is None:
            kind, result.returned = CaseEvent.Kind.RETURNED, result.returned + 1
        elif case.interviewer_id is None:
            kind, result.assigned = CaseEvent.Kind.ASSIGNED, result.assigned + 1
        else:
            kind, result.transferred = CaseEvent.Kind.TRANSFERRED, result.transferred + 1
        events.append(
            CaseEvent(
                case=case,
                kind=kind,
                actor=actor,
                from_interviewer_id=case.interviewer_id,
                to_interviewer=to,
                reason=reason,
            )
        )
        moved_ids.append(case.pk)
    Case.objects.filter(pk__in=moved_ids).update(interviewer=to, updated_at=timezone.now())
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    return result


@transaction.atomic
def assign_from_pool(
    *, wave: Wave, to: User, count: int, actor: User, reason: str, street_id: int | None = None
) -> MoveResult:
    """Give `count` unassigned, untouched cases of the wave (of one of its streets) to `to`."""
    pool = Case.objects.filter(wave=wave, interviewer=None, status=Case.Status.PENDING)
    if street_id is not None:
        pool = pool.filter(street_id=street_id)
    ids = list(row_locked(pool.order_by("id")).values_list("id", flat=True)[:count])
    result = move_cases(wave=wave, case_ids=ids, to=to, actor=actor, reason=reason)
    if len(ids) < count:
        result.not_moved["pool_short"] += count - len(ids)
    return result


@transaction.atomic
def reopen_case(*, case: Case, actor: User, reason: str) -> Case:
    """A supervisor reopens a case closed without interview (a wrong refusal, a slip).

    The attempts that closed it stay on record, marked void: they no longer decide the case's
    disposition nor count towards the wave's maximum attempts. The case goes back to pending
    with its interviewer; the event keeps the disposition it had, the attempts still counted,
    who reopened it and why.
    """
    reason = _check_reason(reason)
    if actor.role not in (Role.SUPERVISOR, Role.ANALYST):
        raise ValidationError(_("Only supervisors reopen cases."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.CLOSED:
        raise ValidationError(_("Only a case closed without interview can be reopened here."))
    previous = case.disposition
    now = timezone.now()
    # Void the attempts carrying a final code: those are what closed the case.
    closing = [
        attempt.pk
        for attempt in ContactAttempt.objects.filter(case=case, voided_at=None)
        if attempt.disposition in BY_CODE and BY_CODE[attempt.disposition].final
    ]
    ContactAttempt.objects.filter(pk__in=closing).update(voided_at=now)
    case.status = Case.Status.PENDING
    case.disposition = final_code(case)
    # Voided attempts no longer count towards the wave's maximum: a case wrongly closed on its
    # last allowed attempt gets that attempt back instead of closing again at the next one.
    case.attempts = ContactAttempt.objects.filter(case=case, voided_at=None).count()
    case.save(update_fields=["status", "disposition", "attempts", "updated_at"])
    Interview.objects.filter(case=case, status=Interview.Status.BROKEN_OFF).update(
        status=Interview.Status.IN_PROGRESS
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.REOPENED,
        actor=actor,
        from_interviewer_id=case.interviewer_id,
        to_interviewer_id=case.interviewer_id,
        reason=reason,
        previous_disposition=previous,
        attempts_counted=case.attempts,
    )
    return case
