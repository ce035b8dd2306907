"""Fieldwork use-cases: waves, cases, assignment, contact attempts and interviews."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.models import Role, User
from fieldwork import flow
from fieldwork.dispositions import BY_CODE, COMPLETE, NON_INTERVIEW_CODES, is_final
from fieldwork.models import Case, ContactAttempt, Interview, Mode, Wave
from questionnaires.models import QuestionnaireVersion
from sampling.models import Draw, Locality, SampledUnit

LOCALITY_FIELDS = {"district": "district", "street": "street", "community": "community"}


def _now_iso() -> str:
    return timezone.now().isoformat()


@transaction.atomic
def create_wave(
    *,
    name: str,
    client: str,
    questionnaire_version: QuestionnaireVersion,
    draw: Draw,
    max_attempts: int = 5,
) -> Wave:
    """A wave whose cases are the draw's main sample (replicate 0)."""
    wave = Wave.objects.create(
        name=name,
        client=client,
        questionnaire_version=questionnaire_version,
        draw=draw,
        max_attempts=max_attempts,
        status=Wave.Status.FIELDWORK,
    )
    release_replicate(wave=wave, replicate=0)
    return wave


@transaction.atomic
def release_replicate(*, wave: Wave, replicate: int) -> int:
    """Turn one replicate of the wave's draw into cases; returns how many were created."""
    units = SampledUnit.objects.filter(draw=wave.draw, replicate=replicate).exclude(
        cases__wave=wave
    )
    cases = [
        Case(wave=wave, unit_id=u.pk, street_id=u.street_id) for u in units.only("id", "street_id")
    ]
    Case.objects.bulk_create(cases, batch_size=2000)
    return len(cases)


@transaction.atomic
def assign_cases(
    *, wave: Wave, interviewer: User, count: int, street: Locality | None = None
) -> int:
    """Give `count` unassigned, untouched cases of the wave to an interviewer."""
    if interviewer.role != Role.INTERVIEWER:
        raise ValidationError(_("Cases can only be assigned to interviewers."))
    pending = Case.objects.filter(wave=wave, interviewer=None, status=Case.Status.PENDING)
    if street is not None:
        pending = pending.filter(street=street)
    ids = list(_locked(pending.order_by("id")).values_list("id", flat=True)[:count])
    return Case.objects.filter(id__in=ids).update(
        interviewer=interviewer, updated_at=timezone.now()
    )


def _locked(queryset):
    # Row locks keep two supervisors (or two interviewers pulling work) from taking the same
    # case. SQLite has no row locks; its IMMEDIATE transactions serialise writers instead.
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset


@transaction.atomic
def assign_next_case(*, wave: Wave, interviewer: User) -> Case | None:
    """Pull model: the interviewer takes the next unassigned case, never one someone else has."""
    case = (
        _locked(Case.objects.filter(wave=wave, interviewer=None, status=Case.Status.PENDING))
        .order_by("id")
        .first()
    )
    if case is None:
        return None
    case.interviewer = interviewer
    case.save(update_fields=["interviewer", "updated_at"])
    return case


def _check_own_case(case: Case, interviewer: User) -> None:
    if case.interviewer_id != interviewer.pk:
        raise PermissionDenied


