"""Form fields every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError

from common.ids import parse_id

__all__ = ["ModelIdsField", "form_errors"]


class ModelIdsField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField by primary key that refuses a posted number no id can be.

    Django looks up every posted value in one `pk__in` query, where SQLite raises
    OverflowError on a number beyond 64 bits: such a value is an invalid choice instead.
    """

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


def form_errors(form: forms.Form) -> str:
    """A bound form's errors in one line, for a message above the page."""
    return " ".join(error for errors in form.errors.values() for error in errors)
