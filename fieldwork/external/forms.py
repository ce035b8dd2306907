from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from common.tables.texts import limits
from fieldwork.external.services import ExternalOptions
from fieldwork.models import Mode
from questionnaires.models import QuestionnaireVersion
from sampling.models import Level, Locality


class ExternalImportForm(forms.Form):
    """Another system's export and how to read it; the columns it names are recognised by
    their names when left blank."""

    file = forms.FileField(
        label=_("Export (CSV or XLSX)"),
        help_text=_("From ODK, Kobo or SurveyCTO: one row per interview."),
    )
    version = forms.ModelChoiceField(
        label=_("Questionnaire version"),
        queryset=QuestionnaireVersion.objects.filter(published_at__isnull=False),
        help_text=_("The XLSForm the interviews were collected with, imported first."),
    )
    name = forms.CharField(label=_("Wave name"), max_length=200)
    client = forms.ModelChoiceField(
        label=_("Client"), queryset=Organisation.objects.filter(kind=Organisation.Kind.CLIENT)
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.DOOR)
    street = forms.ModelChoiceField(
        label=_("Street of every interview"),
        queryset=Locality.objects.filter(level=Level.STREET).order_by("code"),
        required=False,
        help_text=_("When neither a question nor a column names the place."),
    )
    locality_column = forms.CharField(
        label=_("Place column"),
        max_length=200,
        required=False,
        help_text=_("A street's or community's code or name."),
    )
    id_column = forms.CharField(
        label=_("Interview id column"),
        max_length=200,
        required=False,
        help_text=_(
            "Blank: <code>KEY</code>, <code>meta/instanceID</code>, <code>_uuid</code> or "
            "<code>_id</code>."
        ),
    )
    interviewer_column = forms.CharField(
        label=_("Interviewer column"),
        max_length=200,
        required=False,
        help_text=_("Blank: <code>username</code> or <code>_submitted_by</code>."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone of times written without one"),
        # the systems write times with their offset; those without one are the devices'
        # local time here, or a server's in UTC (the command takes any zone)
        choices=[("Asia/Shanghai", _("Beijing time (UTC+8)")), ("UTC", _("UTC"))],
        initial="Asia/Shanghai",
    )
    day_first = forms.BooleanField(
        label=_("Dates like 9/10/2015 are day/month/year"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        caps = limits("interviews")
        if upload.size > caps.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(max_mb)s MB, the limit for this kind of file.")
                % {"max_mb": caps.max_mb}
            )
        return upload

    @staticmethod
    def initial_from(params: dict) -> dict:
        """The choices of an earlier import (a job's params), to correct the file and retry."""
        options = params.get("options", {})
        return {
            "version": params.get("version_id"),
            "name": params.get("name", ""),
            "client": params.get("client_id"),
            "mode": options.get("mode"),
            "street": options.get("street_id"),
            "locality_column": options.get("locality_column", ""),
            "id_column": options.get("id_column", ""),
            "interviewer_column": options.get("interviewer_column", ""),
            "time_zone": options.get("time_zone") or "Asia/Shanghai",
            "day_first": options.get("day_first", False),
        }

    def options(self) -> ExternalOptions:
        data = self.cleaned_data
        return ExternalOptions(
            id_column=data["id_column"].strip(),
            interviewer_column=data["interviewer_column"].strip(),
            locality_column=data["locality_column"].strip(),
            street=data["street"],
            mode=data["mode"],
            time_zone=data["time_zone"],
            day_first=data["day_first"],
        )
