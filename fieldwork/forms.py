"""Forms: one wizard page per questionnaire group, built from the version's definition."""

from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from fieldwork import flow
from fieldwork.dispositions import BY_CODE, NON_INTERVIEW_CODES
from fieldwork.models import Appointment, Mode, RespondentSelection, Wave
from fieldwork.scheduling import ScheduleError, parse_windows
from questionnaires.logic import ExpressionError, is_relevant, satisfies_constraint
from questionnaires.models import QuestionnaireVersion
from questionnaires.presenters import localized
from sampling.models import Draw, Level, Locality

LOCALITY_PARENT = {"street": "district", "community": "street"}


class PageForm(forms.Form):
    """A questionnaire page. Fields are added per request, for the questions still on path."""

    def __init__(self, *args, page: dict, answers: dict, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        self.answers = answers
        self.language = language
        self.questions = flow.relevant_questions(page["group"], answers)
        self.notes = [
            localized(q["label"], language)
            for q in page["group"]["questions"]
            if q["type"] == "note" and is_relevant(q, answers)
        ]
        for question in self.questions:
            self.fields[question["name"]] = self._field(question)

    def _field(self, question: dict) -> forms.Field:
        label = localized(question["label"], self.language)
        hint = localized(question["hint"], self.language) if question.get("hint") else ""
        common = {"label": label, "help_text": hint, "required": question.get("required", False)}
        kind = question["type"]
        if kind == "select_one":
            return forms.ChoiceField(
                choices=self._choices(question), widget=forms.RadioSelect, **common
            )
        if kind == "select_multiple":
            return forms.MultipleChoiceField(
                choices=self._choices(question), widget=forms.CheckboxSelectMultiple, **common
            )
        if kind == "integer":
            return forms.IntegerField(**common)
        if kind == "decimal":
            return forms.DecimalField(**common)
        if kind == "locality":
            return forms.ChoiceField(
                choices=self._locality_choices(question),
                widget=forms.Select(attrs=self._cascade_attrs(question)),
                **common,
            )
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)

    def _choices(self, question: dict) -> list[tuple[str, str]]:
        options = self.page["choice_lists"][question["list"]]
        return [(c["value"], localized(c["label"], self.language)) for c in options]

    def _locality_choices(self, question: dict) -> list[tuple[str, str]]:
        level = question["locality_level"]
        parent_question = self.page["locality_questions"].get(LOCALITY_PARENT.get(level))
        queryset = Locality.objects.filter(level=level)
        if parent_question is not None:
            parent_code = self._current_value(parent_question)
            queryset = queryset.filter(parent__code=parent_code) if parent_code else queryset.none()
        return [("", "---------")] + list(queryset.values_list("code", "name"))

    def _cascade_attrs(self, question: dict) -> dict:
        """htmx attributes that refill the next level's options when this one changes."""
        names = self.page["locality_questions"]
        on_page = {q["name"] for q in self.questions}
        child_level = {"district": "street", "street": "community"}.get(question["locality_level"])
        child = names.get(child_level)
        if child not in on_page:
            return {}
        query = {"level": child_level, "param": self.add_prefix(question["name"])}
        grandchild = names.get({"street": "community"}.get(child_level))
        if grandchild in on_page:
            query["clear"] = f"id_{self.add_prefix(grandchild)}"
        return {
            "hx-get": f"{reverse('fieldwork:locality_options')}?{urlencode(query)}",
            "hx-target": f"#id_{self.add_prefix(child)}",
            "hx-trigger": "change",
        }

    def rows(self) -> list[tuple]:
        """(bound field, question) pairs in questionnaire order, for the template."""
        return [(self[q["name"]], q) for q in self.questions]

    def _current_value(self, name: str):
        """The value of another question: as submitted on this page, else as saved."""
        if self.is_bound and self.add_prefix(name) in self.data:
            return self.data.get(self.add_prefix(name))
        return self.initial.get(name, self.answers.get(name))

    def clean(self) -> dict:
        cleaned = super().clean()
        context = {**self.answers, **self.page_answers(cleaned)}
        for question in self.questions:
            name = question["name"]
            try:
                allowed = satisfies_constraint(question, context, context.get(name))
            except ExpressionError:
                allowed = False
            if not allowed:
                message = question.get("constraint_message")
                self.add_error(
                    name, localized(message, self.language) if message else _("Answer not allowed.")
                )
        return cleaned

    def page_answers(self, cleaned: dict | None = None) -> dict:
        """Cleaned values as JSON-ready answers; an empty value means unanswered."""
        answers = {}
        for name, value in (cleaned if cleaned is not None else self.cleaned_data).items():
            if value in (None, "", []):
                continue
            answers[name] = float(value) if isinstance(value, Decimal) else value
        return answers


