"""Forms of the telephony pages."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fieldwork.dispositions import BY_CODE, NON_INTERVIEW_CODES


def _outcome_choices() -> list[tuple[str, str]]:
    # Called when the form is shown, so the labels follow the language of the request.
    return [(code, f"{code} {gettext(BY_CODE[code].label)}") for code in NON_INTERVIEW_CODES]


class ConfirmCallForm(forms.Form):
    disposition = forms.ChoiceField(label=_("Outcome"), choices=_outcome_choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
