"""Frozen, signed editions of a wave's results: the use-cases (one per action, atomic).

freeze_edition   an analyst freezes the wave's results as they stand: the report dict, the
                 final weights, the PDF and the workbook, and a SHA-256 hash of the inputs
                 (every approved answer's score and weight); a new draft numbered after the
                 last edition. Freezing again with unchanged inputs is refused.
sign_off         a second person (an analyst or supervisor other than the one who froze
                 it) signs a draft off; clients then read it (scoring.views).
The differences between two editions: scoring.edition_diff.
"""

import hashlib
import math

from django.contrib.staticfiles import finders
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from common import spreadsheets
from common.i18n import ui_language_code
from fieldwork.models import Wave
from scoring.models import Edition
from scoring.report import pdf, tables
from scoring.results import cached_results
from scoring.weighting import weighted_sample

REPORT_FONT = "fonts/wqy-microhei.ttc"
SIGNERS = (Role.ANALYST, Role.SUPERVISOR)


class EditionError(ValueError):
    """An edition action that cannot be taken; the message says why, in the reader's
    language."""


def input_hash(*, wave: Wave) -> tuple[str, dict[str, float]]:
    """(SHA-256 of the inputs, {interview id: final weight}): the approved answers' scores
    and weights, in a fixed order."""
    sample = weighted_sample(wave=wave)
    long = sample.long
    digest = hashlib.sha256()
    if not long.empty:
        columns = long[["interview_id", "item", "score", "weight"]]
        ordered = columns.sort_values(["interview_id", "item"]).to_csv(index=False)
        digest.update(ordered.encode())
    weights = {}
    if sample.design is not None:
        design, row_of = sample.design
        weights = {str(i): float(design.weights[row]) for i, row in row_of.items()}
    digest.update(repr(sorted(weights.items())).encode())
    return digest.hexdigest(), weights


@transaction.atomic
def freeze_edition(*, wave: Wave, user: User) -> Edition:
    """A new draft edition of the wave's current results (see the module docstring)."""
    if user.role != Role.ANALYST:
        raise EditionError(_("Only an analyst can freeze an edition."))
    Wave.objects.select_for_update().get(pk=wave.pk)
    digest, weights = input_hash(wave=wave)
    last = wave.editions.order_by("-number").first()
    if last is not None and last.input_hash == digest:
        raise EditionError(
            _("Nothing changed since edition %(n)s: it already holds these results.")
            % {"n": last.number}
        )
    report = cached_results(wave)
    data = {**report, "interim_note": ""}
    content = pdf.render_report(data, font_path=finders.find(REPORT_FONT))
    workbook = spreadsheets.workbook_bytes(
        tables.report_tables(data),
        properties={
            "title": f"{wave.name} · {data['labels']['title']}",
            "creator": wave.client.name,
        },
    )
    number = (wave.editions.aggregate(n=Max("number"))["n"] or 0) + 1
    return Edition.objects.create(
        wave=wave,
        number=number,
        input_hash=digest,
        language=ui_language_code(),
        report=_json_safe(report),
        weights=weights,
        pdf=content,
        xlsx=workbook,
        frozen_by=user,
    )


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
