"""Setting a wave up and handing out its work: cases from the draw, reserves, assignment,
quota targets, and rolling a newer questionnaire version out mid-field."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from fieldwork import scheduling
from fieldwork.audits.services import check_audit_consent
from fieldwork.interview.media import door_only_questions
from fieldwork.models import Case, QuotaTarget, Wave, WaveMode
from fieldwork.models.waves import default_retain_until
from fieldwork.services import quota_counts
from fieldwork.services.locking import row_locked
from questionnaires import answers
from questionnaires.definitions import definition_of
from questionnaires.models import QuestionnaireVersion
from sampling.errors import SamplingInputError
from sampling.models import Draw, Locality, SampledUnit
from sampling.services.attributes import make_plain
from sampling.services.releases import record_release


@transaction.atomic
def set_plan(
    *,
    wave: Wave,
    actor: User,
    target_completes: int | None,
    starts_on: date | None,
    ends_on: date | None,
    daily_target: int | None,
    min_age: int = 16,
    max_age: int | None = None,
    cross_region: bool | None = None,
) -> Wave:
    """The plan the overview measures progress against: a target, the fieldwork period and a
    daily goal per interviewer; the ages a door-to-door household selection may choose
    (max_age None: no upper limit); and whether calls are cross-region (异地交叉调查, None: as
    it was). Supervisors and analysts set it; an empty value clears it."""
    if actor.role not in (Role.SUPERVISOR, Role.ANALYST):
        raise ValidationError(_("Only supervisors and analysts set a wave's plan."))
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("Fieldwork cannot end before it starts."))
    for value in (target_completes, daily_target):
        if value is not None and value < 1:
            raise ValidationError(_("Targets are whole numbers of at least 1."))
    if not 0 <= min_age <= 120 or (max_age is not None and not min_age <= max_age <= 120):
        raise ValidationError(
            _("Eligible ages run from 0 to 120, the oldest not below the youngest.")
        )
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    wave.target_completes = target_completes
    wave.starts_on = starts_on
    wave.ends_on = ends_on
    wave.daily_target = daily_target
    wave.min_age, wave.max_age = min_age, max_age
    if cross_region is not None:
        wave.cross_region = cross_region
    fields = ["target_completes", "starts_on", "ends_on", "daily_target", "min_age", "max_age"]
    wave.save(update_fields=[*fields, "cross_region"])
    return wave


def check_phone_wave(version: QuestionnaireVersion, mode: str) -> None:
    """A phone-only wave cannot use a questionnaire that takes photos or recordings door to
    door: refused when the wave is set up or the version rolled out, naming the questions. A
    mixed wave may; its phone interviews skip them (fieldwork.interview.media.phone_page)."""
    if mode != WaveMode.PHONE:
        return
    names = door_only_questions(definition_of(version))
    if names:
        raise ValidationError(
            _(
                "A phone-only wave cannot use this questionnaire: its photo and recording "
                "questions are taken door to door (%(names)s). Choose door-to-door or mixed."
            )
            % {"names": "、".join(names)}
        )


@transaction.atomic
def create_wave(
    *,
    name: str,
    client: Organisation,
    questionnaire_version: QuestionnaireVersion,
    draw: Draw,
    max_attempts: int = 5,
    weekday_windows: str = "09:00-12:00,14:00-21:00",
    weekend_windows: str = "10:00-12:00,14:00-20:00",
    min_gap_minutes: int = 120,
    busy_gap_minutes: int = 15,
    mode: str = WaveMode.MIXED,
    cross_region: bool = False,
    retain_until: date | None = None,
) -> Wave:
    """A wave for a client organisation whose cases are the draw's main sample (replicate 0).
    `retain_until`: the day its personal data is kept until (default: the settings' period
    from today; fieldwork.privacy.retention)."""
    if client.kind != Organisation.Kind.CLIENT:
        raise ValidationError(_("A wave is commissioned by a client body."))
    if mode not in WaveMode.values:
        raise ValidationError(_("Unknown mode."))
    if questionnaire_version.published_at is None:
        raise ValidationError(_("A draft questionnaire version cannot be used in the field."))
    check_phone_wave(questionnaire_version, mode)
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
        cross_region=cross_region,
        status=Wave.Status.FIELDWORK,
        retain_until=retain_until or default_retain_until(),
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
    ids = list(row_locked(pending.order_by("id")).values_list("id", flat=True)[:count])
    return Case.objects.filter(id__in=ids).update(
        interviewer=interviewer, updated_at=timezone.now()
    )


@dataclass(frozen=True)
class VersionSwitch:
    """A roll-out done, and the questions scoring, weighting or quotas read that the new
    version moved (a new path: older interviews are matched to it by name) or dropped."""

    wave: Wave
    moved: list[dict] = field(default_factory=list)
    gone: list[dict] = field(default_factory=list)


def _watched_names(wave: Wave, definition: dict) -> list[str]:
    """Questions the published figures and quotas read: scored and locality questions, the
    raking margins' sex and age, and every quota variable."""
    read = [
        q["name"]
        for _page, q in answers.questions(definition)
        if q.get("dimension") or q.get("score_map") or q.get("locality_level")
    ]
    quotas = QuotaTarget.objects.filter(wave=wave).values_list("variable", flat=True)
    return [*read, "sex", "age", *quotas]


