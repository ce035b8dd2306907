from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.services import IN_FIELDWORK


class PurgeForm(forms.Form):
    """The analyst types the wave's name to confirm: a purge cannot be undone."""

    confirm = forms.CharField(
        label=gettext_lazy("Type the wave's name to confirm"),
        max_length=200,
        error_messages={"required": gettext_lazy("Type the wave's name to confirm the purge.")},
    )

    def __init__(self, *args, wave_name: str, in_fieldwork: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.wave_name = wave_name
        self.in_fieldwork = in_fieldwork

    def clean(self):
        if self.in_fieldwork:
            raise forms.ValidationError(str(IN_FIELDWORK))
        return super().clean()

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"].strip()
        if typed != self.wave_name.strip():
            raise forms.ValidationError(
                _("The name typed is not the wave's name (%(name)s): nothing was purged.")
                % {"name": self.wave_name}
            )
        return typed