def page_context(definition: dict, group_name: str) -> dict:
    group = next(g for g in definition["groups"] if g["name"] == group_name)
    return {
        "group": group,
        "choice_lists": definition["choice_lists"],
        "locality_questions": {
            q["locality_level"]: q["name"]
            for g in definition["groups"]
            for q in g["questions"]
            if q.get("locality_level")
        },
    }


class StartInterviewForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, widget=forms.RadioSelect)


def _outcome_choices() -> list[tuple[str, str]]:
    # Called when the form is shown, so the labels follow the language of the request.
    return [(code, f"{code} {gettext(BY_CODE[code].label)}") for code in NON_INTERVIEW_CODES]


class AttemptForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices)
    disposition = forms.ChoiceField(label=_("Outcome"), choices=_outcome_choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    appointment_at = forms.DateTimeField(
        label=_("Call back at (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class RespondentSelectionForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=RespondentSelection.Method.choices)
    adults = forms.CharField(
        label=_("Household adults"),
        help_text=_("One adult per line: name, sex (M/F), age[, birthday MM-DD]."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "王强, M, 52, 03-14"}),
    )


class AssignForm(forms.Form):
    interviewer = forms.ModelChoiceField(
        label=_("Interviewer"), queryset=User.objects.filter(role=Role.INTERVIEWER, is_active=True)
    )
    count = forms.IntegerField(label=_("Number of cases"), min_value=1, max_value=5000)
    street = forms.ModelChoiceField(
        label=_("Street"),
        queryset=Locality.objects.filter(level=Level.STREET),
        required=False,
    )


class WaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    client = forms.CharField(label=_("Client"), max_length=200)
    questionnaire_version = forms.ModelChoiceField(
        label=_("Questionnaire version"), queryset=QuestionnaireVersion.objects.all()
    )
    draw = forms.ModelChoiceField(
        label=_("Sample (draw)"),
        queryset=Draw.objects.filter(wave=None),
        help_text=_("Its main sample becomes the wave's cases."),
    )
    max_attempts = forms.IntegerField(
        label=_("Maximum attempts per case"), min_value=1, max_value=20, initial=5
    )
    weekday_windows = forms.CharField(
        label=_("Weekday calling windows"),
        initial="09:00-12:00,14:00-21:00",
        help_text=_("Local times, e.g. 09:00-12:00,14:00-21:00; 20:00-01:00 crosses midnight."),
    )
    weekend_windows = forms.CharField(
        label=_("Weekend calling windows"), initial="10:00-12:00,14:00-20:00", required=False
    )
    min_gap_minutes = forms.IntegerField(
        label=_("Minimum gap between attempts (min)"), min_value=0, max_value=10080, initial=120
    )
    busy_gap_minutes = forms.IntegerField(
        label=_("Gap after a busy line (min)"), min_value=0, max_value=10080, initial=15
    )

    SCHEDULE_FIELDS = ("weekday_windows", "weekend_windows", "min_gap_minutes", "busy_gap_minutes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SCHEDULE_FIELDS:
            self.fields[name].required = False

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in self.SCHEDULE_FIELDS:
            # Left out of the form entirely (an older client, a script): the wave's default.
            # Submitted blank weekend windows mean no calls at weekends.
            if name not in self.data or (
                name != "weekend_windows" and cleaned.get(name) in ("", None)
            ):
                cleaned[name] = self.fields[name].initial
        for name in ("weekday_windows", "weekend_windows"):
            try:
                parse_windows(cleaned.get(name) or "")
            except ScheduleError as error:
                self.add_error(name, str(error))
        return cleaned


class NextCaseForm(forms.Form):
    wave = forms.ModelChoiceField(
        label=_("Wave"), queryset=Wave.objects.filter(status=Wave.Status.FIELDWORK)
    )


class AppointmentForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Call back at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Appointment.Kind.choices, initial=Appointment.Kind.HARD
    )
    window_end = forms.DateTimeField(
        label=_("Window ends (soft)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        at, end = cleaned.get("at"), cleaned.get("window_end")
        if at and end and end <= at:
            self.add_error("window_end", _("The window must end after the appointment time."))
        return cleaned


class QuotaTargetForm(forms.Form):
    stratum = forms.ModelChoiceField(
        label=_("Street"),
        queryset=Locality.objects.filter(level=Level.STREET),
        required=False,
        to_field_name="code",
        empty_label=_("All streets"),
    )
    variable = forms.CharField(label=_("Variable"), max_length=100, initial="sex")
    value = forms.CharField(label=_("Value"), max_length=100)
    target = forms.IntegerField(label=_("Target"), min_value=0, max_value=100000)


class ReleaseForm(forms.Form):
    replicate = forms.IntegerField(label=_("Replicate"), min_value=1, max_value=1000)
    reason = forms.CharField(label=_("Why release it"), max_length=500)
