"""Forms of the telephony pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fieldwork.forms import outcome_choices


def _outcome_choices() -> list[tuple[str, str]]:
    # The phone outcomes in plain words, after an empty choice (the call's proposed outcome,
    # when Twilio gave one, is preselected by the page).
    return outcome_choices("phone")


class ConfirmCallForm(forms.Form):
    disposition = forms.ChoiceField(label=_("Outcome"), choices=_outcome_choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