@transaction.atomic
def switch_wave_version(*, wave: Wave, version: QuestionnaireVersion) -> VersionSwitch:
    """Roll a newer version of the wave's questionnaire out mid-field.

    Interviews started from now on use it; those already started keep the version they began
    with (Interview.questionnaire_version), which is how the wave page accounts for both. The
    result names the read questions the new version moves or drops, for the user to check.
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
    check_phone_wave(version, locked.mode)
    check_audit_consent(version, locked.audio_audit_percent)  # fieldwork.audits
    own, target = current.definition, version.definition
    moved, gone = answers.moved_or_gone(own, target, _watched_names(locked, own))
    by_name = {q["name"]: q for _page, q in answers.questions(own)}
    locked.questionnaire_version = version
    locked.save(update_fields=["questionnaire_version"])
    wave.questionnaire_version = version
    # Interviews begun on the old version are now read by the new one's paths.
    quota_counts.recount_quotas(wave=locked)
    return VersionSwitch(
        wave=locked,
        moved=[by_name[name] for name in moved if name in by_name],
        gone=[by_name[name] for name in gone if name in by_name],
    )


def _check_quota_variable(wave: Wave, variable: str) -> None:
    """A quota variable names one question, by its path or by a name only it has (or a frame
    column, or age_group): a name several questions share is refused with their paths."""
    definition = definition_of(wave.questionnaire_version)
    try:
        found = answers.find(definition, variable)
    except answers.AmbiguousName as error:
        raise ValidationError(
            _("Several questions are named %(name)s: %(paths)s. Give the path of the one meant.")
            % {"name": variable, "paths": ", ".join(error.paths)}
        ) from error
    if found is None and variable.startswith("/"):
        raise ValidationError(
            _("The questionnaire has no question at %(path)s.") % {"path": variable}
        )


@transaction.atomic
def set_quota_target(
    *, wave: Wave, stratum: str, variable: str, value: str, target: int
) -> QuotaTarget:
    """Create or change one quota cell's target."""
    if target < 0:
        raise ValidationError(_("A target cannot be negative."))
    if not variable.strip() or not value.strip():
        raise ValidationError(_("Name the variable and its value."))
    _check_quota_variable(wave, variable.strip())
    # a frame column a quota cell counts is read with every next case: it cannot stay sealed
    make_plain(draw_id=wave.draw_id, names=[variable.strip()])
    quota_counts.lock_counts(wave)  # the wave before its targets, as every counter takes them
    quota, _created = QuotaTarget.objects.update_or_create(
        wave=wave,
        stratum=stratum.strip(),
        variable=variable.strip(),
        value=value.strip(),
        defaults={"target": target},
    )
    quota_counts.recount_quotas(wave=wave)
    quota.refresh_from_db(fields=["achieved"])
    return quota
