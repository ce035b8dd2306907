"""The background measurement of an audio audit's speech, after its upload."""

from django_tasks import task

from fieldwork.models import AudioAudit


@task()
def analyse_audio_audit(audit_id: int) -> float | None:
    """Measure one recording's speech; its share, or None (gone, or not decodable)."""
    from fieldwork.audits.services import analyse_audit

    audit = AudioAudit.objects.filter(pk=audit_id).first()
    if audit is None:
        return None
    return analyse_audit(audit=audit).speech_share
