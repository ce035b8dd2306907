"""The wave's weighting settings form: how the weights are adjusted for nonresponse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.models import WaveTarget, WaveWeighting


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


class TargetsForm(forms.Form):
    """One optional target (0–100) per measure: the four place measures, then each
    dimension's score (`dimensions`: [(code, label)]). Field names are the measures."""

    def __init__(self, *args, dimensions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "satisfaction_score": _("Satisfaction score"),
            "satisfaction_rate": _("Satisfaction rate (%)"),
            "safety_score": _("Safety score"),
            "safety_rate": _("Safety rate (%)"),
        }
        for measure, label in labels.items():
            self.fields[measure] = _target_field(label)
        for code, label in dimensions:
            self.fields[f"{WaveTarget.DIMENSION}{code}"] = _target_field(label)

    def targets(self) -> dict[str, float | None]:
        return dict(self.cleaned_data)


def _target_field(label) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
