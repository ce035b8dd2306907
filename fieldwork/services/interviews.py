"""Fieldwork use-cases: waves, cases, assignment, contact attempts and interviews."""

import functools
import threading
from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from fieldwork import flow, frames, reactions, scheduling
from fieldwork.dispositions import (
    BY_CODE,
    COMPLETE,
    NON_INTERVIEW_CODES,
    final_disposition,
    is_final,
)
from fieldwork.models import (
    Appointment,
    Case,
    ContactAttempt,
    Interview,
    Mode,
    QuotaTarget,
    RespondentSelection,
    Wave,
    WaveMode,
)
from questionnaires.models import QuestionnaireVersion
from sampling import household
from sampling.models import Draw, Locality, SampledUnit
from sampling.services import SamplingInputError, record_release

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
    weekday_windows: str = "09:00-12:00,14:00-21:00",
    weekend_windows: str = "10:00-12:00,14:00-20:00",
    min_gap_minutes: int = 120,
    busy_gap_minutes: int = 15,
    mode: str = WaveMode.MIXED,
) -> Wave:
    """A wave whose cases are the draw's main sample (replicate 0)."""
    if mode not in WaveMode.values:
        raise ValidationError(_("Unknown mode."))
    if questionnaire_version.published_at is None:
        raise ValidationError(_("A draft questionnaire version cannot be used in the field."))
    for label, text in ((_("weekday"), weekday_windows), (_("weekend"), weekend_windows)):
        try:
            scheduling.parse_windows(text)
        except scheduling.ScheduleError as error:
            raise ValidationError(f"{label}: {error}") from error
    wave = Wave.objects.create(
        name=name,
        client=client,
        questionnaire_version=questionnaire_version,
        draw=draw,
        max_attempts=max_attempts,
        weekday_windows=weekday_windows,
        weekend_windows=weekend_windows,
        min_gap_minutes=min_gap_minutes,
        busy_gap_minutes=busy_gap_minutes,
        mode=mode,
        status=Wave.Status.FIELDWORK,
    )
    release_replicate(wave=wave, replicate=0)
    return wave


@transaction.atomic
def release_reserve(*, wave: Wave, replicate: int, user: User, reason: str) -> int:
    """A supervisor puts a reserve replicate into fieldwork; who, when and why are recorded.

    Returns how many cases were created. Refused (ValidationError) for the main sample, an
    unknown or already released replicate, one out of order, or without a reason.
    """
    try:
        record_release(draw=wave.draw, replicate=replicate, user=user, reason=reason)
    except SamplingInputError as error:
        raise ValidationError(error.errors) from error
    return release_replicate(wave=wave, replicate=replicate)


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


_SQLITE_WRITER = threading.Lock()


def _one_writer_per_process(function):
    """On SQLite, let the threads of one process take turns at this write.

    SQLite has one writer at a time. Waiting writers poll the file lock (the busy timeout);
    with many threads in one process, the GIL can keep the writer that holds the lock from
    finishing while the others poll, and a poller can starve past the timeout ("database is
    locked"). A Python lock queues them instead. Only outside an enclosing transaction: one
    that already holds the database lock must not then wait for this one.
    """

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            return function(*args, **kwargs)
        with _SQLITE_WRITER:
            return function(*args, **kwargs)

    return wrapped


def _locked(queryset):
    # Row locks keep two supervisors (or two interviewers pulling work) from taking the same
    # case. SQLite has no row locks; its IMMEDIATE transactions serialise writers instead.
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset


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
    rules = frames.calling_rules(wave)
    for _round in range(3):
        candidates = frames.candidate_frame(wave=wave, interviewer=interviewer, now=now)
        ranked = scheduling.eligible_cases(candidates, rules, now)
        if ranked.empty:
            return None
        reasons = dict(zip(ranked["case_id"].tolist(), ranked["reason"], strict=True))
        claimed = _claim(
            wave=wave, interviewer=interviewer, ranked_ids=list(reasons), reasons=reasons
        )
        # Every ranked case was taken meanwhile: only a truncated list can hide others.
        if claimed is not None or len(candidates) < frames.CANDIDATE_LIMIT:
            return claimed
    return None


