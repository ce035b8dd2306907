"""Audio audits of door-to-door interviews: the recordings, one per page recorded."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fieldwork.models.interviews import Interview


class AudioAudit(models.Model):
    """A page of a door-to-door interview recorded in the browser for quality control, after
    the respondent consented (fieldwork.audits). The file is in the file storage under the
    interview (fieldwork.interview.media.media_path), named by its content's hash; its speech
    is measured after upload (common.speech), by a background job."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="audio_audits")
    step = models.CharField(_("page"), max_length=100)
    name = models.CharField(_("file"), max_length=80)
    size = models.PositiveIntegerField(_("bytes"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    seconds = models.FloatField(_("length (s)"), null=True, blank=True)
    frames = models.PositiveIntegerField(_("frames analysed"), null=True, blank=True)
    speech_frames = models.PositiveIntegerField(_("frames with speech"), null=True, blank=True)
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True)
    error = models.CharField(_("analysis error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("audio audit")
        verbose_name_plural = _("audio audits")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "name"], name="fieldwork_audio_audit_file")
        ]

    def __str__(self) -> str:
        return f"{self.interview_id}:{self.step}"

    @property
    def speech_share(self) -> float | None:
        if not self.frames:
            return None
        return (self.speech_frames or 0) / self.frames
