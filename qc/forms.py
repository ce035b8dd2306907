from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from fieldwork.models import Wave
from qc.models import Review
from sampling.models import Level, Locality


class ReviewFilterForm(forms.Form):
    """The review list's filters; every field optional (blank: no filter)."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *Review.State.choices]
    )
    wave = forms.ModelChoiceField(
        label=_("Wave"), required=False, queryset=Wave.objects.all(), empty_label=_("All waves")
    )
    interviewer = forms.ModelChoiceField(
        label=_("Interviewer"),
        required=False,
        queryset=User.objects.filter(role=Role.INTERVIEWER).order_by("username"),
        empty_label=_("All interviewers"),
    )
    street = forms.ModelChoiceField(
        label=_("Street"),
        required=False,
        queryset=Locality.objects.filter(level=Level.STREET),
        empty_label=_("All streets"),
    )


class ApproveForm(forms.Form):
    reason = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason for the rejection.")},
    )
