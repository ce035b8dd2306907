from dataclasses import fields

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.teams import team_rows
from common.forms import ModelIdsField
from fieldwork.models import Wave
from qc.models import Flag, QCSettings, Review
from qc.presenters.labels import RULE_LABELS, SETTING_LABELS, TIME_ZONES
from qc.rules import SEVERITIES, RuleConfig
from sampling.models import Level, Locality


def _interviewers():
    return User.objects.filter(role=Role.INTERVIEWER, is_active=True).order_by("username")


def _supervised(field: forms.ModelChoiceField, viewer: User | None) -> None:
    """Offer in `field` only the interviewers whose work `viewer` sees (accounts.teams)."""
    if viewer is not None:
        field.queryset = field.queryset.filter(team_rows(viewer, "pk"))


class ReviewFilterForm(forms.Form):
    """The review list's filters; every field optional (blank: no filter)."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *Review.State.choices]
    )
    wave = forms.ModelChoiceField(
        label=_("Wave"), required=False, queryset=Wave.objects.all(), empty_label=_("All waves")
    )
    rule = forms.ChoiceField(
        label=_("Rule"),
        required=False,
        choices=[("", _("All rules")), *RULE_LABELS.items()],
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("All severities")), *((s, Flag.Severity(s).label) for s in SEVERITIES)],
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
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, viewer: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _supervised(self.fields["interviewer"], viewer)


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


class ReturnForm(forms.Form):
    """Return for a callback (the same interviewer) or a re-interview (another one)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason for this decision.")},
    )
    interviewer = forms.ModelChoiceField(
        label=_("Interviewer"),
        required=False,
        queryset=_interviewers(),
        empty_label=_("The same interviewer (callback)"),
    )

    def __init__(self, *args, viewer: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _supervised(self.fields["interviewer"], viewer)


class RereleaseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason for this decision.")},
    )
    interviewer = forms.ModelChoiceField(label=_("Interviewer"), queryset=_interviewers())


class BulkApproveForm(forms.Form):
    """Approve the ticked reviews, or every one the current filter shows (`scope=all`)."""

    reviews = ModelIdsField(
        queryset=Review.objects.all(), required=False, widget=forms.MultipleHiddenInput
    )
    scope = forms.ChoiceField(
        choices=[("selected", "selected"), ("all", "all")], required=False, initial="selected"
    )


_FIELD_FOR = {float: forms.FloatField, int: forms.IntegerField, str: forms.CharField}


def _rule_problem(name: str) -> str:
    """What a bad value of a RuleConfig threshold must be instead, in the reader's words."""
    if name.endswith("_share"):
        return _("Give a share between 0 and 1.")
    if name.startswith("working_hours"):
        return _("Give a time of day such as 08:00.")
    if name == "timezone":
        return _("Choose a time zone from the list.")
    return _("Give a number that is not negative.")


class QCSettingsForm(forms.Form):
    """A wave's back-check knobs and every rule threshold (RuleConfig), one field each."""

    backcheck_share = forms.FloatField(label=_("Back-check share"), min_value=0, max_value=1)
    backcheck_share_high_risk = forms.FloatField(
        label=_("Back-check share, high-risk interviewers"), min_value=0, max_value=1
    )
    backcheck_share_new = forms.FloatField(
        label=_("Back-check share, new interviewers"), min_value=0, max_value=1
    )
    high_risk_flag_rate = forms.FloatField(
        label=_("High-risk above this flag rate"), min_value=0, max_value=1
    )
    new_interviewer_completes = forms.IntegerField(
        label=_("New: fewer prior completes than"), min_value=0
    )
    discrepancy_threshold = forms.FloatField(
        label=_("Discrepancy threshold"), min_value=0, max_value=1
    )
    discrepancy_action = forms.ChoiceField(
        label=_("Above the threshold"), choices=QCSettings.Action.choices
    )

    RULE_FIELDS = [f.name for f in fields(RuleConfig)]

    def __init__(self, *args, questions: dict[str, str] | None = None, **kwargs) -> None:
        """`questions`: {name: label} of the wave's questions, for the overall rating."""
        super().__init__(*args, **kwargs)
        defaults = RuleConfig()
        for name in self.RULE_FIELDS:
            kind = type(getattr(defaults, name))
            self.fields[name] = _FIELD_FOR.get(kind, forms.CharField)(
                label=SETTING_LABELS.get(name, name),
                required=False,
                help_text=str(getattr(defaults, name)),
            )
        # choices by name, shown by label (a stored value outside them stays selectable)
        for name, labels in (("timezone", TIME_ZONES), ("overall_item", questions or {})):
            default, current = getattr(defaults, name), self.initial.get(name)
            values = dict(labels) | {v: v for v in (default, current) if v and v not in labels}
            self.fields[name] = forms.ChoiceField(
                label=self.fields[name].label,
                required=False,
                choices=[("", "—"), *values.items()],
                help_text=values.get(default, default),
            )

    def clean(self) -> dict:
        """Each threshold checked as RuleConfig checks it, the problem shown at its field."""
        data = super().clean()
        for name in self.RULE_FIELDS:
            value = data.get(name)
            if value in (None, ""):
                continue
            try:
                RuleConfig.from_mapping({name: value})
            except ValueError:
                self.add_error(name, _rule_problem(name))
        return data

    @classmethod
    def initial_for(cls, qc_settings: QCSettings, config: RuleConfig) -> dict:
        initial = {
            name: getattr(qc_settings, name)
            for name in (
                "backcheck_share",
                "backcheck_share_high_risk",
                "backcheck_share_new",
                "high_risk_flag_rate",
                "new_interviewer_completes",
                "discrepancy_threshold",
                "discrepancy_action",
            )
        }
        return initial | {name: getattr(config, name) for name in cls.RULE_FIELDS}


class BackCheckDrawForm(forms.Form):
    checkers = ModelIdsField(
        label=_("Back-check interviewers"),
        queryset=_interviewers(),
        widget=forms.CheckboxSelectMultiple,
    )
    seed = forms.IntegerField(
        label=_("Seed"), required=False, min_value=0, help_text=_("Blank: a random seed.")
    )

    def __init__(self, *args, viewer: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _supervised(self.fields["checkers"], viewer)


def backcheck_answer_form(questions: list[dict], data=None) -> forms.Form:
    """A form with one optional field per key question (choices from the definition)."""
    form = forms.Form(data)
    for question in questions:
        label = question["label"]
        if question["choices"]:
            form.fields[question["name"]] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "—"), *question["choices"]],
            )
        else:
            form.fields[question["name"]] = forms.CharField(
                label=label, required=False, max_length=500
            )
    return form
