"""The interview page's part in an audio audit: whether a page records, and keeping what it
recorded once the page is saved."""

from django.core.exceptions import ValidationError

from fieldwork.audits import selection
from fieldwork.audits.services import store_audit_clip
from fieldwork.interview.media import Capture, MediaField
from fieldwork.models import AudioAudit, Interview
from questionnaires import answers

AUDIT_FIELD = "audit_audio"  # the page's recording, a data URL, posted with the page


def page_audit(interview: Interview, definition: dict, step: str) -> dict | None:
    """What the page needs to record (None: this page is not recorded): the consent
    question's name, whether consent is already given, and the codes that mean yes."""
    wave = interview.case.wave
    audited = selection.is_audited(
        interview_id=interview.pk, mode=interview.mode, percent=wave.audio_audit_percent
    )
    question = selection.consent_question(definition) if audited else None
    if question is None or not selection.page_recorded(
        interview_id=interview.pk, step=step, pages_percent=wave.audio_audit_pages_percent
    ):
        return None
    return {
        "field": AUDIT_FIELD,
        "consent_name": question["name"],
        "consented": selection.consented(answers.get(interview.answers, question)),
        "yes": " ".join(selection.yes_codes(definition, question)),
    }


def keep_page_recording(
    interview: Interview, definition: dict, step: str, posted: str | None
) -> AudioAudit | None:
    """Store the recording a saved page sent, if the page records and the saved answers say
    the respondent consented; anything else (no consent, not audio, too big) is dropped."""
    if not posted or page_audit(interview, definition, step) is None:
        return None
    question = selection.consent_question(definition)
    if not selection.consented(answers.get(interview.answers, question)):
        return None  # never kept without consent, whatever the browser sent
    try:
        clip = MediaField(kind="audio", required=False).clean(posted)
    except ValidationError:
        return None
    if not isinstance(clip, Capture):
        return None
    return store_audit_clip(interview=interview, step=step, clip=clip)
