from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from api.models import ApiToken
from api.tokens import MAX_DAYS


class TokenForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("kind", "name"),
        help_text=_(
            "A client body's token reads its own waves' signed results; the firm's reads "
            "everything an analyst reads."
        ),
    )
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. its system.")
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices)
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=90
    )
