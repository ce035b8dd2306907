"""Question types and locality levels as people read them."""

from django.utils.translation import gettext_lazy as _

__all__ = ["LOCALITY_LEVELS", "QUESTION_TYPES", "question_type_label"]

# Our question types (questionnaires.xlsform.types) as the designer page names them.
QUESTION_TYPES = {
    "select_one": _("Single choice"),
    "select_multiple": _("Multiple choice"),
    "select_one_external": _("Single choice, from a file"),
    "select_one_from_file": _("Single choice, from a file"),
    "select_multiple_from_file": _("Multiple choice, from a file"),
    "text": _("Text"),
    "integer": _("Whole number"),
    "decimal": _("Decimal number"),
    "date": _("Date"),
    "time": _("Time"),
    "datetime": _("Date and time"),
    "range": _("Range"),
    "acknowledge": _("Acknowledgement"),
    "trigger": _("Acknowledgement"),
    "note": _("Note"),
    "calculate": _("Calculation"),
    "locality": _("Locality"),
    "geopoint": _("Location"),
    "image": _("Photo"),
    "audio": _("Audio recording"),
    "deferred": _("Not asked (a type the interview does not ask, such as rank)"),
    "metadata": _("Recorded by the device"),
}

# A locality question's level (the same words as sampling's levels, which this app may not import)
LOCALITY_LEVELS = {
    "city": _("City"),
    "district": _("District"),
    "street": _("Street/township"),
    "community": _("Community/village"),
}


def question_type_label(question_type: str) -> str:
    """A question type's name for people; a type this list does not know yet, as it is."""
    label = QUESTION_TYPES.get(question_type)
    return str(label) if label is not None else question_type
