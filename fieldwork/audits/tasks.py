"""The background measurement of an audio audit's speech, after its upload."""

from django_tasks import task

from fieldwork import reactions
from fieldwork.models import AudioAudit, Interview


@task()
def analyse_audio_audit(audit_id: int) -> float | None:
    """Measure one recording's speech; its share, or None (gone, or not decodable)."""
    from fieldwork.audits.services import analyse_audit

    audit = AudioAudit.objects.select_related("interview").filter(pk=audit_id).first()
    if audit is None:
        return None
    analyse_audit(audit=audit)
    if audit.interview.status == Interview.Status.COMPLETED:
        reactions.recording_analysed(audit.interview)  # its checks again, with the speech
    return audit.speech_share
