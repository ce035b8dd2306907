from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


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
