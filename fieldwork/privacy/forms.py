from django import forms
from django.utils.translation import gettext_lazy as _

from fieldwork.models import ProcessingRecord


class RetentionForm(forms.Form):
    retain_until = forms.DateField(
        label=_("Personal data kept until"),
        required=False,  # blank is refused by the service, in its words
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ProcessingRecordForm(forms.ModelForm):
    class Meta:
        model = ProcessingRecord
        fields = [
            "purposes",
            "legal_basis",
            "contract_reference",
            "protection_officer",
            "telephony_provider",
            "storage_location",
            "other_safeguards",
            "risks",
            "conclusion",
            "assessed_on",
        ]
        widgets = {
            "purposes": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "other_safeguards": forms.Textarea(attrs={"rows": 3}),
            "risks": forms.Textarea(attrs={"rows": 3}),
            "conclusion": forms.Textarea(attrs={"rows": 3}),
            "assessed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "purposes": _("Blank: the generated text shown in the record."),
            "legal_basis": _("Blank: the generated text shown in the record."),
            "telephony_provider": _("Blank: as the system is configured."),
            "storage_location": _("Blank: as the system is configured."),
        }
