from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from sampling.services import MAX_SEED


class FrameUploadForm(forms.Form):
    file = forms.FileField(label=_("Frame file (CSV or XLSX)"))
    name = forms.CharField(label=_("Name"), max_length=200)
    unit_id_column = forms.CharField(label=_("Unit id column"), initial="unit_id", max_length=100)
    phone_column = forms.CharField(label=_("Phone column"), initial="phone", max_length=100)
    locality_column = forms.CharField(
        label=_("Locality code column"),
        initial="locality_code",
        max_length=100,
        help_text=_("Street or community codes."),
    )
    address_column = forms.CharField(
        label=_("Address column"),
        required=False,
        max_length=100,
        help_text=_("Leave empty if the file has no address."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data
        mapping = {
            "unit_id": data["unit_id_column"].strip(),
            "phone": data["phone_column"].strip(),
            "locality_code": data["locality_column"].strip(),
        }
        if data["address_column"].strip():
            mapping["address"] = data["address_column"].strip()
        return mapping


class AllocationForm(forms.Form):
    n = forms.IntegerField(label=_("Sample size"), min_value=1)
    minimum_per_stratum = forms.IntegerField(
        label=_("Minimum per street"), min_value=0, initial=0, required=False
    )

    def clean_minimum_per_stratum(self) -> int:
        return self.cleaned_data["minimum_per_stratum"] or 0


class DrawForm(AllocationForm):
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=MAX_SEED,
        required=False,
        help_text=_("Leave empty for a random seed; it is recorded either way."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
