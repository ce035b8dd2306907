from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Role, Team, User
from accounts.services.people import MANAGED_ROLES


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class NewPasswordForm(PasswordChangeForm):
    """Django's password change, refusing to keep the current (perhaps temporary) password."""

    def clean(self):
        cleaned = super().clean()
        new_password = cleaned.get("new_password2")
        if new_password and not self.has_error("new_password2"):
            if self.user.check_password(new_password):
                error = _("Choose a password different from your current one.")
                self.add_error("new_password2", ValidationError(error, code="unchanged"))
        return cleaned


class UserForm(forms.Form):
    """An analyst's form for a user: the user name only when adding."""

    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Letters, digits and @ . + - _ only.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("Clients: the client body whose results they read. Staff: the firm."),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.select_related("supervisor"),
        required=False,
        help_text=_("Interviewers only: their supervisor sees and acts on their work."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in MANAGED_ROLES]
        if editing:
            del self.fields["username"]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"),
        queryset=User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("first_name"),
        required=False,
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Organisation.Kind.choices, initial=Organisation.Kind.CLIENT
    )
