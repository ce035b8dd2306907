"""Loading another system's interviews (an ODK/Kobo/SurveyCTO CSV or XLSX export, collected
with an XLSForm imported here) as an external wave, so that quality control and scoring run
on them as on our own.

The wave is complete when made: one sampled unit, case and completed interview per row, under
the export's interview id (a string); the people who collected them are inactive
interviewer accounts named as in the file, one per name, so per-interviewer checks group them.
Each interview is handed to qc as our completed interviews are. All or nothing: a file with any
problem writes nothing, and the problems name the row, the column and the question.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from common.tables import TableError, read_table
from common.tables.texts import describe_all, limits
from common.translatable import Translatable, gettext_noop, translated
from fieldwork import reactions
from fieldwork.dispositions import COMPLETE
from fieldwork.external.columns import map_columns
from fieldwork.external.rows import ExternalRow, read_rows
from fieldwork.interview.personal_answers import seal_locations
from fieldwork.models import Case, Interview, Mode, Wave, WaveMode
from fieldwork.services import quota_counts
from fieldwork.services.waves import create_wave
from jobs.models import Job
from questionnaires import answers
from questionnaires.models import QuestionnaireVersion
from sampling.models import Draw, Frame, Level, Locality, SampledUnit

MAX_ID_CHARS = 64  # SampledUnit.unit_id
Report = Callable[[float, str], None]  # hears the share done, 0 to 1, and what is being done
LOCALITY_FIELDS = {Level.DISTRICT: "district", Level.STREET: "street", Level.COMMUNITY: "community"}


class ExternalImportError(Exception):
    """The file cannot be loaded; `errors` are sentences in the active language."""

    def __init__(self, errors: list[str]):
        self.errors = [str(e) for e in errors]
        super().__init__("; ".join(self.errors[:5]))


@dataclass
class ExternalOptions:
    """How to read the export: the columns chosen by hand (else recognised by name), the
    street of every interview when no column or question names one, the time zone of times
    written without one, and whether 9/10/2015 is the 9th of October."""

    id_column: str = ""
    interviewer_column: str = ""
    locality_column: str = ""
    street: Locality | None = None
    mode: str = Mode.DOOR
    time_zone: str = ""
    day_first: bool = False
    extra: dict = field(default_factory=dict)


def _fail(problems: list) -> ExternalImportError:
    return ExternalImportError([translated(p, _) for p in problems])


def import_external_wave(
    *,
    name: str,
    client: Organisation,
    version: QuestionnaireVersion,
    data: bytes,
    source_name: str,
    user: User | None,
    options: ExternalOptions | None = None,
    progress: Report | None = None,
    job: Job | None = None,
) -> Wave:
    """The export in `data` (CSV in UTF-8, GBK or UTF-16, or XLSX: read by common.tables)
    as a new closed wave of `client` with `version`. Raises ExternalImportError with every
    problem found, having written nothing. `job`, the background job loading it, is recorded
    on the wave's frame (one wave per job)."""
    options = options or ExternalOptions()
    report = progress or (lambda fraction, message: None)
    report(0.0, _("Reading file"))
    try:
        table = read_table(data, name=source_name, limits=limits("interviews"))
    except TableError as error:
        raise ExternalImportError(describe_all(error)) from None
    definition = version.definition
    mapping, problems = map_columns(
        list(table.frame.columns),
        definition,
        id_column=options.id_column,
        interviewer_column=options.interviewer_column,
        locality_column=options.locality_column,
    )
    if problems:
        raise _fail(problems)
    zone = ZoneInfo(options.time_zone or settings.TIME_ZONE)
    report(0.3, _("Checking rows"))
    rows, problems = read_rows(table.frame, mapping, zone=zone, day_first=options.day_first)
    problems += _long_ids(rows)
    places, locality_problems = _localities(rows, definition, options)
    if problems or locality_problems or not rows:
        raise _fail(problems + locality_problems or [
            Translatable(gettext_noop("The file has no interviews."))])  # fmt: skip
    report(0.6, _("Saving interviews"))
    return _store(name=name, client=client, version=version, rows=rows, places=places,
                  source_name=source_name, user=user, mode=options.mode, job=job)  # fmt: skip


def _long_ids(rows: list[ExternalRow]) -> list[Translatable]:
    return [
        Translatable(
            gettext_noop("Row %(row)s: the interview id is longer than %(n)s characters."),
            row=row.number,
            n=MAX_ID_CHARS,
        )  # fmt: skip
        for row in rows
        if len(row.external_id) > MAX_ID_CHARS
    ]


def _locality_questions(definition: dict) -> dict[str, str]:
    return {
        q["locality_level"]: answers.key(q)
        for _page, q in answers.questions(definition)
        if q.get("locality_level") in LOCALITY_FIELDS
    }


