"""Audio audits: the wave's setting, storing a page's recording, measuring its speech."""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from common import speech
from fieldwork.audits.selection import consent_question
from fieldwork.interview.media import Capture, media_path, store_captures
from fieldwork.models import AudioAudit, Interview, Wave, WaveMode
from questionnaires.definitions import definition_of
from questionnaires.models import QuestionnaireVersion


def check_audit_consent(version: QuestionnaireVersion, percent: int) -> None:
    """A wave with audio audits needs a questionnaire that asks for consent first."""
    if percent and consent_question(definition_of(version)) is None:
        raise ValidationError(
            _(
                "Audio audits record only after the respondent agrees, so the questionnaire "
                "needs a question named “consent” answered yes first; this questionnaire has "
                "none. Add it, or switch audio audits off."
            )
        )


@transaction.atomic
def set_audio_audits(*, wave: Wave, actor: User, percent: int, pages_percent: int) -> Wave:
    """Record `percent` % of the wave's door interviews, `pages_percent` % of their pages."""
    if actor.role not in (Role.SUPERVISOR, Role.ANALYST):
        raise ValidationError(_("Only supervisors and analysts set audio audits."))
    if not 0 <= percent <= 100 or not 1 <= pages_percent <= 100:
        raise ValidationError(
            _("Give the share of interviews from 0 to 100 % and of pages from 1 to 100 %.")
        )
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if percent and locked.mode == WaveMode.PHONE:
        raise ValidationError(_("Audio audits are for door-to-door interviews; this wave calls."))
    check_audit_consent(locked.questionnaire_version, percent)
    locked.audio_audit_percent, locked.audio_audit_pages_percent = percent, pages_percent
    locked.save(update_fields=["audio_audit_percent", "audio_audit_pages_percent"])
    return locked


@transaction.atomic
def store_audit_clip(*, interview: Interview, step: str, clip: Capture) -> AudioAudit:
    """Keep a page's recording (once, however often the page is sent) and queue its analysis
    for when the transaction has committed."""
    store_captures(interview_id=interview.pk, values=[clip])
    audit, created = AudioAudit.objects.get_or_create(
        interview=interview, name=str(clip), defaults={"step": step, "size": len(clip.content)}
    )
    if created:
        from fieldwork.audits.tasks import analyse_audio_audit

        transaction.on_commit(lambda: analyse_audio_audit.enqueue(audit.pk))
    return audit


def analyse_audit(*, audit: AudioAudit) -> AudioAudit:
    """Measure the recording's speech (common.speech) and keep the counts, or why it failed."""
    with default_storage.open(media_path(audit.interview_id, audit.name), "rb") as file:
        data = file.read()
    try:
        found = speech.analyse(data)
    except speech.SpeechError as error:
        audit.error = str(error)[:200]
        audit.frames = audit.speech_frames = audit.seconds = None
    else:
        audit.error = ""
        audit.seconds, audit.frames = found.seconds, found.frames
        audit.speech_frames = found.speech_frames
    audit.analysed_at = timezone.now()
    audit.save(update_fields=["error", "seconds", "frames", "speech_frames", "analysed_at"])
    return audit


def speech_shares(interview_ids: list[int]) -> dict[int, float]:
    """{interview: share of its analysed audit frames with speech}, for the QC rules."""
    if not interview_ids:
        return {}
    rows = (
        AudioAudit.objects.filter(interview_id__in=interview_ids, frames__gt=0)
        .values("interview_id")
        .annotate(frames=Sum("frames"), speech=Sum("speech_frames"))
    )
    return {row["interview_id"]: (row["speech"] or 0) / row["frames"] for row in rows}
