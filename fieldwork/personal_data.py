"""The respondents' personal data fieldwork keeps, registered with common.personal.registry.

A wave's sampled units are those of its cases, and the rest of its draw (reserves never
released) when no other wave still works that draw; a unit a wave not yet purged also has a
case in keeps its data. A frame file goes once no wave still in need of it remains.
"""

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.personal.registry import Failure, Holder, Outcome, Scope, not_personal, register
from common.translatable import Translatable, gettext_noop
from fieldwork.interview.media import media_path
from fieldwork.interview.personal_answers import personal_answers, without_personal_answers
from fieldwork.models import (
    Appointment,
    Call,
    ContactAttempt,
    Interview,
    RespondentSelection,
    TwilioEvent,
    Wave,
)
from fieldwork.services import quota_counts
from fieldwork.telephony import recordings
from sampling.models import Frame, SampledUnit
from sampling.services import frame_files


def _others(scope: Scope) -> QuerySet[Wave]:
    """The waves still holding their personal data, this one aside."""
    return Wave.objects.exclude(pk__in={scope.wave_id, *scope.purged_wave_ids})


def wave_units(scope: Scope) -> QuerySet[SampledUnit]:
    draw_id = Wave.objects.filter(pk=scope.wave_id).values_list("draw_id", flat=True).first()
    own = Q(cases__wave_id=scope.wave_id)
    if draw_id is not None and not _others(scope).filter(draw_id=draw_id).exists():
        own |= Q(draw_id=draw_id)
    shared = SampledUnit.objects.filter(cases__wave__in=_others(scope)).values("pk")
    ids = SampledUnit.objects.filter(own).exclude(pk__in=shared).values("pk")
    return SampledUnit.objects.filter(pk__in=ids)


def _unit_holder(field: str, what, where) -> Holder:
    def count(scope: Scope) -> int:
        return wave_units(scope).exclude(**{field: ""}).count()

    def purge(scope: Scope) -> int:
        return wave_units(scope).exclude(**{field: ""}).update(**{field: ""})

    return Holder(
        key=f"sample.{field}",
        what=what,
        where=where,
        count=count,
        purge=purge,
        fields=(f"sampling.SampledUnit.{field}",),
        kept=_("The unit's id, stratum, locality and design weight stay (the weights use them)."),
    )


def _frames(scope: Scope) -> list[Frame]:
    frame_ids = Wave.objects.filter(pk=scope.wave_id, draw__isnull=False).values("draw__frame_id")
    needed = _others(scope).filter(draw__isnull=False).values("draw__frame_id")
    frames = Frame.objects.filter(pk__in=frame_ids).exclude(pk__in=needed)
    return [frame for frame in frames if frame_files.holds_personal_data(frame)]


def _count_frames(scope: Scope) -> int:
    return len(_frames(scope))


def _purge_frames(scope: Scope) -> int:
    frames = _frames(scope)
    # A file cannot be rolled back: it is rewritten once the purge's transaction commits.
    transaction.on_commit(lambda: [frame_files.purge_personal_columns(f) for f in frames])
    return len(frames)


def _visits(scope: Scope) -> QuerySet[ContactAttempt]:
    return ContactAttempt.objects.filter(case__wave_id=scope.wave_id).filter(
        Q(latitude__isnull=False) | Q(longitude__isnull=False) | Q(accuracy_m__isnull=False)
    )


def _purge_visits(scope: Scope) -> int:
    return _visits(scope).update(latitude=None, longitude=None, accuracy_m=None)


def _selections(scope: Scope) -> QuerySet[RespondentSelection]:
    return RespondentSelection.objects.filter(case__wave_id=scope.wave_id)


def _named(selection: RespondentSelection) -> bool:
    rows = [*selection.roster, *selection.adults]
    return bool(selection.selected_label) or any(row.get("name") for row in rows)


def _count_names(scope: Scope) -> int:
    return sum(
        1 for s in _selections(scope).only("roster", "adults", "selected_label") if _named(s)
    )


def _purge_names(scope: Scope) -> int:
    """Household members' names go; their sex, age and eligibility stay (the selection's
    probability, which the weights use, is computed from them)."""
    changed = []
    for selection in _selections(scope).only("roster", "adults", "selected_label"):
        if not _named(selection):
            continue
        selection.roster = [{**row, "name": ""} for row in selection.roster]
        selection.adults = [{**row, "name": ""} for row in selection.adults]
        selection.selected_label = ""
        changed.append(selection)
    RespondentSelection.objects.bulk_update(changed, ["roster", "adults", "selected_label"])
    return len(changed)


def _interviews(scope: Scope) -> QuerySet[Interview]:
    return Interview.objects.filter(case__wave_id=scope.wave_id).select_related(
        "questionnaire_version"
    )