@transaction.atomic
def record_attempt(
    *, case: Case, interviewer: User, mode: str, disposition: str, note: str = ""
) -> ContactAttempt:
    """A call or visit that did not become an interview, with its AAPOR outcome.

    A final code (refusal, not eligible …) closes the case; so does reaching the wave's maximum
    number of attempts.
    """
    _check_own_case(case, interviewer)
    if disposition not in NON_INTERVIEW_CODES:
        raise ValidationError(
            _("%(code)s is not an outcome of a call or visit.") % {"code": disposition}
        )
    if mode not in Mode.values:
        raise ValidationError(_("Unknown mode."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    now = timezone.now()
    attempt = ContactAttempt.objects.create(
        case=case,
        interviewer=interviewer,
        mode=mode,
        started_at=now,
        ended_at=now,
        disposition=disposition,
        note=note,
    )
    case.attempts += 1
    case.disposition = disposition
    if is_final(disposition) or case.attempts >= case.wave.max_attempts:
        case.status = Case.Status.CLOSED
    case.save(update_fields=["attempts", "disposition", "status", "updated_at"])
    return attempt


@transaction.atomic
def start_interview(*, case: Case, interviewer: User, mode: str) -> Interview:
    """Open the case's interview, or return the one already in progress (resume)."""
    _check_own_case(case, interviewer)
    case = Case.objects.select_for_update().select_related("wave").get(pk=case.pk)
    existing = Interview.objects.filter(case=case).first()
    if existing is not None:
        if existing.status != Interview.Status.IN_PROGRESS:
            raise ValidationError(_("This case's interview is already finished."))
        return existing
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    if mode not in Mode.values:
        raise ValidationError(_("Unknown mode."))
    now = timezone.now()
    ContactAttempt.objects.create(case=case, interviewer=interviewer, mode=mode, started_at=now)
    case.attempts += 1
    case.status = Case.Status.IN_PROGRESS
    case.save(update_fields=["attempts", "status", "updated_at"])
    return Interview.objects.create(
        case=case,
        questionnaire_version=case.wave.questionnaire_version,
        interviewer=interviewer,
        mode=mode,
        started_at=now,
        paradata=[{"event": "started", "mode": mode, "at": now.isoformat()}],
    )


def _lock_in_progress(interview: Interview) -> Interview:
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    if locked.status != Interview.Status.IN_PROGRESS:
        raise ValidationError(_("This interview is already finished."))
    return locked


@transaction.atomic
def record_page_shown(*, interview: Interview, step: str) -> None:
    locked = _lock_in_progress(interview)
    locked.paradata.append({"event": "page_shown", "step": step, "at": _now_iso()})
    locked.save(update_fields=["paradata"])
    interview.paradata = locked.paradata


@transaction.atomic
def save_interview_page(
    *, interview: Interview, step: str, question_names: Iterable[str], answers: dict
) -> Interview:
    """Persist one submitted page: its answers, what changed, and where to resume.

    `question_names` are the questions the page asked; one left out of `answers` is unanswered
    and any earlier answer to it is dropped.
    """
    locked = _lock_in_progress(interview)
    at = _now_iso()
    merged = dict(locked.answers)
    for name in question_names:
        old = merged.get(name)
        new = answers.get(name)
        if new is None:
            merged.pop(name, None)
        else:
            merged[name] = new
        if old is not None and old != new:
            locked.paradata.append(
                {"event": "answer_changed", "step": step, "question": name, "at": at}
            )
    locked.paradata.append({"event": "page_submitted", "step": step, "at": at})
    locked.answers = merged
    locked.current_step = step
    _set_localities(locked)
    locked.save(
        update_fields=["answers", "paradata", "current_step", "district", "street", "community"]
    )
    interview.__dict__.update(
        {
            f: getattr(locked, f)
            for f in (
                "answers",
                "paradata",
                "current_step",
                "district_id",
                "street_id",
                "community_id",
            )
        }
    )
    return locked


def _set_localities(interview: Interview) -> None:
    definition = interview.questionnaire_version.definition
    codes = {
        q["locality_level"]: interview.answers.get(q["name"])
        for group in definition["groups"]
        for q in group["questions"]
        if q.get("locality_level")
    }
    wanted = {code for code in codes.values() if code}
    by_code = {loc.code: loc for loc in Locality.objects.filter(code__in=wanted)}
    for level, field in LOCALITY_FIELDS.items():
        setattr(interview, field, by_code.get(codes.get(level)))


@transaction.atomic
def finish_interview(*, interview: Interview) -> Interview:
    """End the interview once no page is left: complete, refused or screened out.

    The outcome follows from the answers (see fieldwork.flow.outcome). A complete interview is
    handed to the later stages (quality control) inside the same transaction.
    """
    locked = _lock_in_progress(interview)
    definition = locked.questionnaire_version.definition
    now = timezone.now()
    code = flow.outcome(definition, locked.answers)
    locked.answers = flow.prune(definition, locked.answers)
    locked.paradata.append({"event": "finished", "disposition": code, "at": now.isoformat()})
    locked.completed_at = now
    locked.duration_seconds = flow.active_seconds(locked.paradata)
    locked.status = {
        COMPLETE: Interview.Status.COMPLETED,
        flow.RESPONDENT_REFUSAL: Interview.Status.BROKEN_OFF,
    }.get(code, Interview.Status.SCREENED_OUT)
    locked.save(update_fields=["answers", "paradata", "completed_at", "duration_seconds", "status"])
    case = Case.objects.select_for_update().get(pk=locked.case_id)
    case.status = Case.Status.COMPLETED if code == COMPLETE else Case.Status.CLOSED
    case.disposition = code
    case.save(update_fields=["status", "disposition", "updated_at"])
    ContactAttempt.objects.filter(case=case, ended_at=None).update(ended_at=now, disposition=code)
    if code == COMPLETE:
        for handler in settings.INTERVIEW_COMPLETED_HANDLERS:
            import_string(handler)(locked)
    return locked


def disposition_label(code: str) -> str:
    return f"{code} {_(BY_CODE[code].label)}" if code in BY_CODE else code
