"""Running an interview: start or resume it, save each page, finish or stop it, and reopen it
when quality control sends it back."""

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Func, IntegerField
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from fieldwork import reactions
from fieldwork.dispositions import COMPLETE, RESPONDENT_REFUSAL
from fieldwork.interview import flow, metadata
from fieldwork.interview.personal_answers import seal_locations
from fieldwork.models import Appointment, Case, ContactAttempt, Interview
from fieldwork.services import quota_counts
from fieldwork.services.attempts import (
    SUMMARY_FIELDS,
    check_mode,
    check_own_case,
    count_attempt,
    create_appointment,
    final_code,
)
from questionnaires import answers
from questionnaires.definitions import definition_of
from sampling.models import Locality

LOCALITY_FIELDS = {"district": "district", "street": "street", "community": "community"}


def _now_iso() -> str:
    return timezone.now().isoformat()


@transaction.atomic
def start_interview(*, case: Case, interviewer: User, mode: str, device: str = "") -> Interview:
    """Open the case's interview, or return the one already in progress (resume).

    A new interview records the form's start, today, username and deviceid metadata
    (fieldwork.interview.metadata); `device` is the browser's id (fieldwork.interview.device).
    """
    check_own_case(case, interviewer)
    case = Case.objects.select_for_update().select_related("wave").get(pk=case.pk)
    existing = Interview.objects.filter(case=case).first()
    if existing is not None:
        if existing.status != Interview.Status.IN_PROGRESS:
            raise ValidationError(_("This case's interview is already finished."))
        if case.status == Case.Status.PENDING:
            # A stopped interview, resumed on a new call: that call is an attempt of its own.
            now = timezone.now()
            ContactAttempt.objects.create(
                case=case, interviewer=interviewer, mode=existing.mode, started_at=now
            )
            count_attempt(case, now, "")
            case.status = Case.Status.IN_PROGRESS
            case.save(update_fields=[*SUMMARY_FIELDS, "status", "updated_at"])
            existing.paradata.append({"event": "resumed", "at": now.isoformat()})
            existing.save(update_fields=["paradata"])
        return existing
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    check_mode(case.wave, mode)
    now = timezone.now()
    ContactAttempt.objects.create(case=case, interviewer=interviewer, mode=mode, started_at=now)
    count_attempt(case, now, "")
    case.status = Case.Status.IN_PROGRESS
    case.save(update_fields=[*SUMMARY_FIELDS, "status", "updated_at"])
    version = case.wave.questionnaire_version
    recorded = metadata.at_start(
        definition_of(version), started=timezone.localtime(now),
        username=interviewer.get_username(), device=device,
    )  # fmt: skip
    return Interview.objects.create(
        case=case,
        questionnaire_version=version,
        interviewer=interviewer,
        mode=mode,
        started_at=now,
        answers=recorded,
        paradata=[{"event": "started", "mode": mode, "at": now.isoformat()}],
    )


def _lock_in_progress(interview: Interview) -> Interview:
    # FOR NO KEY UPDATE: it still serialises every writer of the row, and does not conflict
    # with the share lock PostgreSQL takes on it when a row referring to it (a submission
    # key) is checked; with FOR UPDATE two saves holding such locks would deadlock.
    locked = Interview.objects.select_for_update(no_key=True).get(pk=interview.pk)
    if locked.status != Interview.Status.IN_PROGRESS:
        raise ValidationError(_("This interview is already finished."))
    return locked


lock_in_progress = _lock_in_progress  # the page save (interview.submissions) takes the same lock


def record_page_shown(*, interview: Interview, step: str) -> None:
    """Note in the paradata that a page was shown (its time counts from here)."""
    record_events(interview=interview, events=[{"event": "page_shown", "step": step}])


def record_events(*, interview: Interview, events: list[dict]) -> None:
    """Append paradata events (stamped with the server's time) to an interview in progress.

    One statement appends them in the database, without reading the row first, atomic by
    itself (no transaction around it: two round trips fewer for every page shown): a page save
    that holds the row's lock finishes first and the events land after its own. Used for a
    page shown, and for what the browser reports of a page left by Back or a language switch.
    """
    if not events:
        return
    at = _now_iso()
    stamped = [{**event, "at": at} for event in events]
    table = Interview._meta.db_table
    if connection.vendor == "postgresql":
        append, values = "paradata = paradata || %s::jsonb", [json.dumps(stamped)]
    else:  # each '$[#]' path appends after the one before
        paths = ", ".join(["'$[#]', json(%s)"] * len(stamped))
        append, values = f"paradata = json_insert(paradata, {paths})", map(json.dumps, stamped)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {append} WHERE id = %s AND status = %s",
            [*values, interview.pk, Interview.Status.IN_PROGRESS.value],
        )
        if cursor.rowcount != 1:
            raise ValidationError(_("This interview is already finished."))
    interview.paradata.extend(stamped)