def _localities(
    rows: list[ExternalRow], definition: dict, options: ExternalOptions
) -> tuple[list[dict[str, Locality | None]], list[Translatable]]:
    """Each row's district, street and community: from the chosen column (a code or a name of
    the tree), else the form's locality questions, else the street given for all."""
    questions = _locality_questions(definition)
    wanted = {str(row.answers.get(k)) for row in rows for k in questions.values()} | {
        row.locality for row in rows if row.locality
    }
    known = Locality.objects.select_related("parent__parent").filter(level__in=LOCALITY_FIELDS)
    by_code = {loc.code: loc for loc in known.filter(code__in=wanted)}
    by_name: dict[str, list[Locality]] = {}
    for loc in known.filter(name__in=wanted):
        by_name.setdefault(loc.name, []).append(loc)
    places, problems = [], []
    for row in rows:
        texts = (
            [row.locality]
            if row.locality
            else [str(row.answers.get(k) or "") for k in questions.values()]
        )
        found = [_place(text, by_code, by_name) for text in texts if text]
        lowest = max((f for f in found if f is not None), default=options.street,
                     key=lambda loc: list(LOCALITY_FIELDS).index(loc.level))  # fmt: skip
        place = _up_the_tree(lowest)
        if place.get("street") is None:
            problems.append(_no_street(row, texts))
        places.append(place)
    return places, problems


def _place(text: str, by_code: dict, by_name: dict) -> Locality | None:
    if text in by_code:
        return by_code[text]
    named = by_name.get(text, [])
    return named[0] if len(named) == 1 else None


def _up_the_tree(lowest: Locality | None) -> dict[str, Locality | None]:
    place: dict[str, Locality | None] = dict.fromkeys(LOCALITY_FIELDS.values())
    node = lowest
    while node is not None:
        if node.level in LOCALITY_FIELDS:
            place[LOCALITY_FIELDS[node.level]] = node
        node = node.parent
    return place


def _no_street(row: ExternalRow, texts: list[str]) -> Translatable:
    named = ", ".join(t for t in texts if t)
    if named:
        return Translatable(gettext_noop(
            "Row %(row)s: %(names)s is not one street or community of the locality tree "
            "(by code or by a name no other place has)."), row=row.number, names=named)  # fmt: skip
    return Translatable(gettext_noop(
        "Row %(row)s names no place: choose the column that holds the street or community, "
        "or the street of every interview."), row=row.number)  # fmt: skip


def _collector(name: str, cache: dict[str, User]) -> User:
    """An inactive interviewer account standing for one name of the export."""
    name = name.strip() or "—"
    if name not in cache:
        digest = hashlib.sha256(name.encode()).hexdigest()[:16]
        user, _created = User.objects.get_or_create(
            username=f"external-{digest}",
            defaults={"role": Role.INTERVIEWER, "is_active": False, "first_name": name[:150]},
        )
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        cache[name] = user
    return cache[name]


@transaction.atomic
def _store(*, name, client, version, rows, places, source_name, user, mode, job) -> Wave:
    frame = Frame.objects.create(name=name, path="", source_name=source_name,
                                 n_rows=len(rows), created_by=user, import_job=job)  # fmt: skip
    draw = Draw.objects.create(frame=frame, name=name, stratum_column="street",
                               strata_columns=["street"], n_total=len(rows), seed=0,
                               created_by=user)  # fmt: skip
    SampledUnit.objects.bulk_create(
        [
            SampledUnit(
                draw=draw,
                unit_id=row.external_id,
                stratum=place["street"].code,
                locality=place["community"] or place["street"],
                street=place["street"],
                inclusion_probability=1.0,
                design_weight=1.0,
            )  # fmt: skip
            for row, place in zip(rows, places, strict=True)
        ],
        batch_size=2000,
    )
    wave_mode = WaveMode.PHONE if mode == Mode.PHONE else WaveMode.DOOR
    wave = create_wave(name=name, client=client, questionnaire_version=version, draw=draw,
                       mode=wave_mode)  # fmt: skip
    cases = {c.unit.unit_id: c for c in Case.objects.filter(wave=wave).select_related("unit")}
    collectors: dict[str, User] = {}
    now = timezone.now()
    interviews = []
    for row, place in zip(rows, places, strict=True):
        case = cases[row.external_id]
        case.status, case.disposition = Case.Status.COMPLETED, COMPLETE
        case.interviewer = _collector(row.interviewer, collectors)
        case.attempts = 1
        interviews.append(Interview(
            case=case, questionnaire_version=version, interviewer=case.interviewer, mode=mode,
            status=Interview.Status.COMPLETED, started_at=row.started_at or now,
            completed_at=row.completed_at or now, duration_seconds=row.duration_seconds,
            answers=seal_locations(row.answers, version.definition), paradata=[],
            district=place["district"], street=place["street"],
            community=place["community"]))  # fmt: skip
    Case.objects.bulk_update(list(cases.values()), ["status", "disposition", "interviewer",
                                                    "attempts"], batch_size=2000)  # fmt: skip
    created = Interview.objects.bulk_create(interviews, batch_size=2000)
    quota_counts.count_completes(wave=wave, interviews=created)  # a new wave: no target yet
    wave.status = Wave.Status.CLOSED
    wave.save(update_fields=["status"])
    for interview in created:
        transaction.on_commit(lambda i=interview: reactions.interview_completed(i), robust=True)
    return wave
