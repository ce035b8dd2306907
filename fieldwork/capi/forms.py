"""Forms of the door-to-door (CAPI) pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fieldwork.capi import geo
from fieldwork.forms import AttemptForm


class PositionForm(forms.Form):
    """Where the tablet was: hidden fields the page's script fills from the browser."""

    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy_m = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    position_error = forms.ChoiceField(
        required=False,
        choices=[("", "")] + [(e, e) for e in geo.POSITION_ERRORS],
        widget=forms.HiddenInput,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) or (
            latitude is not None and not geo.is_valid_position(latitude, longitude)
        ):
            # A half or impossible position is kept as none, and the visit warned as such.
            cleaned["latitude"] = cleaned["longitude"] = cleaned["accuracy_m"] = None
            cleaned["position_error"] = cleaned.get("position_error") or "unavailable"
        if cleaned.get("latitude") is None and not cleaned.get("position_error"):
            cleaned["position_error"] = "unavailable"
        return cleaned


class VisitForm(PositionForm, AttemptForm):
    """A visit that did not become an interview: outcome, note, callback, position."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, mode="door", **kwargs)
        self.fields["mode"].initial = "door"
        self.fields["mode"].required = False  # always door-to-door
        self.fields["appointment_at"].label = _("Come back at")
