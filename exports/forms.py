from django import forms
from django.utils.translation import gettext_lazy as _

from qc.models import Review


class PackageForm(forms.Form):
    states = forms.MultipleChoiceField(
        label=_("Interviews in these review states"),
        choices=Review.State.choices,
        initial=[Review.State.APPROVED],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one review state.")},
    )
