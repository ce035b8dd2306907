"""Form fields for the XForm types beyond the basic ones, as ODK Collect asks them.

- range: a number from `start` to `end` in steps of `step` (the question's parameters; ODK's
  defaults 1, 10, 1), whole or decimal as the parameters are;
- time (HH:MM) and datetime (a local date and time);
- acknowledge and trigger: a box to tick, stored as "OK" as ODK stores it;
- select_one_from_file / select_multiple_from_file: the choices of the form's attached CSV or
  XML file (questionnaires.attachments);
- geopoint, image and audio: fieldwork.interview.media.
"""

from datetime import date, time
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.labels import localized
from fieldwork.interview.media import MEDIA_TYPES, media_field

__all__ = ["EXTRA_TYPES", "choice_label", "extra_field", "json_value"]

EXTRA_TYPES = (
    "range", "time", "datetime", "acknowledge", "trigger", "select_one_from_file",
    "select_multiple_from_file", "select_one_external", *MEDIA_TYPES,
)  # fmt: skip
OK = "OK"


def _number(text, default: str) -> Decimal:
    try:
        return Decimal(str(text if text not in (None, "") else default))
    except InvalidOperation:
        return Decimal(default)


class RangeField(forms.DecimalField):
    """A number within start..end on the step grid (both ends included)."""

    def __init__(self, *, start: Decimal, end: Decimal, step: Decimal, **kwargs):
        self.start, self.end, self.step = start, end, step or Decimal(1)
        whole = all(value == value.to_integral_value() for value in (start, end, self.step))
        low, high = min(start, end), max(start, end)
        super().__init__(min_value=low, max_value=high, decimal_places=None if not whole else 0,
                         **kwargs)  # fmt: skip
        self.whole = whole
        self.widget.attrs.update({"min": str(low), "max": str(high), "step": str(abs(self.step))})

    def validate(self, value):
        super().validate(value)
        if value is not None and (value - self.start) % abs(self.step) != 0:
            raise ValidationError(
                _("Choose a value from %(start)s to %(end)s in steps of %(step)s.")
                % {"start": self.start, "end": self.end, "step": abs(self.step)}
            )

    def clean(self, value):
        cleaned = super().clean(value)
        return int(cleaned) if cleaned is not None and self.whole else cleaned


class OkField(forms.BooleanField):
    """acknowledge / trigger: ticked is "OK", unticked is unanswered."""

    def clean(self, value):
        return OK if super().clean(value) else None

    def prepare_value(self, value):
        return value == OK or value is True


def extra_field(question: dict, choices: list[tuple[str, str]], common: dict) -> forms.Field:
    """The field of a question of one of EXTRA_TYPES; `choices` for the selects."""
    kind = question["type"]
    if kind in MEDIA_TYPES:
        return media_field(question, common)
    if kind == "range":
        parameters = question.get("parameters") or {}
        start, end = _number(parameters.get("start"), "1"), _number(parameters.get("end"), "10")
        step = _number(parameters.get("step"), "1")
        scale = _("From %(start)s to %(end)s, in steps of %(step)s.") % {
            "start": start, "end": end, "step": abs(step) or 1}  # fmt: skip
        help_text = " ".join(text for text in (str(common.get("help_text") or ""), scale) if text)
        return RangeField(start=start, end=end, step=step, **{**common, "help_text": help_text})
    if kind == "time":
        return forms.TimeField(
            input_formats=["%H:%M", "%H:%M:%S"],
            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            **common,
        )
    if kind == "datetime":
        return forms.DateTimeField(
            input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            **common,
        )
    if kind in ("acknowledge", "trigger"):
        return OkField(**common)
    if kind == "select_multiple_from_file":
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if len(choices) > 12:  # a long list from a file reads better as a list box
        return forms.ChoiceField(choices=[("", "---------"), *choices], **common)
    return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)


def choice_label(choice: dict, language: str) -> str:
    """A choice's label in `language`; or_other's "other", which pyxform labels "Other" in
    every language, in the interview's. pyxform adds it to the choice list itself, so every
    question of that list offers it, not only the or_other one."""
    label = localized(choice["label"], language)
    if choice["value"] == "other" and label == "Other":
        return str(_("Other"))
    return label


def json_value(value):
    """A cleaned field value as stored in Interview.answers; None for unanswered. Dates and
    datetimes are ISO strings, times "HH:MM", decimals floats."""
    if value in (None, "", []):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value