@_one_writer_per_process
@transaction.atomic
def _claim(
    *, wave: Wave, interviewer: User, ranked_ids: list[int], reasons: dict[int, str]
) -> NextCase | None:
    free = Q(interviewer=None) | Q(interviewer=interviewer)
    for start in range(0, len(ranked_ids), NEXT_CASE_LOCK_BATCH):
        batch = ranked_ids[start : start + NEXT_CASE_LOCK_BATCH]
        open_cases = Case.objects.filter(free, pk__in=batch, wave=wave, status=Case.Status.PENDING)
        locked = set(_locked(open_cases).values_list("pk", flat=True))
        chosen = next((pk for pk in batch if pk in locked), None)
        if chosen is None:
            continue
        case = Case.objects.select_related("wave").get(pk=chosen)
        if case.interviewer_id != interviewer.pk:
            case.interviewer = interviewer
            case.save(update_fields=["interviewer", "updated_at"])
        return NextCase(case, reasons[chosen])
    return None


def _check_own_case(case: Case, interviewer: User) -> None:
    if case.interviewer_id != interviewer.pk:
        raise PermissionDenied


@_one_writer_per_process
@transaction.atomic
def record_attempt(
    *,
    case: Case,
    interviewer: User,
    mode: str,
    disposition: str,
    note: str = "",
    appointment_at: datetime | None = None,
    appointment_kind: str = "hard",
) -> ContactAttempt:
    """A call or visit that did not become an interview, with its AAPOR outcome.

    A final code (refusal, not eligible …) closes the case; so does reaching the wave's maximum
    number of attempts. The case's disposition is the final code of all its attempts by AAPOR
    precedence (dispositions.final_disposition). An appointment may be made in the same step
    ("call back at 19:00").
    """
    _check_own_case(case, interviewer)
    if disposition not in NON_INTERVIEW_CODES:
        raise ValidationError(
            _("%(code)s is not an outcome of a call or visit.") % {"code": disposition}
        )
    if mode not in Mode.values:
        raise ValidationError(_("Unknown mode."))
    case = Case.objects.select_for_update().select_related("wave").get(pk=case.pk)
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
    _count_attempt(case, now, disposition)
    closing = is_final(disposition) or case.attempts >= case.wave.max_attempts
    case.disposition = _final_code(case)
    if closing:
        case.status = Case.Status.CLOSED
        # A stopped interview that will never be resumed ends as a break-off.
        Interview.objects.filter(case=case, status=Interview.Status.IN_PROGRESS).update(
            status=Interview.Status.BROKEN_OFF
        )
    case.save(update_fields=[*SUMMARY_FIELDS, "disposition", "status", "updated_at"])
    if appointment_at is not None and not closing:
        _make_appointment(
            case=case,
            at=appointment_at,
            kind=appointment_kind,
            window_end=None,
            note=note,
            created_by=interviewer,
        )
    return attempt


SUMMARY_FIELDS = ["attempts", "last_attempt_at", "last_outcome", "day_parts_tried"]


def _count_attempt(case: Case, at: datetime, outcome: str) -> None:
    """Update the attempt summary the scheduler reads; the attempt closes open appointments."""
    case.attempts += 1
    case.last_attempt_at = at
    case.last_outcome = outcome
    case.day_parts_tried |= scheduling.day_part_bit(at)
    Appointment.objects.filter(case=case, closed_at=None).update(closed_at=at)


def _final_code(case: Case) -> str:
    codes = list(
        ContactAttempt.objects.filter(case=case)
        .order_by("started_at", "id")
        .values_list("disposition", flat=True)
    )
    return final_disposition(codes) if any(codes) else ""


def _make_appointment(
    *, case: Case, at: datetime, kind: str, window_end: datetime | None, note: str, created_by: User
) -> Appointment:
    if kind not in Appointment.Kind.values:
        raise ValidationError(_("Unknown appointment kind."))
    if window_end is not None and window_end <= at:
        raise ValidationError(_("The window must end after the appointment time."))
    Appointment.objects.filter(case=case, closed_at=None).update(closed_at=timezone.now())
    return Appointment.objects.create(
        case=case, at=at, kind=kind, window_end=window_end, note=note, created_by=created_by
    )


@transaction.atomic
def make_appointment(
    *,
    case: Case,
    interviewer: User,
    at: datetime,
    kind: str = "hard",
    window_end: datetime | None = None,
    note: str = "",
) -> Appointment:
    """A callback agreed with the respondent; it replaces any open appointment of the case."""
    _check_own_case(case, interviewer)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    return _make_appointment(
        case=case, at=at, kind=kind, window_end=window_end, note=note, created_by=interviewer
    )


