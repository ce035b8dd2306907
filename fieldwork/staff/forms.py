from django import forms
from django.utils.translation import gettext_lazy as _

from fieldwork.models import Dialect
from sampling.models import Level, Locality


class InterviewerProfileForm(forms.Form):
    home_county = forms.ModelChoiceField(
        label=_("Home county"),
        queryset=Locality.objects.filter(level=Level.DISTRICT).order_by("code"),
        required=False,
        help_text=_("Where the interviewer lives: with cross-region calling, never called into."),
    )
    dialects = forms.MultipleChoiceField(
        label=_("Languages and dialects besides Mandarin"),
        choices=[(value, label) for value, label in Dialect.choices if value != Dialect.MANDARIN],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Cases that failed on a language go only to interviewers who speak it."),
    )
