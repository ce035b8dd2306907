"""A purge's certificate: what went, how many, when, by whom, and the checksums of what
remains, in Chinese and English (JSON, and a PDF drawn by privacy.certificate_pdf)."""

from collections.abc import Mapping, Sequence
from importlib.metadata import version as package_version

from django.contrib.staticfiles import finders
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.personal.registry import Failure, Holder, Outcome
from common.translatable import Translatable
from privacy.models import Purge

LANGUAGES = ("zh-hans", "en")
FONT = "fonts/wqy-microhei.ttc"  # the CJK font the reports use


def _both(text) -> dict[str, str]:
    """A lazy text in every language of the certificate."""
    found = {}
    for language in LANGUAGES:
        with translation.override(language):
            found[language] = str(text)
    return found


INCOMPLETE = _(
    "Not everything could be deleted: the items listed as not removed remain, and a later "
    "purge of this wave tries them again. Every other registered kind of personal data of this "
    "wave was deleted; the anonymous answers, weights and results remain and can be reproduced."
)


def _labels() -> dict[str, dict[str, str]]:
    texts = {
        "title": _("Certificate of deletion of personal data"),
        "wave": _("Wave"),
        "purged_at": _("Purged at"),
        "purged_by": _("Purged by"),
        "what": _("Personal data"),
        "where": _("Where it was kept"),
        "count": _("Items removed"),
        "kept": _("What stays"),
        "total": _("Total removed"),
        "deleted_elsewhere": _("Deleted at the service that kept them"),
        "not_removed": _("Not removed, and why"),
        "remaining": _("Checksums of what remains (SHA-256)"),
        "results_inputs": _("What the results are computed from"),
        "interview_answers": _("Interview answers"),
        "case_outcomes": _("Case outcomes"),
        "sample_design": _("Sample design"),
        "statement": _(
            "Every registered kind of personal data of this wave was deleted from the "
            "database and the file storage; the anonymous answers, weights and results remain "
            "and can be reproduced."
        ),
    }
    return {key: _both(value) for key, value in texts.items()}


def as_json(
    purge: Purge,
    registered: Sequence[Holder],
    remaining: dict[str, str],
    outcomes: Mapping[str, Outcome] | None = None,
) -> dict:
    """The certificate as plain data (stored on the purge and handed over as JSON). Per
    holder, `deleted_elsewhere` names what was deleted at another service (recordings at
    Twilio) and `failed` what could not be removed, with why; `complete` is False when
    anything failed, and the statement says so."""
    user = purge.purged_by
    labels = _labels()
    outcomes = outcomes or {}
    failed = [item for outcome in outcomes.values() for item in outcome.failed]
    if failed:
        labels["statement"] = _both(INCOMPLETE)
    return {
        "certificate": "personal-data-purge",
        "id": purge.pk,
        "wave": {"id": purge.wave_id, "name": purge.wave_name},
        "purged_at": timezone.localtime(purge.purged_at).replace(microsecond=0).isoformat(),
        "purged_by": {
            "username": user.get_username() if user else "",
            "name": user.get_full_name() if user else "",
        },
        "removed": [
            {
                "key": holder.key,
                "what": _both(holder.what),
                "where": _both(holder.where),
                "kept": _both(holder.kept) if holder.kept else {},
                "files": holder.files,
                "count": purge.counts.get(holder.key, 0),
                "deleted_elsewhere": list(getattr(outcomes.get(holder.key), "done", ())),
                "failed": [_failure(f) for f in getattr(outcomes.get(holder.key), "failed", ())],
            }
            for holder in registered
        ],
        "total_removed": sum(purge.counts.values()),
        "complete": not failed,
        "total_not_removed": len(failed),
        "remaining_sha256": remaining,
        "labels": labels,
        "software": {"Django": package_version("Django")},
    }


def _failure(failure: Failure) -> dict:
    """An item not removed as the certificate keeps it: its id at the other service, what it
    is and why as msgid and parameters (shown in each reader's language), and the whole line
    in the certificate's languages."""
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            texts[language] = _line(failure.label, failure.why)
    return {
        "item": failure.item,
        "label": {"msgid": failure.label.template, "params": failure.label.params},
        "why": {"msgid": failure.why.template, "params": failure.why.params},
        "text": texts,
    }


def not_removed(data: dict) -> list[dict]:
    """What a purge could not remove (a recording Twilio did not delete), each with why, from
    its certificate (as_json's dict)."""
    return [item for row in data.get("removed", []) for item in row.get("failed", [])]


def not_removed_text(item: dict | str) -> str:
    """An item not removed, in the active language (a certificate made before items were kept
    as messages holds its line as text)."""
    if isinstance(item, str):
        return item
    label, why = (Translatable(item[k]["msgid"], **item[k]["params"]) for k in ("label", "why"))
    return _line(label, why)


def _line(label: Translatable, why: Translatable) -> str:
    return gettext("%(what)s: %(why)s") % {
        "what": label.translate(gettext),
        "why": why.translate(gettext),
    }


def render_pdf(data: dict) -> bytes:
    from privacy import certificate_pdf  # reportlab: only a worker drawing a PDF loads it

    return certificate_pdf.render(data, font_path=finders.find(FONT))
