"""Frozen, signed editions of a wave's results: the use-cases (one per action, atomic).

freeze_edition   an analyst freezes the wave's results as they stand: the report dict, the
                 final weights, the PDF and the workbook, and a SHA-256 hash of the inputs
                 (every approved answer's score and weight), with every district's part
                 (its report, PDF and workbook in the file storage); a new draft numbered
                 after the last edition. Freezing again with unchanged inputs is refused.
                 Run by a job (scoring.edition_jobs), never in a request.
sign_off         a second person (an analyst or supervisor other than the one who froze
                 it) signs a draft off; clients then read it (scoring.views).
The differences between two editions: scoring.edition_diff.
"""

import math
from collections.abc import Callable

from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.kinds import Kind
from audit.services import record
from common import spreadsheets
from common.i18n import ui_language_code
from fieldwork.models import Wave
from sampling.models import Locality
from scoring import frozen_tables, presenters
from scoring.edition_causes import draft_cause
from scoring.index import composite as index_composite
from scoring.index import presenters as index_presenters
from scoring.index import services as index_services
from scoring.models import ClientDistrict, DistrictEdition, Edition
from scoring.report import tables
from scoring.report.district import district_report, districts_of
from scoring.results import cached_results, round_tables
from scoring.states import one_read_per_wave, state_key
from scoring.weighting import inputs_digest, weighted_sample

REPORT_FONT = "fonts/wqy-microhei.ttc"
SIGNERS = (Role.ANALYST, Role.SUPERVISOR)


class EditionError(ValueError):
    """An edition action that cannot be taken; the message says why, in the reader's
    language."""


def input_hash(*, wave: Wave) -> tuple[str, dict[str, float]]:
    """(SHA-256 of the inputs, {interview id: final weight}): scoring.weighting.inputs_digest
    of the wave's weighted sample."""
    return inputs_digest(weighted_sample(wave=wave))


def freeze_edition(
    *,
    wave: Wave,
    user: User | None,
    job_id: int | None = None,
    progress: Callable[..., None] | None = None,
) -> Edition:
    """A new draft edition of the wave's current results (see the module docstring), with
        every district's part (scoring.report.district). `user` None: the results job froze it
        by itself after a later decision (scoring.edition_jobs), and the draft records what
    caused it (scoring.edition_causes). The reports are rendered first
        (reporting `progress(done, total, message)`), then written in one transaction."""
    if user is not None and user.role != Role.ANALYST:
        raise EditionError(_("Only an analyst can freeze an edition."))
    step = progress or (lambda *args, **kwargs: None)
    step(0, None, _("Checking the inputs"), force=True)
    inputs_state, (digest, weights), report, kept_tables = _edition_figures(wave)
    cause = {}
    if user is None:  # an automatic draft: what changed since the edition before it
        last = wave.editions.order_by("-number").first()
        cause = draft_cause(wave=wave, since=last.frozen_at if last is not None else None)
    districts = district_parts(wave, report)
    total = len(districts) + 1
    step(0, total, _("Rendering the wave's report"), force=True)
    content, workbook = report_files(wave, {**report, "interim_note": ""})
    files = []
    for done, (code, name, part) in enumerate(districts, start=1):
        step(done, total, _("Rendering the report of %(district)s") % {"district": name})
        files.append((code, name, part, *report_files(wave, part)))
    step(total, total, _("Storing the edition"), force=True)
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        _refuse_unchanged(wave, digest)
        number = (wave.editions.aggregate(n=Max("number"))["n"] or 0) + 1
        edition = Edition.objects.create(
            wave=wave,
            number=number,
            input_hash=digest,
            language=ui_language_code(),
            report=_json_safe(report),
            weights=weights,
            pdf=content,
            xlsx=workbook,
            frozen_by=user,
            job_id=job_id,
            cause=cause,
            inputs_state=inputs_state,
            tables=kept_tables,
        )
        for code, name, part, pdf_bytes, xlsx_bytes in files:
            store_district(edition, code, name, part, pdf_bytes, xlsx_bytes)
        detail = {"edition": number, "districts": len(files), "automatic": user is None}
        record(Kind.EDITION_FROZEN, actor=user, wave=wave, subject=wave.name, detail=detail)
    return edition


@one_read_per_wave()  # the hash, results, index and kept tables: one read of each round
def _edition_figures(wave: Wave) -> tuple[str, tuple[str, dict], dict, dict]:
    """(inputs state, input_hash, report with its index, the round's tables as JSON) of an
    edition, all from one read of each round in one state. Refused (EditionError) when the
    newest edition holds these inputs already. The reads are let go before the reports are
    drawn."""
    digest, weights = input_hash(wave=wave)
    inputs_state = state_key(wave)  # the state of that one read, which every part comes from
    _refuse_unchanged(wave, digest)
    report = {**cached_results(wave), "index": index_parts(wave)}
    kept_tables = frozen_tables.tables_to_json(round_tables(wave))  # for later rounds' trend
    return inputs_state, (digest, weights), report, kept_tables


