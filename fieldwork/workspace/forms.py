"""Forms of the wave workspace: the case grid's filters, moving cases, assigning by street."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.teams import supervised_team_ids
from fieldwork.dispositions import DISPOSITIONS
from fieldwork.models import Case, Wave
from sampling.models import Locality

PAGE_SIZES = (50, 100, 200)
WORK_STATUSES = [
    ("", _("Still to do")),
    ("all", _("Any status")),
    ("fresh", _("Not started")),
    ("callback", _("To call again")),
    ("appointment", _("Appointment")),
    ("in_progress", _("Interview under way")),
    ("completed", _("Completed")),
    ("closed", _("Closed without interview")),
]
ATTEMPTS = [("", _("Any number")), ("0", "0"), ("1", "1"), ("2", "2"), ("3+", "3+")]
APPOINTMENTS = [
    ("", _("Any")),
    ("open", _("Has one")),
    ("today", _("Today")),
    ("missed", _("Missed")),
    ("none", _("None")),
]
SORTS = [
    ("id", _("Case")),
    ("street", _("Street")),
    ("interviewer", _("Interviewer")),
    ("attempts", _("Attempts")),
    ("-attempts", _("Attempts, most first")),
    ("last_attempt", _("Last attempt")),
    ("appointment", _("Appointment")),
    ("status", _("Status")),
]


def interviewer_choices(viewer: User | None = None) -> forms.ModelChoiceField:
    """Active interviewers; for a supervisor who leads a team, that team's (accounts.teams)."""
    interviewers = User.objects.filter(role=Role.INTERVIEWER, is_active=True)
    teams = supervised_team_ids(viewer) if viewer is not None else None
    if teams is not None:
        interviewers = interviewers.filter(team__in=teams)
    return interviewers.order_by("last_name", "first_name", "username")


def case_holders(wave: Wave, viewer: User | None = None):
    """Active interviewers, and inactive ones who still hold cases of the wave (so that a
    supervisor can find those cases and move them on); of the viewer's teams when they
    lead any (accounts.teams)."""
    holders = Case.objects.filter(wave=wave, interviewer__isnull=False).values("interviewer_id")
    teams = supervised_team_ids(viewer) if viewer is not None else None
    people = User.objects.filter(role=Role.INTERVIEWER)
    if teams is not None:
        people = people.filter(team__in=teams)
    return people.filter(Q(is_active=True) | Q(pk__in=holders)).order_by(
        "-is_active", "last_name", "first_name", "username"
    )


def _holder_label(user: User) -> str:
    if user.is_active:
        return str(user)
    return gettext("%(name)s (no longer active)") % {"name": user}


