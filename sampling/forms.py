from collections.abc import Sequence
from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from common.tables import sheet_names
from common.tables.texts import limits
from sampling.errors import SamplingInputError
from sampling.models import Draw
from sampling.presenters import column_label
from sampling.services.draws import MAX_SEED
from sampling.services.frames import STRATUM_COLUMN
from sampling.services.plans import Plan, read_stratum_values


def table_upload(upload, kind: str):
    """A .csv or .xlsx upload within the size cap of its kind (the file is read by a job)."""
    if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
        raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
    caps = limits(kind)
    if upload.size > caps.max_bytes:
        raise forms.ValidationError(
            _("The file is larger than %(max_mb)s MB, the limit for this kind of file.")
            % {"max_mb": caps.max_mb}
        )
    return upload


def sheet_field() -> forms.CharField:
    return forms.CharField(
        label=_("Sheet"),
        required=False,
        max_length=100,
        help_text=_("For a workbook with several sheets: the name of the one to import."),
    )


def chosen_sheet(upload, sheet: str) -> str | None:
    """The sheet to read: None for a CSV or a workbook of one sheet left blank; the name
    typed, if the workbook has it. A workbook of several sheets needs one named."""
    if Path(upload.name).suffix.lower() != ".xlsx":
        return None
    names = sheet_names(upload.read())
    upload.seek(0)
    listed = "、".join(f"“{name}”" for name in names)
    if sheet and names and sheet not in names:
        raise forms.ValidationError(
            _("The workbook has no sheet “%(sheet)s”. Its sheets: %(sheets)s.")
            % {"sheet": sheet, "sheets": listed}
        )
    if not sheet and len(names) > 1:
        raise forms.ValidationError(
            _("The workbook has several sheets: %(sheets)s. Type the name of the one to import.")
            % {"sheets": listed}
        )
    return sheet or None


class SheetMixin:
    """The sheet field checked against the uploaded workbook's sheets."""

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["sheet"] = chosen_sheet(upload, (cleaned.get("sheet") or "").strip())
            except forms.ValidationError as error:
                self.add_error("sheet", error)
        return cleaned


class FrameUploadForm(SheetMixin, forms.Form):
    file = forms.FileField(label=_("Frame file (CSV or XLSX)"))
    sheet = sheet_field()
    name = forms.CharField(label=_("Name"), max_length=200)
    unit_id_column = forms.CharField(label=_("Unit id column"), initial="unit_id", max_length=100)
    phone_column = forms.CharField(label=_("Phone column"), initial="phone", max_length=100)
    locality_column = forms.CharField(
        label=_("Locality code column"),
        initial="locality_code",
        max_length=100,
        help_text=_("Street or community codes."),
    )
    address_column = forms.CharField(
        label=_("Address column"),
        required=False,
        max_length=100,
        help_text=_("Leave empty if the file has no address."),
    )

    def clean_file(self):
        return table_upload(self.cleaned_data["file"], "frame")

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data
        mapping = {
            "unit_id": data["unit_id_column"].strip(),
            "phone": data["phone_column"].strip(),
            "locality_code": data["locality_column"].strip(),
        }
        if data["address_column"].strip():
            mapping["address"] = data["address_column"].strip()
        return mapping


class LocalityUploadForm(SheetMixin, forms.Form):
    file = forms.FileField(
        label=_("Locality file (CSV or XLSX)"),
        help_text=_(
            "Columns: <code>code</code>, <code>name</code>, <code>parent_code</code>, "
            "<code>level</code>, <code>area_type</code>, and population columns such as "
            "<code>M|16-29</code> or <code>F|60+</code>."
        ),
    )

    sheet = sheet_field()

    def clean_file(self):
        return table_upload(self.cleaned_data["file"], "localities")


class AllocationForm(forms.Form):
    """A sampling plan for one frame; empty fields take the defaults of
    sampling.services.plans.Plan."""

    n = forms.IntegerField(
        label=_("Sample size"),
        min_value=1,
        required=False,
        help_text=_("Not needed for fixed sizes."),
    )
    strata = forms.MultipleChoiceField(
        label=_("Strata"),
        required=False,
        help_text=_("Every combination of these columns is a stratum. Default: the street."),
    )
    method = forms.ChoiceField(
        label=_("Allocation"), choices=Draw.Allocation.choices, required=False
    )
    minimum_per_stratum = forms.IntegerField(
        label=_("Minimum per stratum"), min_value=0, initial=0, required=False
    )
    sds = forms.CharField(
        label=_("Standard deviations (Neyman)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per stratum: <code>stratum,sd</code>"),
    )
    exponent = forms.FloatField(
        label=_("Exponent (power)"), min_value=0, max_value=1, required=False
    )
    fixed_sizes = forms.CharField(
        label=_("Sizes (fixed)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per stratum: <code>stratum,n</code> (a CSV file's text)."),
    )
    reserves = forms.IntegerField(
        label=_("Reserve replicates"), min_value=0, max_value=20, initial=0, required=False
    )
    reserve_fraction = forms.FloatField(
        label=_("Reserve size (share of the stratum's sample)"),
        min_value=0.01,
        max_value=10,
        initial=1.0,
        required=False,
    )
    sort_columns = forms.MultipleChoiceField(
        label=_("Sort by (systematic selection)"), required=False
    )
    exclude_recent_draws = forms.IntegerField(
        label=_("Exclude units of the last N draws"),
        min_value=0,
        max_value=50,
        initial=0,
        required=False,
    )

    def __init__(
        self, *args, columns: Sequence[str] = (), sort_columns: Sequence[str] = (), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["strata"].choices = [(c, column_label(c)) for c in columns]
        self.fields["sort_columns"].choices = [
            (c, column_label(c)) for c in sort_columns or columns
        ]

    def clean(self):
        data = super().clean()
        method = data.get("method") or "proportional"
        if method != "fixed" and not data.get("n") and "n" not in self.errors:
            self.add_error("n", _("Give the sample size."))
        for field, what, integer in (("sds", "sd", False), ("fixed_sizes", "n", True)):
            if data.get(field):
                try:
                    data[field] = read_stratum_values(text=data[field], what=what, integer=integer)
                except SamplingInputError as error:
                    for problem in error.errors:
                        self.add_error(field, problem)
            else:
                data[field] = None
        return data

    def plan(self) -> Plan:
        data = self.cleaned_data
        return Plan(
            n=data.get("n"),
            strata=tuple(data.get("strata") or (STRATUM_COLUMN,)),
            method=data.get("method") or "proportional",
            minimum_per_stratum=data.get("minimum_per_stratum") or 0,
            sds=data.get("sds"),
            exponent=data.get("exponent"),
            fixed_sizes=data.get("fixed_sizes"),
            reserves=data.get("reserves") or 0,
            reserve_fraction=data.get("reserve_fraction") or 1.0,
            sort_columns=tuple(data.get("sort_columns") or ()),
            exclude_recent_draws=data.get("exclude_recent_draws") or 0,
        )


class DrawForm(AllocationForm):
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=MAX_SEED,
        required=False,
        help_text=_("Leave empty for a random seed; it is recorded either way."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