def _count_answers(scope: Scope) -> int:
    return sum(
        personal_answers(i.answers, i.questionnaire_version.definition)
        for i in _interviews(scope).only("answers", "questionnaire_version__definition")
    )


def _purge_answers(scope: Scope) -> int:
    removed, changed = 0, []
    for interview in _interviews(scope).only("answers", "questionnaire_version__definition"):
        n = without_personal_answers(interview.answers, interview.questionnaire_version.definition)
        if n:
            removed += n
            interview.revision = F("revision") + 1  # a page save read before sees the change
            changed.append(interview)
    Interview.objects.bulk_update(changed, ["answers", "revision"])
    if changed:  # a quota cell may have counted an answer that is gone
        quota_counts.recount_quotas(wave=Wave.objects.get(pk=scope.wave_id))
    return removed


def _media_files(scope: Scope) -> list[str]:
    """Every file in the wave's interviews' folders: photos, audio answers, audio audits."""
    with_files = set(_listed(media_path(0, "").split("/")[0])[0])  # one listing, not one each
    paths = []
    for interview_id in Interview.objects.filter(case__wave_id=scope.wave_id).values_list(
        "pk", flat=True
    ):
        if str(interview_id) in with_files:
            folder = media_path(interview_id, "").rstrip("/")
            paths += [media_path(interview_id, name) for name in _listed(folder)[1]]
    return paths


def _listed(folder: str) -> tuple[list[str], list[str]]:
    """(folders, files) in a folder of the storage. Listed, not tested with `exists` first: an
    object store (S3) has no folders, so a folder never "exists" there though its files do."""
    try:
        return default_storage.listdir(folder)
    except FileNotFoundError:  # a file system without the folder: nothing was stored there
        return [], []


def _purge_media(scope: Scope) -> int:
    paths = _media_files(scope)
    # Files go once the database's purge commits: a purge that fails leaves them in place.
    transaction.on_commit(lambda: [default_storage.delete(path) for path in paths])
    return len(paths)


def _recordings(scope: Scope) -> QuerySet[Call]:
    return Call.objects.filter(case__wave_id=scope.wave_id).exclude(
        recording_sid="", recording_url=""
    )


RECORDINGS = "fieldwork.call_recordings"


def _delete_recordings(scope: Scope) -> Outcome:
    """The recordings deleted at Twilio, where they are kept (before the purge's transaction:
    one request per recording); each one that was not is named by its call, not its SID."""
    calls = _recordings(scope).exclude(recording_sid="")
    deletion = recordings.delete_at_twilio(calls.values_list("recording_sid", flat=True))
    failed_sids = {sid for sid, _why in deletion.failed}
    calls_by_sid = {
        call.recording_sid: call
        for call in calls.filter(recording_sid__in=failed_sids).select_related("case__unit")
    }
    return Outcome(
        removed=0,
        done=deletion.deleted,
        failed=tuple(
            Failure(item=sid, label=_recording_label(calls_by_sid.get(sid)), why=why)
            for sid, why in deletion.failed
        ),
    )


def _recording_label(call: Call | None) -> Translatable:
    if call is None:
        return Translatable(gettext_noop("A call recording"))
    started = timezone.localtime(call.created_at).strftime("%Y-%m-%d %H:%M")
    return Translatable(
        gettext_noop("The recording of the call of %(started)s to household %(unit)s"),
        started=started,
        unit=call.case.unit.unit_id,
    )


def _purge_recordings(scope: Scope) -> Outcome:
    """The recordings Twilio deleted (`_delete_recordings`, run before) are forgotten here,
    with Twilio's callbacks, which carry their addresses; one Twilio could not delete keeps
    its SID and address so that a later purge tries again."""
    deletion = scope.elsewhere[RECORDINGS]
    failed = {failure.item for failure in deletion.failed}
    TwilioEvent.objects.filter(call__case__wave_id=scope.wave_id).update(params={})
    removed = (
        _recordings(scope)
        .exclude(recording_sid__in=failed)
        .update(recording_sid="", recording_url="", recording_seconds=None)
    )
    return Outcome(removed=removed, done=deletion.done, failed=deletion.failed)


def _notes(scope: Scope) -> tuple[QuerySet[ContactAttempt], QuerySet[Appointment]]:
    return (
        ContactAttempt.objects.filter(case__wave_id=scope.wave_id).exclude(note=""),
        Appointment.objects.filter(case__wave_id=scope.wave_id).exclude(note=""),
    )


def _purge_notes(scope: Scope) -> int:
    attempts, appointments = _notes(scope)
    return attempts.update(note="") + appointments.update(note="")


def register_holders() -> None:
    """Called from FieldworkConfig.ready()."""
    _register_sample_holders()
    _register_interview_holders()
    _declare_not_personal()


