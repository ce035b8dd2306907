"""Purging a wave's personal data: a dry run of what would go, the purge itself as a job (every
registered holder, in one transaction), and its certificate.

Never automatic: an analyst starts it from the wave's personal-data page after confirming.
What remains is checked, not assumed: the checksum of what the wave's results are computed
from (scoring.editions.input_hash) is taken before and after, and a purge that would change it
is rolled back.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit import services as audit
from audit.kinds import Kind
from common.personal.registry import Holder, Outcome, Scope, holders
from fieldwork.models import Case, Interview, Wave
from jobs.models import Job
from jobs.runner import JobFailed, Progress
from jobs.services import start_job
from privacy import certificate
from privacy.models import Purge
from sampling.models import SampledUnit
from scoring.editions import input_hash
from scoring.loaders import AnswerError

logger = logging.getLogger(__name__)

PURGE = "privacy.purge"
NO_WAVE = gettext_lazy("The wave no longer exists.")
IN_FIELDWORK = gettext_lazy(
    "The wave is still in fieldwork: close it before purging its respondents' personal data."
)
CHANGED = gettext_lazy(
    "The purge was undone: it would have changed what the wave's results are computed from."
)


def scope_for(wave: Wave) -> Scope:
    purged = Purge.objects.exclude(wave=None).values_list("wave_id", flat=True)
    return Scope(wave_id=wave.pk, purged_wave_ids=frozenset(purged) - {wave.pk})


def dry_run(*, wave: Wave) -> list[dict[str, Any]]:
    """What a purge of the wave would remove now: one row per registered holder."""
    scope = scope_for(wave)
    return [_row(holder, holder.count(scope)) for holder in holders()]


def _row(holder: Holder, count: int) -> dict[str, Any]:  # in the reader's language
    return {
        "key": holder.key,
        "what": str(holder.what),
        "where": str(holder.where),
        "kept": str(holder.kept),
        "files": holder.files,
        "count": count,
    }


def start_purge(*, wave: Wave, user: User) -> Job:
    """Queue the purge of the wave's personal data (one at a time per wave)."""
    return start_job(
        kind=PURGE,
        params={"wave_id": wave.pk},
        subject=wave.name,
        user=user,
        dedupe_key=f"{PURGE}:{wave.pk}",
    )


def run_purge(job: Job, progress: Progress) -> dict:
    """The purge job's body (privacy.tasks)."""
    wave = Wave.objects.filter(pk=job.params.get("wave_id")).first()
    if wave is None:
        raise JobFailed(NO_WAVE)
    purge = purge_wave(wave=wave, user=job.created_by, progress=progress)
    return {
        "purge_id": purge.pk,
        "removed": sum(purge.counts.values()),
        # what could not be deleted (also in the certificate); a later purge tries it again
        "not_removed": certificate.not_removed(purge.certificate),
    }


def _results_checksum(wave: Wave) -> str:
    try:
        return input_hash(wave=wave)[0]
    except AnswerError:  # answers the questionnaire cannot score: there are no results
        return ""


def remaining_checksums(wave: Wave) -> dict[str, str]:
    """SHA-256 of what a purge keeps: the results' inputs (approved answers and final
    weights), every interview's answers, the cases' outcomes and the sample's design."""
    interviews = Interview.objects.filter(case__wave=wave).order_by("pk")
    cases = Case.objects.filter(wave=wave).order_by("pk")
    units = SampledUnit.objects.filter(cases__wave=wave).distinct().order_by("pk")
    return {
        "results_inputs": _results_checksum(wave),
        "interview_answers": _digest(interviews.values_list("pk", "status", "answers")),
        "case_outcomes": _digest(cases.values_list("pk", "status", "disposition")),
        "sample_design": _digest(
            units.values_list(
                "unit_id", "stratum", "replicate", "inclusion_probability", "design_weight"
            )
        ),
    }


def _digest(rows) -> str:
    digest = hashlib.sha256()
    for row in rows.iterator(chunk_size=2000):
        digest.update(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def purge_wave(*, wave: Wave, user: User | None, progress: Progress | None = None) -> Purge:
    """Remove every registered holder's personal data of the wave, in one transaction, and
    write the certificate. Files go once the transaction commits."""
    if wave.status == Wave.Status.FIELDWORK:
        raise JobFailed(IN_FIELDWORK)
    report = progress or (lambda done, total, message: None)
    steps = len(holders()) + 2
    before = _results_checksum(wave)
    elsewhere = _delete_elsewhere(scope_for(wave), report, steps)
    stored: list[str] = []
    try:
        with transaction.atomic():
            Wave.objects.select_for_update().filter(pk=wave.pk).first()  # one purge at a time
            scope = replace(scope_for(wave), elsewhere=elsewhere)
            counts, outcomes = {}, {}
            for step, holder in enumerate(holders(), start=1):
                report(step, steps, str(holder.what))
                outcome = _outcome(holder.purge(scope))
                counts[holder.key], outcomes[holder.key] = outcome.removed, outcome
            report(steps - 1, steps, _("Checking what remains"))
            remaining = remaining_checksums(wave)
            if remaining["results_inputs"] != before:
                raise JobFailed(CHANGED)
            purge = Purge.objects.create(
                wave=wave,
                wave_name=wave.name,
                purged_by=user,
                purged_at=timezone.now(),
                counts=counts,
            )
            purge.certificate = certificate.as_json(purge, holders(), remaining, outcomes)
            stored.append(_store_pdf(purge))
            purge.pdf_path = stored[0]
            purge.save(update_fields=["certificate", "pdf_path"])
            purge_completed(purge)
    except BaseException:
        for path in stored:  # the certificate of a purge that did not happen
            default_storage.delete(path)
        raise
    report(steps, steps, _("Done"))
    return purge


def _delete_elsewhere(scope: Scope, report: Callable[..., None], steps: int) -> dict[str, Outcome]:
    """What other services keep (recordings at Twilio) deleted there, before the database's
    transaction opens: a slow or silent service holds no lock. Should the purge then be undone,
    what went there is simply gone (a later purge finds it gone and counts it so)."""
    done = {}
    for holder in holders():
        if holder.elsewhere is not None:
            report(0, steps, str(holder.what))
            done[holder.key] = holder.elsewhere(scope)
            logger.info(
                "purge of wave %s: %s deleted at another service, %s not",
                scope.wave_id,
                len(done[holder.key].done),
                len(done[holder.key].failed),
            )
    return done


def _outcome(result: int | Outcome) -> Outcome:
    return result if isinstance(result, Outcome) else Outcome(removed=result)


def _store_pdf(purge: Purge) -> str:
    content = certificate.render_pdf(purge.certificate)
    name = f"privacy/purge-{purge.pk}-wave-{purge.wave_id}.pdf"
    return default_storage.save(name, ContentFile(content))


def purge_completed(purge: Purge) -> None:
    """The one place a purge completes (inside its transaction): the audit log records it
    here; the wave's retention reminder is answered."""
    Wave.objects.filter(pk=purge.wave_id).update(retention_reminded_at=None)
    audit.record(
        Kind.PURGE,
        actor=purge.purged_by,
        wave=purge.wave_id,
        subject=purge.wave_name,
        detail={"counts": purge.counts},
    )


def certificate_text(purge: Purge) -> str:
    """The certificate as the JSON file handed over."""
    with translation.override("en"):
        return json.dumps(purge.certificate, ensure_ascii=False, indent=2, sort_keys=True)
