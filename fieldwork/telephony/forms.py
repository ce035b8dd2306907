"""Forms of the telephony pages."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fieldwork.dispositions import LANGUAGE_PROBLEM, is_final, outcome_for
from fieldwork.forms import language_field, outcome_choices, rerouted
from fieldwork.models import Appointment


def _outcome_choices() -> list[tuple[str, str]]:
    # The phone outcomes in plain words, after an empty choice (the call's proposed outcome,
    # when Twilio gave one, is preselected by the page).
    return outcome_choices("phone")


class ConfirmCallForm(forms.Form):
    """The call's outcome; a final one needs `confirmed` (the page asks first)."""

    disposition = forms.ChoiceField(label=_("Outcome"), choices=_outcome_choices)
    appointment_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Needed for a callback; within the wave's calling windows."),
    )
    appointment_kind = forms.ChoiceField(
        label=_("Appointment"),
        choices=Appointment.Kind.choices,
        initial=Appointment.Kind.HARD,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    language = language_field()
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["appointment_kind"] = cleaned.get("appointment_kind") or Appointment.Kind.HARD
        outcome = outcome_for("phone", cleaned.get("disposition", ""))
        if outcome is not None and outcome.needs_appointment and not cleaned.get("appointment_at"):
            self.add_error("appointment_at", _("Give the time the respondent asked for."))
        if cleaned.get("disposition") != LANGUAGE_PROBLEM:
            cleaned["language"] = ""
        return cleaned

    @property
    def rerouted(self) -> bool:
        return rerouted(self.cleaned_data)

    @property
    def needs_confirmation(self) -> bool:
        code = self.cleaned_data.get("disposition", "")
        confirmed = self.cleaned_data.get("confirmed") or self.rerouted
        return bool(code) and is_final(code) and not confirmed

    @property
    def outcome_label(self) -> str:
        code = self.cleaned_data.get("disposition", "")
        outcome = outcome_for("phone", code)
        return f"{gettext(outcome.label)} · {code}" if outcome else code