def _refuse_unchanged(wave: Wave, digest: str) -> None:
    last = wave.editions.order_by("-number").first()
    if last is not None and last.input_hash == digest:
        raise EditionError(
            _("Nothing changed since edition %(n)s: it already holds these results.")
            % {"n": last.number}
        )


@one_read_per_wave()  # both levels and the round before: one read of each round
def index_parts(wave: Wave) -> dict:
    """The composite index page's figures at each level, as an edition keeps them (clients
    read the signed edition's index, never the live one)."""
    levels = {}
    for level in index_services.LEVELS:
        try:
            levels[level] = (
                index_composite.composite_index(wave=wave, level=level),
                index_composite.short_boards(wave=wave, level=level),
            )
        except index_services.IndexInputError as error:
            levels[level] = "\n".join(error.texts())
    return index_presenters.frozen_index(wave, levels)


def district_parts(wave: Wave, report: dict) -> list[tuple[str, str, dict]]:
    """(code, name, report dict) of every district of the wave's results."""
    labels = presenters.district_labels()
    return [
        (code, name, {**district_report(report, code, labels), "interim_note": ""})
        for code, name in districts_of(report)
    ]


def report_files(wave: Wave, data: dict) -> tuple[bytes, bytes]:
    """(PDF, XLSX) of a report dict (the wave's or a district's)."""
    # reportlab (and its fonts) only in the processes that draw a PDF, not in every web worker
    from scoring.report import pdf

    content = pdf.render_report(data, font_path=finders.find(REPORT_FONT))
    workbook = spreadsheets.workbook_bytes(
        tables.report_tables(data),
        properties={
            "title": f"{data['wave']['name']} · {data['labels']['title']}",
            "creator": wave.client.name,
        },
    )
    return content, workbook


def store_district(
    edition: Edition, code: str, name: str, part: dict, content: bytes, workbook: bytes
) -> DistrictEdition:
    """Write a district's files to the file storage and its row (inside the caller's
    transaction)."""
    row = DistrictEdition(edition=edition, code=code, name=name, report=_json_safe(part))
    row.pdf.save(f"district-{code}.pdf", ContentFile(content), save=False)
    row.xlsx.save(f"district-{code}.xlsx", ContentFile(workbook), save=False)
    row.save()
    return row


@transaction.atomic
def sign_off(*, edition: Edition, user: User) -> Edition:
    """Sign a draft off: by an analyst or supervisor who did not freeze it."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if user.role not in SIGNERS:
        raise EditionError(_("Only an analyst or a supervisor can sign an edition off."))
    if edition.state != Edition.State.DRAFT:
        raise EditionError(_("Edition %(n)s is already signed off.") % {"n": edition.number})
    if edition.frozen_by_id == user.pk:
        raise EditionError(_("A second person signs off: you froze this edition."))
    edition.state = Edition.State.SIGNED
    edition.signed_by = user
    edition.signed_at = timezone.now()
    edition.save(update_fields=["state", "signed_by", "signed_at"])
    detail = {"edition": edition.number}
    record(Kind.EDITION_SIGNED, actor=user, wave=edition.wave_id, subject=str(edition.wave),
           detail=detail)  # fmt: skip
    return edition


def _json_safe(value):
    """The report with every NaN or infinite number as None (JSON has none of them) and
    tuples as lists."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def latest_signed(wave: Wave) -> Edition | None:
    return wave.editions.filter(state=Edition.State.SIGNED).order_by("-number").first()


def client_district(user: User) -> Locality | None:
    """The district a client user is limited to (scoring.models.ClientDistrict), or None."""
    row = ClientDistrict.objects.filter(user=user).select_related("district").first()
    return row.district if row is not None else None


def edition_report(edition: Edition | None, district: Locality | None) -> dict | None:
    """What a client reads of a signed edition: the wave's report, or for a district
    sub-client its district's part (None when the edition has no part for it)."""
    if edition is None:
        return None
    if district is None:
        return edition.report
    part = edition.districts.filter(code=district.code).first()
    return part.report if part is not None else None


def edition_file_bytes(field) -> bytes:
    """The bytes of an edition's file: the wave's are kept in the row, a district's in the
    file storage."""
    if isinstance(field, bytes | memoryview | bytearray):
        return bytes(field)
    with field.open("rb") as file:
        return file.read()