@transaction.atomic
def start_interview(*, case: Case, interviewer: User, mode: str) -> Interview:
    """Open the case's interview, or return the one already in progress (resume)."""
    _check_own_case(case, interviewer)
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
            _count_attempt(case, now, "")
            case.status = Case.Status.IN_PROGRESS
            case.save(update_fields=[*SUMMARY_FIELDS, "status", "updated_at"])
            existing.paradata.append({"event": "resumed", "at": now.isoformat()})
            existing.save(update_fields=["paradata"])
        return existing
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    if mode not in Mode.values:
        raise ValidationError(_("Unknown mode."))
    now = timezone.now()
    ContactAttempt.objects.create(case=case, interviewer=interviewer, mode=mode, started_at=now)
    _count_attempt(case, now, "")
    case.status = Case.Status.IN_PROGRESS
    case.save(update_fields=[*SUMMARY_FIELDS, "status", "updated_at"])
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
        reactions.interview_completed(locked)  # qc checks it (QcConfig.ready registers)
    return locked


@transaction.atomic
def stop_interview(
    *,
    interview: Interview,
    at: datetime,
    kind: str = "hard",
    window_end: datetime | None = None,
    note: str = "",
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
    now = timezone.now()
    code = flow.stop_code(locked.questionnaire_version.definition, locked.answers)
    ContactAttempt.objects.filter(case=case, ended_at=None).update(
        ended_at=now, disposition=code, note=note
    )
    locked.paradata.append({"event": "stopped", "disposition": code, "at": now.isoformat()})
    locked.save(update_fields=["paradata"])
    case.last_outcome = code
    case.disposition = _final_code(case)
    case.status = Case.Status.PENDING
    case.save(update_fields=["last_outcome", "disposition", "status", "updated_at"])
    return _make_appointment(
        case=case, at=at, kind=kind, window_end=window_end, note=note, created_by=locked.interviewer
    )


@transaction.atomic
def switch_wave_version(*, wave: Wave, version: QuestionnaireVersion) -> Wave:
    """Roll a newer version of the wave's questionnaire out mid-field.

    Interviews started from now on use it; those already started keep the version they began
    with (Interview.questionnaire_version), which is how the wave page accounts for both.
    """
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    current = locked.questionnaire_version
    if locked.status == Wave.Status.CLOSED:
        raise ValidationError(_("This wave is closed."))
    if version.questionnaire_id != current.questionnaire_id:
        raise ValidationError(_("Only a version of the wave's own questionnaire can replace it."))
    if version.number <= current.number:
        raise ValidationError(_("Only a newer version can be rolled out."))
    if version.published_at is None:
        raise ValidationError(_("A draft questionnaire version cannot be used in the field."))
    locked.questionnaire_version = version
    locked.save(update_fields=["questionnaire_version"])
    wave.questionnaire_version = version
    return locked


@transaction.atomic
def set_quota_target(
    *, wave: Wave, stratum: str, variable: str, value: str, target: int
) -> QuotaTarget:
    """Create or change one quota cell's target."""
    if target < 0:
        raise ValidationError(_("A target cannot be negative."))
    if not variable.strip() or not value.strip():
        raise ValidationError(_("Name the variable and its value."))
    quota, _created = QuotaTarget.objects.update_or_create(
        wave=wave,
        stratum=stratum.strip(),
        variable=variable.strip(),
        value=value.strip(),
        defaults={"target": target},
    )
    return quota


def disposition_label(code: str) -> str:
    return f"{code} {_(BY_CODE[code].label)}" if code in BY_CODE else code


SEX_CODES = {"M": "M", "F": "F", "男": "M", "女": "F"}
LISTING_SEPARATORS = str.maketrans({"，": ",", "、": ","})


def parse_listing(text: str) -> list[dict]:
    """A household listing as typed, one adult per line: ``name, sex (M/F), age[, MM-DD]``.

    Returns one dict per non-blank line: name, sex ("M"/"F"), age (int), birthday ("MM-DD" or
    ""). Full-width commas are accepted, and 男/女 for the sex. Raises ValidationError naming
    every bad line by its number.
    """
    adults, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.translate(LISTING_SEPARATORS).split(",")]
        problem = _listing_problem(fields)
        if problem:
            problems.append(_("Line %(line)d: %(problem)s") % {"line": number, "problem": problem})
            continue
        birthday = fields[3] if len(fields) == 4 else ""
        adults.append(
            {
                "name": fields[0],
                "sex": SEX_CODES[fields[1].upper()],
                "age": int(fields[2]),
                "birthday": birthday,
            }
        )
    if problems:
        raise ValidationError(problems)
    if not adults:
        raise ValidationError(_("List at least one adult of the household."))
    return adults