@transaction.atomic
def save_interview_page(
    *, interview: Interview, step: str, question_names: Iterable[str], answers: dict
) -> Interview:
    """Persist one submitted page: its answers, what changed, and where to resume.

    `question_names` are the keys (paths, see questionnaires.answers) of the questions the
    page asked; one left out of `answers` is unanswered and any earlier answer is dropped.
    """
    locked = _lock_in_progress(interview)
    return apply_page(
        locked=locked,
        interview=interview,
        step=step,
        question_names=question_names,
        answers=answers,
    )


def apply_page(
    *,
    locked: Interview,
    interview: Interview,
    step: str,
    question_names: Iterable[str],
    answers: dict,
    shown_next: Callable[[dict], str | None] | None = None,
    unchanged_since: Interview | None = None,
) -> Interview | None:
    """save_interview_page's work on a row the caller has locked: one UPDATE, with the
    localities only when the page changed them. `interview` (the caller's copy) follows.
    `shown_next`, given the answers as saved, names the page shown next (None: none): its
    "page shown" event goes in the same UPDATE, not in a statement of its own after it.
    With `unchanged_since`, `locked` is a copy of that read, not locked: the UPDATE applies
    only to the row still as it was read (in progress, the same start and revision, as many
    paradata events), else nothing is written and None is returned."""
    at = _now_iso()
    before = locked.answers
    merged = dict(before)
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
    definition = definition_of(interview.questionnaire_version)
    locked.answers = seal_locations(merged, definition)
    shown = shown_next(locked.answers) if shown_next is not None else None
    if shown is not None:
        locked.paradata.append({"event": "page_shown", "step": shown, "at": at})
    locked.current_step = step
    fields = ["answers", "paradata", "current_step"]
    if _locality_codes(definition, before) != _locality_codes(definition, merged):
        _set_localities(locked, definition)
        fields += LOCALITY_FIELDS.values()
    if unchanged_since is None:
        locked.save(update_fields=fields)
    elif not _update_unchanged(locked, unchanged_since, fields):
        return None
    copied = ["answers", "paradata", "current_step", "district_id", "street_id", "community_id"]
    interview.__dict__.update({f: getattr(locked, f) for f in copied})
    return locked


class EventCount(Func):
    """How many events a paradata list holds, in the database."""

    function = "JSON_ARRAY_LENGTH"  # SQLite's; PostgreSQL's for jsonb is below
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)


def _update_unchanged(interview: Interview, read: Interview, fields: list[str]) -> bool:
    """Write `fields` of `interview` if the row is still as `read` (see apply_page)."""
    return bool(
        Interview.objects.filter(
            pk=read.pk,
            status=Interview.Status.IN_PROGRESS,
            started_at=read.started_at,
            revision=read.revision,
        )
        .alias(events=EventCount("paradata"))
        .filter(events=len(read.paradata))
        .update(**{field: getattr(interview, field) for field in fields})
    )


def _locality_codes(definition: dict, stored: dict) -> dict[str, object]:
    return {
        q["locality_level"]: answers.get(stored, q)
        for _page, q in answers.questions(definition)
        if q.get("locality_level")
    }


def _set_localities(interview: Interview, definition: dict) -> None:
    codes = _locality_codes(definition, interview.answers)
    wanted = {code for code in codes.values() if code}
    by_code = {loc.code: loc for loc in Locality.objects.filter(code__in=wanted)}
    for level, field in LOCALITY_FIELDS.items():
        setattr(interview, field, by_code.get(codes.get(level)))


