"""The wave's weighting settings form: how the weights are adjusted for nonresponse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.models import WaveWeighting


class NonresponseForm(forms.Form):
    nonresponse = forms.ChoiceField(
        label=_("Nonresponse adjustment"),
        choices=WaveWeighting.Nonresponse.choices,
        widget=forms.RadioSelect,
    )
    attribute = forms.ChoiceField(
        label=_("Frame attribute (for classes within strata)"),
        required=False,
        help_text=_(
            "A column of the sampling frame, e.g. building type: each stratum is split by "
            "its values and respondents stand for the released units of their own class."
        ),
    )

    def __init__(self, *args, attributes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attribute"].choices = [("", "—")] + [(a, a) for a in attributes]

    def clean(self):
        data = super().clean()
        method = data.get("nonresponse")
        if method == WaveWeighting.Nonresponse.STRATUM_ATTRIBUTE and not data.get("attribute"):
            self.add_error(
                "attribute", _("Choose the frame attribute that splits the strata into classes.")
            )
        if method != WaveWeighting.Nonresponse.STRATUM_ATTRIBUTE:
            data["attribute"] = ""
        return data