def _register_sample_holders() -> None:
    register(
        _unit_holder(
            "phone",
            _("Respondents' phone numbers"),
            _("Sampled units (database, encrypted)"),
        )
    )
    register(
        _unit_holder(
            "address", _("Respondents' addresses"), _("Sampled units (database, encrypted)")
        )
    )
    register(
        Holder(
            key="sample.frame_files",
            what=_("Frame files with numbers, addresses and other columns"),
            where=_("File storage: frames (Parquet, encrypted columns)"),
            count=_count_frames,
            purge=_purge_frames,
            files=True,
            kept=_(
                "Units and their localities stay in the file; numbers, addresses and the "
                "frame's other columns go."
            ),
        )
    )


def _register_interview_holders() -> None:
    register(
        Holder(
            key="fieldwork.contact_notes",
            what=_("Interviewers' notes on calls, visits and appointments"),
            where=_("Contact attempts and appointments (database)"),
            count=lambda scope: sum(q.count() for q in _notes(scope)),
            purge=_purge_notes,
            fields=("fieldwork.ContactAttempt.note", "fieldwork.Appointment.note"),
            kept=_("The outcome of every call and visit stays (response rates use it)."),
        )
    )
    register(
        Holder(
            key="fieldwork.visit_positions",
            what=_("Exact positions of door visits"),
            where=_("Contact attempts (database)"),
            count=lambda scope: _visits(scope).count(),
            purge=_purge_visits,
            fields=(
                "fieldwork.ContactAttempt.latitude",
                "fieldwork.ContactAttempt.longitude",
                "fieldwork.ContactAttempt.accuracy_m",
            ),
            kept=_("The distance from the community and its warnings stay for quality control."),
        )
    )
    register(
        Holder(
            key="fieldwork.household_names",
            what=_("Names of household members"),
            where=_("Respondent selections (database)"),
            count=_count_names,
            purge=_purge_names,
            fields=(
                "fieldwork.RespondentSelection.roster",
                "fieldwork.RespondentSelection.adults",
                "fieldwork.RespondentSelection.selected_label",
            ),
            kept=_("Sex, age and eligibility stay: the selection probability uses them."),
        )
    )
    register(
        Holder(
            key="fieldwork.location_and_media_answers",
            what=_("Location, photo and audio answers"),
            where=_("Interview answers (database)"),
            count=_count_answers,
            purge=_purge_answers,
            # answers_text is the database's text of the answers: it follows them when purged
            fields=("fieldwork.Interview.answers", "fieldwork.Interview.answers_text"),
            kept=_("Every other answer stays, without anything that identifies the respondent."),
        )
    )
    register(
        Holder(
            key="fieldwork.interview_media",
            what=_("Photos and recordings taken in interviews"),
            where=_("File storage: interviews"),
            count=lambda scope: len(_media_files(scope)),
            purge=_purge_media,
            files=True,
        )
    )
    register(
        Holder(
            key=RECORDINGS,
            what=_("Call recordings"),
            where=_("Twilio (the recordings), calls and Twilio's callbacks (database)"),
            count=lambda scope: _recordings(scope).count(),
            purge=_purge_recordings,
            elsewhere=_delete_recordings,
            fields=(
                "fieldwork.Call.recording_sid",
                "fieldwork.Call.recording_url",
                "fieldwork.Call.recording_seconds",
                "fieldwork.TwilioEvent.params",
            ),
            kept=_("The call's times, status and outcome stay."),
        )
    )


def _declare_not_personal() -> None:
    staff = "an interviewer's own work line, staff data kept with the account, not a respondent's"
    not_personal("fieldwork.InterviewerLine.phone", staff)
    not_personal("fieldwork.Wave.name", "the survey round's name")
    not_personal("fieldwork.PrenotificationPlan.hotline", "the firm's verification hotline")
    not_personal("fieldwork.PrenotificationPlan.template", "the message text, no one's data")
    not_personal("fieldwork.ContactAttempt.distance_m", "a distance, not a position")
    not_personal("fieldwork.ContactAttempt.position_error", "why no position was taken")
    not_personal("fieldwork.ContactAttempt.position_warnings", "warnings without a position")
    not_personal(
        "fieldwork.AudioAudit.name",
        "the hash of an audio audit's bytes; the recording itself is in the interview's media "
        "folder and goes with the photos and recordings taken in interviews",
    )
    not_personal("fieldwork.Wave.audio_audit_percent", "a share of interviews, a setting")
    not_personal("fieldwork.Wave.audio_audit_pages_percent", "a share of pages, a setting")
    not_personal(
        "fieldwork.ProcessingRecord.storage_location",
        "where the firm keeps the wave's data, as the firm describes it",
    )
