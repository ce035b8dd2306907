"""The wave's audio-audit setting."""

from django import forms
from django.utils.translation import gettext_lazy

from fieldwork.models import Wave


class AudioAuditForm(forms.Form):
    percent = forms.IntegerField(
        label=gettext_lazy("Door interviews recorded (%, 0: off)"), min_value=0, max_value=100
    )
    pages_percent = forms.IntegerField(
        label=gettext_lazy("Pages recorded in them (%, 100: all; less: random segments)"),
        min_value=1,
        max_value=100,
    )

    @classmethod
    def of(cls, wave: Wave) -> "AudioAuditForm":
        return cls(
            initial={
                "percent": wave.audio_audit_percent,
                "pages_percent": wave.audio_audit_pages_percent,
            }
        )
