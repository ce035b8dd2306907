"""Forms of the index pages: objective-indicator upload, an AHP judgement matrix, shares."""

from fractions import Fraction
from pathlib import Path

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.tables import TableError
from common.tables.texts import describe_all, limits
from common.translatable import Translatable, translated
from scoring.index import ahp
from scoring.index.objective import ObjectiveError
from scoring.index.objective_files import read_table

MATRIX_LABELS = "element"  # the name of a matrix's first column, whose header cell is blank


def _table_file(upload, kind: str = "indicators"):
    if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
        raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
    caps = limits(kind)
    if upload.size > caps.max_bytes:
        raise forms.ValidationError(
            _("The file is larger than %(max_mb)s MB, the limit for this kind of file.")
            % {"max_mb": caps.max_mb}
        )
    return upload


class ObjectiveUploadForm(forms.Form):
    values = forms.FileField(
        label=_("Values (CSV or XLSX)"),
        help_text=_(
            "Columns <code>locality_code</code>, <code>indicator</code>, <code>value</code> — "
            "or <code>locality_code</code> and one "
            "column per indicator."
        ),
    )
    rules = forms.FileField(
        label=_("Scoring rules (CSV or XLSX)"),
        required=False,
        help_text=_(
            "Columns <code>indicator</code>, <code>name</code>, <code>unit</code>, "
            "<code>weight</code>, <code>direction</code>, <code>target</code>, <code>bands</code>, "
            "<code>deduction</code>, <code>floor</code>, <code>cap</code>. Needed the first time "
            "an indicator is imported."
        ),
    )

    def clean_values(self):
        return _table_file(self.cleaned_data["values"])

    def clean_rules(self):
        upload = self.cleaned_data.get("rules")
        return _table_file(upload) if upload else None


class SharesForm(forms.Form):
    survey_share = forms.FloatField(label=_("Survey share"), min_value=0, max_value=1)
    objective_share = forms.FloatField(label=_("Objective share"), min_value=0, max_value=1)


def reciprocal(text: str) -> str:
    """The judgement the other way round, as a fraction: "3" → "1/3", "1/5" → "5"."""
    value = Fraction(str(ahp.parse_judgement(text))).limit_denominator(1000)
    if value <= 0:
        raise ValueError(Translatable(ahp.NOT_POSITIVE, value=text))
    return str(1 / value)


class AHPMatrixForm(forms.Form):
    """Judgements for the children of one parent: the upper triangle is typed (or a CSV/XLSX
    matrix uploaded); the lower triangle is its reciprocal."""

    matrix_file = forms.FileField(
        label=_("Or upload a matrix (CSV or XLSX)"),
        required=False,
        help_text=_("First row and first column: the element codes."),
    )

    def __init__(
        self,
        *args,
        parent: str,
        labels: list[str],
        names: dict[str, str] | None = None,
        initial_matrix=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.labels = list(labels)
        self.names = {code: (names or {}).get(code) or code for code in self.labels}
        for i, a in enumerate(self.labels):
            for j in range(i + 1, len(self.labels)):
                initial = str(initial_matrix[i][j]) if initial_matrix else "1"
                self.fields[f"cell_{i}_{j}"] = forms.CharField(
                    label=f"{self.names[a]} / {self.names[self.labels[j]]}",
                    initial=initial,
                    required=False,
                    max_length=20,
                )

    def cell_name(self, i: int, j: int) -> str:
        return self[f"cell_{i}_{j}"].html_name

    def rows(self) -> list[list]:
        """For the template: the matrix as (label, [cell]) where a cell is a bound field
        (upper triangle), "1" (diagonal) or None (lower triangle, computed)."""
        out = []
        for i, label in enumerate(self.labels):
            cells = []
            for j in range(len(self.labels)):
                if j > i:
                    cells.append(self[f"cell_{i}_{j}"])
                else:
                    cells.append("1" if i == j else None)
            out.append((label, cells))
        return out

    def clean(self):
        cleaned = super().clean()
        if "matrix_file" in self.errors:  # an upload that failed: the cells were not meant
            return cleaned
        upload = cleaned.get("matrix_file")
        if upload:
            _table_file(upload, "matrix")
            cleaned["matrix"] = self._read_upload(upload)
            return cleaned
        n = len(self.labels)
        matrix = [["1"] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                text = (cleaned.get(f"cell_{i}_{j}") or "").strip()
                try:
                    matrix[j][i] = reciprocal(text)
                except ValueError as err:
                    problem = translated(err.args[0] if err.args else str(err), gettext)
                    where = self.fields[f"cell_{i}_{j}"].label
                    message = gettext("%(where)s: %(problem)s")
                    self.add_error(f"cell_{i}_{j}", message % {"where": where, "problem": problem})
                    continue
                matrix[i][j] = text
        cleaned["matrix"] = matrix
        return cleaned

    def _read_upload(self, upload) -> list[list[str]]:
        try:
            table = read_table(
                upload.read(),
                upload.name,
                limits=limits("matrix"),
                first_column_name=MATRIX_LABELS,
            )
        except ObjectiveError as err:
            raise forms.ValidationError([translated(e, gettext) for e in err.errors]) from err
        except TableError as err:
            raise forms.ValidationError(describe_all(err)) from err
        header = list(table.columns[1:])
        row_labels = table.iloc[:, 0].tolist()
        if sorted(header) != sorted(self.labels) or sorted(row_labels) != sorted(self.labels):
            raise forms.ValidationError(
                _("%(name)s: the first row and column must be exactly %(labels)s.")
                % {"name": upload.name, "labels": ", ".join(self.labels)}
            )
        by_label = table.set_index(table.columns[0])
        return [[by_label.loc[a, b] for b in self.labels] for a in self.labels]


def matrix_forms(
    levels: list[dict], *, data=None, files=None, posted: str | None = None
) -> dict[str, AHPMatrixForm]:
    """An AHPMatrixForm per level of scoring.index.presenters.weight_levels, keyed by the
    parent's code; only the `posted` parent's form is bound to `data` and `files`."""
    forms_by_parent: dict[str, AHPMatrixForm] = {}
    for level in levels:
        bound = posted == level["code"]
        forms_by_parent[level["code"]] = AHPMatrixForm(
            data if bound else None,
            files if bound else None,
            parent=level["code"],
            labels=[child["code"] for child in level["children"]],
            names={child["code"]: child["label"] for child in level["children"]},
            initial_matrix=level["matrix"],
            prefix=f"m{len(forms_by_parent)}",
        )
    return forms_by_parent