def wave_streets(wave: Wave):
    """The wave's own streets (those its cases are in), not every frame's."""
    ids = Case.objects.filter(wave=wave).values("street_id").distinct()
    return Locality.objects.filter(pk__in=ids).order_by("name")


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=WORK_STATUSES, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    attempts = forms.ChoiceField(label=_("Attempts"), choices=ATTEMPTS, required=False)
    interviewer = forms.ChoiceField(label=_("Interviewer"), required=False)
    street = forms.ModelChoiceField(
        label=_("Street"), queryset=Locality.objects.none(), required=False, empty_label=_("Any")
    )
    appointment = forms.ChoiceField(label=_("Appointment"), choices=APPOINTMENTS, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        choices=[(n, n) for n in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=PAGE_SIZES[0],
    )

    FILTERS = ("status", "outcome", "attempts", "interviewer", "street", "appointment")

    def __init__(self, *args, wave: Wave, viewer: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = wave_streets(wave)
        self.fields["outcome"].choices = [("", _("Any outcome")), ("none", _("None yet"))] + [
            (d.code, f"{gettext(d.label)} · {d.code}") for d in DISPOSITIONS
        ]
        self.fields["interviewer"].choices = [("", _("Anyone")), ("none", _("Nobody (pool)"))] + [
            (str(user.pk), _holder_label(user)) for user in case_holders(wave, viewer)
        ]


class MoveForm(forms.Form):
    """Assign, transfer or return the ticked cases (or every case the filters show)."""

    SCOPES = [("selected", _("The ticked cases")), ("all", _("Every case the filters show"))]
    scope = forms.ChoiceField(
        label=_("Which cases"), choices=SCOPES, initial="selected", widget=forms.RadioSelect
    )
    to = forms.ChoiceField(label=_("Give them to"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. interviewer off sick")}),
    )

    def __init__(self, *args, viewer: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.fields["to"].choices = [
            ("", _("— choose —")),
            ("pool", _("Nobody: return to the pool")),
        ] + [(str(user.pk), str(user)) for user in interviewer_choices(viewer)]

    def clean(self) -> dict:
        cleaned = super().clean()
        # The ticked rows' ids; ids of other waves' cases are refused by the service.
        cleaned["cases"] = [int(pk) for pk in self.data.getlist("cases") if str(pk).isdigit()]
        if cleaned.get("scope") == "selected" and not cleaned.get("cases"):
            raise forms.ValidationError(_("Tick the cases to move, or choose every case shown."))
        to = cleaned.get("to")
        if to and to != "pool":
            cleaned["to_user"] = interviewer_choices(self.viewer).filter(pk=to).first()
            if cleaned["to_user"] is None:
                self.add_error("to", _("Choose an active interviewer."))
        else:
            cleaned["to_user"] = None
        return cleaned


class StreetAssignForm(forms.Form):
    """Give a number of unassigned cases of one of the wave's streets to an interviewer."""

    street = forms.ModelChoiceField(label=_("Street"), queryset=Locality.objects.none())
    interviewer = forms.ModelChoiceField(label=_("Interviewer"), queryset=User.objects.none())
    count = forms.IntegerField(label=_("Number of cases"), min_value=1, max_value=5000)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, wave: Wave, viewer: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = wave_streets(wave)
        self.fields["interviewer"].queryset = interviewer_choices(viewer)


# The days a calendar or a shift table may show: far enough for any fieldwork, near enough that
# a week's bounds, the links to the previous and next span and the local midnight in UTC all
# stay inside what Python's dates can hold (0001-01-01 … 9999-12-31).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def within_calendar(value: date) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )


def _day_field() -> forms.DateField:
    return forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[within_calendar],
    )


class DayForm(forms.Form):
    """?day= of the per-shift table."""

    day = _day_field()


class CalendarForm(forms.Form):
    view = forms.ChoiceField(
        label=_("View"), choices=[("day", _("Day")), ("week", _("Week"))], required=False
    )
    day = _day_field()
    interviewer = forms.ChoiceField(label=_("Interviewer"), required=False)

    def __init__(self, *args, viewer: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].choices = [("", _("Whole team"))] + [
            (str(user.pk), str(user)) for user in interviewer_choices(viewer)
        ]


class WavePlanForm(forms.Form):
    """The wave's plan: what the overview measures progress against."""

    target_completes = forms.IntegerField(
        label=_("Target completes"), min_value=1, max_value=10_000_000, required=False
    )
    starts_on = _day_field()
    ends_on = _day_field()
    daily_target = forms.IntegerField(
        label=_("Completes per interviewer per day"), min_value=1, max_value=1000, required=False
    )
    # Who a door-to-door household selection may choose (the survey's screening ages).
    min_age = forms.IntegerField(
        label=_("Interview people aged at least (blank: 16)"),
        min_value=0,
        max_value=120,
        required=False,
    )
    max_age = forms.IntegerField(
        label=_("and at most (blank: no limit)"), min_value=0, max_value=120, required=False
    )
    cross_region = forms.BooleanField(label=_("Cross-region calling"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].label = _("Fieldwork starts")
        self.fields["ends_on"].label = _("Fieldwork ends")

    @classmethod
    def of(cls, wave: Wave) -> "WavePlanForm":
        fields = (
            "target_completes",
            "starts_on",
            "ends_on",
            "daily_target",
            "min_age",
            "max_age",
            "cross_region",
        )
        return cls(initial={name: getattr(wave, name) for name in fields})

    def clean(self) -> dict:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Fieldwork cannot end before it starts."))
        if cleaned.get("min_age") is None and "min_age" not in self.errors:
            cleaned["min_age"] = 16
        youngest, oldest = cleaned.get("min_age"), cleaned.get("max_age")
        if youngest is not None and oldest is not None and oldest < youngest:
            self.add_error("max_age", _("The oldest age cannot be below the youngest."))
        return cleaned
