"""A wave's processing record (个人信息处理记录 / impact assessment support, PIPL art. 55–56):
what is generated from the wave and the system's configuration, merged with what the firm has
written in its ProcessingRecord. The page and the PDF present the same dict."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from fieldwork.interview.media import door_only_questions
from fieldwork.models import ProcessingRecord, Wave, WaveMode
from fieldwork.telephony import gateway
from questionnaires.definitions import definition_of

EDITABLE = (
    "purposes",
    "legal_basis",
    "contract_reference",
    "protection_officer",
    "telephony_provider",
    "storage_location",
    "other_safeguards",
    "risks",
    "conclusion",
    "assessed_on",
)


def record_of(wave: Wave) -> ProcessingRecord:
    """The wave's stored record, or an empty unsaved one."""
    return ProcessingRecord.objects.filter(wave=wave).first() or ProcessingRecord(wave=wave)


def default_purposes(wave: Wave) -> str:
    return _(
        "To measure residents' sense of safety and satisfaction for %(client)s: drawing a "
        "sample of households, contacting them by phone or at home, interviewing them, "
        "checking the quality of the interviews and computing weighted results."
    ) % {"client": wave.client.name}


def default_legal_basis(wave: Wave) -> str:
    return _(
        "Processing entrusted by %(client)s (PIPL art. 21); the respondents' consent is asked "
        "at the start of each interview (art. 13); personal information is returned or deleted "
        "at the end of the entrustment."
    ) % {"client": wave.client.name}


def categories(wave: Wave) -> list[dict]:
    """The kinds of personal information the wave holds, where and why."""
    rows = []
    if wave.mode in (WaveMode.PHONE, WaveMode.MIXED):
        rows.append({
            "what": _("Phone numbers of sampled households"),
            "where": _("sampling frame, drawn sample, calls"),
            "why": _("to call the household"),
        })  # fmt: skip
    if wave.mode in (WaveMode.DOOR, WaveMode.MIXED):
        rows.append({
            "what": _("Addresses of sampled households"),
            "where": _("sampling frame, drawn sample, visits"),
            "why": _("to visit the household"),
        })  # fmt: skip
        rows.append({
            "what": _("Position of each door visit (GPS)"),
            "where": _("visits"),
            "why": _("to check that the visit took place"),
        })  # fmt: skip
        rows.append({
            "what": _("Household members' sex and age"),
            "where": _("household roster"),
            "why": _("to select the respondent at random"),
        })  # fmt: skip
    if door_only_questions(definition_of(wave.questionnaire_version)):
        rows.append({
            "what": _("Photos and recordings taken during door interviews"),
            "where": _("file storage"),
            "why": _("quality control of door interviews"),
        })  # fmt: skip
    if gateway.is_configured():
        rows.append({
            "what": _("Call recordings"),
            "where": _("telephony provider"),
            "why": _("quality control of phone interviews"),
        })  # fmt: skip
    rows.append({
        "what": _("Answers to the questionnaire"),
        "where": _("interviews"),
        "why": _("the survey's results (kept without identifiers after the purge)"),
    })  # fmt: skip
    return rows


def _storage() -> str:
    if settings.S3_BUCKET:
        return _("S3-compatible object storage, bucket %(bucket)s") % {"bucket": settings.S3_BUCKET}
    return _("the firm's server: the database and a file directory")


def processors(wave: Wave, stored: ProcessingRecord) -> list[dict]:
    firms = ", ".join(
        Organisation.objects.filter(kind=Organisation.Kind.FIRM).values_list("name", flat=True)
    )
    if stored.telephony_provider:
        telephony = stored.telephony_provider
    elif gateway.is_configured():
        telephony = _("Twilio (calls placed by the server; numbers never shown)")
    else:
        telephony = _("none: interviewers dial by hand, each number shown being recorded")
    return [
        {"role": _("Entrusting party (client)"), "name": wave.client.name},
        {"role": _("Entrusted processor (evaluation firm)"), "name": firms or "—"},
        {"role": _("Telephony"), "name": telephony},
        {"role": _("Storage"), "name": stored.storage_location or _storage()},
    ]


def safeguards(stored: ProcessingRecord) -> list[str]:
    rows = [
        _("Phone numbers masked on every page; shown in full only in manual dialling, each "
          "time recorded and rate-limited"),
        _("Access by role: interviewers see their own cases, clients their own waves' "
          "results, supervisors their team's work"),
        _("Respondent-level exports leave out phone numbers, names, addresses and positions"),
        _("Two-step verification required of analysts"),
        _("Append-only audit log of sign-ins, number reveals, downloads and decisions, kept "
          "%(days)s days") % {"days": settings.AUDIT_RETENTION_DAYS},
        _("Logs mask phone numbers"),
        _("Phone numbers, addresses and household members' names encrypted at rest under keys "
          "kept outside the database; numbers matched by keyed hashes"),
        _("Personal data purged per wave on request, with a certificate of what was removed"),
    ]  # fmt: skip
    if stored.other_safeguards:
        rows.append(stored.other_safeguards)
    return rows


def processing_record(wave: Wave) -> dict:
    """Everything the page and the PDF show."""
    stored = record_of(wave)
    return {
        "wave": wave,
        "stored": stored,
        "generated_at": timezone.localtime(),
        "categories": categories(wave),
        "purposes": stored.purposes or default_purposes(wave),
        "legal_basis": stored.legal_basis or default_legal_basis(wave),
        "retain_until": wave.retain_until,
        "processors": processors(wave, stored),
        "safeguards": safeguards(stored),
        "cases": wave.cases.count(),
        "fields": {name: getattr(stored, name) for name in EDITABLE},
    }