def _listing_problem(fields: list[str]) -> str:
    if len(fields) not in (3, 4):
        return _("write name, sex, age and, if needed, birthday (MM-DD), separated by commas.")
    if not fields[0]:
        return _("the name is missing.")
    if len(fields[0]) > 50:
        return _("the name is longer than 50 characters.")
    if fields[1].upper() not in SEX_CODES:
        return _("sex must be M or F, not %(value)r.") % {"value": fields[1]}
    if not fields[2].isdigit() or not 16 <= int(fields[2]) <= 120:
        return _("age must be a whole number from 16 to 120, not %(value)r.") % {"value": fields[2]}
    if len(fields) == 4 and _birthday(fields[3]) is None:
        return _("birthday must be month-day as MM-DD, not %(value)r.") % {"value": fields[3]}
    return ""


def _birthday(text: str) -> date | None:
    """MM-DD as a date in a leap year (the year plays no part in birthday selection)."""
    try:
        month, day = (int(part) for part in text.split("-"))
        return date(2000, month, day)
    except ValueError:
        return None


@_one_writer_per_process
@transaction.atomic
def select_respondent(
    *, case: Case, interviewer: User, method: str, adults: str
) -> RespondentSelection:
    """Choose the one adult of a door-to-door household to interview, and record the choice.

    `adults` is the listing as typed (see :func:`parse_listing`). Kish: the case's table is
    household.kish_table(serial=case.pk), so anyone can recompute the choice from the stored
    listing; birthday methods use the Beijing-time date of the visit and need every adult's
    birthday. Only the case's own interviewer may select, on an open case.

    The visit is recorded as a door-to-door contact attempt: the attempt still open on the case
    (an interview under way) when there is one, else a new attempt that starts and ends now with
    no outcome. That new attempt does not count towards the case's attempts: the outcome of the
    visit (the interview, or a call-or-visit outcome recorded next) is what counts.
    """
    _check_own_case(case, interviewer)
    if method not in RespondentSelection.Method.values:
        raise ValidationError(_("Unknown selection method."))
    listing = parse_listing(adults)
    people = [
        household.Adult(
            a["name"], a["sex"], a["age"], _birthday(a["birthday"]) if a["birthday"] else None
        )
        for a in listing
    ]
    now = timezone.now()
    if method == RespondentSelection.Method.KISH:
        chosen = household.kish_select(people, table=household.kish_table(serial=case.pk))
    else:
        missing = [str(i) for i, a in enumerate(people, start=1) if a.birthday is None]
        if missing:
            raise ValidationError(
                _("Birthday methods need every birthday; none on adult %(lines)s.")
                % {"lines": ", ".join(missing)}
            )
        on = now.astimezone(ZoneInfo(scheduling.LOCAL_TZ)).date()
        select = (
            household.last_birthday
            if method == RespondentSelection.Method.LAST_BIRTHDAY
            else household.next_birthday
        )
        chosen = select(people, on=on)
    index = next(i for i, person in enumerate(people) if person is chosen)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status in (Case.Status.COMPLETED, Case.Status.CLOSED):
        raise ValidationError(_("This case is already finished."))
    attempt = (
        ContactAttempt.objects.filter(case=case, ended_at=None).order_by("-started_at").first()
    )
    if attempt is None:
        attempt = ContactAttempt.objects.create(
            case=case,
            interviewer=interviewer,
            mode=Mode.DOOR,
            started_at=now,
            ended_at=now,
            note=_("Respondent selection"),
        )
    return RespondentSelection.objects.create(
        case=case,
        attempt=attempt,
        interviewer=interviewer,
        method=method,
        adults=listing,
        selected_index=index + 1,
        selected_label=chosen.name,
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
    return interview