@transaction.atomic
def finish_interview(*, interview: Interview) -> Interview:
    """End the interview once no page is left: complete, refused or screened out.

    The outcome follows from the answers (see fieldwork.interview.flow.outcome). A complete
    interview is handed to the later stages (quality control) inside the same transaction.
    """
    locked = _lock_in_progress(interview)
    definition = definition_of(interview.questionnaire_version)
    now = timezone.now()
    code = flow.outcome(definition, locked.answers)
    locked.answers = flow.prune(definition, locked.answers)
    locked.paradata.append({"event": "finished", "disposition": code, "at": now.isoformat()})
    locked.answers |= metadata.at_finish(
        definition, ended=timezone.localtime(now), paradata=locked.paradata
    )
    seal_locations(locked.answers, definition)
    locked.completed_at = now
    locked.duration_seconds = flow.active_seconds(locked.paradata)
    locked.status = {
        COMPLETE: Interview.Status.COMPLETED,
        RESPONDENT_REFUSAL: Interview.Status.BROKEN_OFF,
    }.get(code, Interview.Status.SCREENED_OUT)
    locked.save(update_fields=["answers", "paradata", "completed_at", "duration_seconds", "status"])
    # The wave's row is locked with the case: quota counts change under it (quota_counts).
    case = (
        Case.objects.select_for_update(of=("self", "wave"), no_key=True)
        .select_related("wave__questionnaire_version")
        .defer("wave__questionnaire_version__definition")
        .get(pk=locked.case_id)
    )
    case.status = Case.Status.COMPLETED if code == COMPLETE else Case.Status.CLOSED
    case.disposition = code
    case.save(update_fields=["status", "disposition", "updated_at"])
    ContactAttempt.objects.filter(case=case, ended_at=None).update(ended_at=now, disposition=code)
    if code == COMPLETE:
        quota_counts.count_completes(wave=case.wave, interviews=[locked])
        # qc queues its checks (QcConfig.ready registers) once the completion is stored: a
        # worker runs them, the interviewer does not wait, and a failing check (the hourly
        # batch checks what is left unchecked) cannot undo a completed interview.
        transaction.on_commit(partial(reactions.interview_completed, locked), robust=True)
    return locked


@transaction.atomic
def stop_interview(
    *,
    interview: Interview,
    at: datetime,
    kind: str = "hard",
    window_end: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Appointment:
    """The respondent stops midway and agrees a callback: a partial or break-off, to resume.

    The open attempt ends with flow.stop_code (1.2 when every key item is answered, else 2.12);
    the interview stays open so resuming continues at the saved page; the case goes back to
    pending, still the interviewer's, and the scheduler offers it at the appointment.
    """
    locked = _lock_in_progress(interview)
    case = Case.objects.select_for_update().select_related("wave").get(pk=locked.case_id)
    if case.status != Case.Status.IN_PROGRESS:
        raise ValidationError(_("This interview is not under way."))
    now = now or timezone.now()
    code = flow.stop_code(locked.questionnaire_version.definition, locked.answers)
    ContactAttempt.objects.filter(case=case, ended_at=None).update(
        ended_at=now, disposition=code, note=note
    )
    locked.paradata.append({"event": "stopped", "disposition": code, "at": now.isoformat()})
    locked.save(update_fields=["paradata"])
    case.last_outcome = code
    case.disposition = final_code(case)
    case.status = Case.Status.PENDING
    case.save(update_fields=["last_outcome", "disposition", "status", "updated_at"])
    return create_appointment(
        case=case,
        at=at,
        kind=kind,
        window_end=window_end,
        note=note,
        created_by=locked.interviewer,
        now=now,
    )


@transaction.atomic
def reopen_case(*, case: Case, interviewer: User, clear_answers: bool) -> Interview:
    """Quality control sends a completed interview back: a callback or a re-interview.

    Called by qc when a review is returned or a rejected case is re-released. The interview
    goes back in progress under `interviewer` (its answers kept for a callback, cleared for a
    re-interview) and the case back to pending, held by `interviewer`, with no final outcome:
    until it is finished again it counts as a complete nowhere (rates, quotas). The attempts
    stay as they were. Keeping a copy of the old answers is the caller's job.
    """
    if interviewer.role != Role.INTERVIEWER:
        raise ValidationError(_("Cases can only be assigned to interviewers."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    interview = Interview.objects.select_for_update().get(case=case)
    if interview.status != Interview.Status.COMPLETED:
        raise ValidationError(_("Only a completed interview can be reopened."))
    now = timezone.now()
    if clear_answers:
        interview.answers = {}
        interview.paradata = []
        interview.started_at = now
    interview.paradata.append({"event": "reopened", "at": now.isoformat()})
    interview.status = Interview.Status.IN_PROGRESS
    interview.interviewer = interviewer
    interview.completed_at = None
    interview.duration_seconds = None
    interview.current_step = ""
    interview.save(
        update_fields=[
            "answers",
            "paradata",
            "started_at",
            "status",
            "interviewer",
            "completed_at",
            "duration_seconds",
            "current_step",
        ]
    )
    case.status = Case.Status.PENDING
    case.interviewer = interviewer
    case.disposition = ""
    case.save(update_fields=["status", "interviewer", "disposition", "updated_at"])
    quota_counts.recount_quotas(wave=case.wave)
    return interview
