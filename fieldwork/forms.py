"""Forms of the wave and case pages: waves, assignment, reserves, quotas, versions, attempts."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from fieldwork.dispositions import LANGUAGE_PROBLEM, OUTCOMES_BY_MODE, is_final, outcome_for
from fieldwork.models import Appointment, Dialect, Mode, RespondentSelection, Wave, WaveMode
from fieldwork.models.waves import default_retain_until
from fieldwork.privacy import retention
from fieldwork.scheduling import ScheduleError, parse_windows
from questionnaires.models import QuestionnaireVersion
from sampling.models import Draw, Level, Locality


class StartInterviewForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, widget=forms.RadioSelect)


def outcome_choices(mode: str) -> list[tuple[str, str]]:
    """The mode's outcomes in plain words with the AAPOR code beside, after an empty choice:
    nothing is recorded until the interviewer picks one. Built per request (its language)."""
    return [("", gettext("— choose what happened —"))] + [
        (outcome.code, f"{gettext(outcome.label)} · {outcome.code}")
        for outcome in OUTCOMES_BY_MODE[mode]
    ]


def language_field() -> forms.ChoiceField:
    """The respondent's language, recorded with a language problem (2.33)."""
    return forms.ChoiceField(
        label=_("Language the respondent speaks"),
        choices=[("", "---------"), *Dialect.choices],
        required=False,
        help_text=_(
            "Only for a language problem: the case goes to an interviewer who speaks it. "
            "Left blank, the case closes."
        ),
    )


def rerouted(cleaned: dict) -> bool:
    """A language problem with the language named: the case goes to a speaker, not closed."""
    return cleaned.get("disposition") == LANGUAGE_PROBLEM and bool(cleaned.get("language"))


class AttemptForm(forms.Form):
    """A call (or, as VisitForm, a visit) that did not become an interview.

    A final outcome needs `confirmed`: without it the form is valid but `needs_confirmation`
    is set, and the page asks before anything is written.
    """

    mode = forms.ChoiceField(choices=Mode.choices, widget=forms.HiddenInput)
    disposition = forms.ChoiceField(label=_("What happened"))
    appointment_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Needed for a callback; within the wave's calling windows."),
    )
    appointment_kind = forms.ChoiceField(
        label=_("Appointment"),
        choices=Appointment.Kind.choices,
        initial=Appointment.Kind.HARD,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    language = language_field()
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, mode: str = Mode.PHONE, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode if mode in Mode.values else Mode.PHONE
        self.fields["mode"].initial = self.mode
        self.fields["disposition"].choices = outcome_choices(self.mode)
        self.needs_confirmation = False

    def clean(self) -> dict:
        cleaned = super().clean()
        code = cleaned.get("disposition")
        cleaned["appointment_kind"] = cleaned.get("appointment_kind") or Appointment.Kind.HARD
        if not code:
            return cleaned
        outcome = outcome_for(self.mode, code)
        if outcome is None:
            self.add_error("disposition", _("This outcome does not apply to this mode."))
        elif outcome.needs_appointment and cleaned.get("appointment_at") is None:
            self.add_error("appointment_at", _("Give the time the respondent asked for."))
        elif is_final(code) and not self.rerouted and not cleaned.get("confirmed"):
            self.needs_confirmation = True
        if code != LANGUAGE_PROBLEM:
            cleaned["language"] = ""
        return cleaned

    @property
    def rerouted(self) -> bool:
        """A language problem with the language named: the case goes to a speaker."""
        return rerouted(self.cleaned_data)

    @property
    def outcome_label(self) -> str:
        code = self.cleaned_data.get("disposition", "")
        outcome = outcome_for(self.mode, code)
        return f"{gettext(outcome.label)} · {code}" if outcome else code


class RespondentSelectionForm(forms.Form):
    """How the respondent is chosen; the roster's rows are read by the view, row by row."""

    method = forms.ChoiceField(label=_("Method"), choices=RespondentSelection.Method.choices)


class WaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.CLIENT),
        help_text=_("The commissioning body; add one on the organisations page."),
    )
    questionnaire_version = forms.ModelChoiceField(
        label=_("Questionnaire version"),
        queryset=QuestionnaireVersion.objects.filter(published_at__isnull=False),
    )
    draw = forms.ModelChoiceField(
        label=_("Sample (draw)"),
        queryset=Draw.objects.filter(wave=None),
        help_text=_("Its main sample becomes the wave's cases."),
    )
    mode = forms.ChoiceField(
        label=_("Mode"), choices=WaveMode.choices, initial=WaveMode.MIXED, required=False
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
    cross_region = forms.BooleanField(
        label=_("Cross-region calling"),
        required=False,
        help_text=_("Interviewers are never given a case in their own home county."),
    )
    retain_until = forms.DateField(
        label=_("Personal data kept until"),
        required=False,  # blank is refused in clean_retain_until, in our words
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Respondents' numbers, names and addresses are purged on this day (PIPL); "
            "the results stay. Analysts are reminded beforehand."
        ),
    )

    SCHEDULE_FIELDS = ("weekday_windows", "weekend_windows", "min_gap_minutes", "busy_gap_minutes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SCHEDULE_FIELDS:
            self.fields[name].required = False
        self.fields["retain_until"].initial = default_retain_until()

    def clean_retain_until(self):
        # Left out of the post entirely (a script, an older page): the settings' default, as
        # for the calling rules. Submitted blank or not after today: refused.
        if "retain_until" not in self.data:
            return default_retain_until()
        return retention.check_date(self.cleaned_data.get("retain_until"))

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["mode"] = cleaned.get("mode") or WaveMode.MIXED
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

    def __init__(self, *args, wave: Wave | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if wave is not None:  # the wave's own streets only
            street_ids = wave.cases.values("street_id").distinct()
            self.fields["stratum"].queryset = Locality.objects.filter(pk__in=street_ids)


class ReleaseForm(forms.Form):
    replicate = forms.IntegerField(label=_("Replicate"), min_value=1, max_value=1000)
    reason = forms.CharField(label=_("Why release it"), max_length=500)


class VersionSwitchForm(forms.Form):
    """A newer published version of the wave's own questionnaire, to roll out mid-field."""

    version = forms.ModelChoiceField(
        label=_("Newer version"), queryset=QuestionnaireVersion.objects.none()
    )

    def __init__(self, *args, wave: Wave, **kwargs):
        super().__init__(*args, **kwargs)
        current = wave.questionnaire_version
        self.fields["version"].queryset = QuestionnaireVersion.objects.filter(
            questionnaire_id=current.questionnaire_id,
            number__gt=current.number,
            published_at__isnull=False,
        ).order_by("-number")


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen it"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. refusal recorded by mistake")}),
    )
