from django import forms
from django.utils.translation import gettext_lazy as _

from audit.kinds import Kind


class AuditFilterForm(forms.Form):
    """The log's filters; every one optional. Choices of user and wave are what the log holds."""

    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("What"), required=False)
    actor = forms.ChoiceField(label=_("Who"), required=False)
    wave = forms.TypedChoiceField(label=_("Wave"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, actors: list[str], waves: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything")), *Kind.choices]
        self.fields["actor"].choices = [("", _("Everyone")), *((a, a) for a in actors)]
        self.fields["wave"].choices = [("", _("All waves")), *waves]

    def clean(self) -> dict:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return cleaned

    def filters(self) -> dict:
        """The selectors' keyword arguments (the form must be valid)."""
        data = self.cleaned_data
        return {
            "since": data.get("since"),
            "until": data.get("until"),
            "kind": data.get("kind") or "",
            "actor": data.get("actor") or "",
            "wave_id": data.get("wave"),
        }
