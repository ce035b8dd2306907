from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS_BYTES = 20 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); an empty list when none."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    file = forms.FileField(label=_("XLSForm (.xlsx or .xls)"))
    attachments = MultipleFileField(
        label=_("Media and data files"),
        required=False,
        help_text=_(
            "The CSV or XML files of <code>select_one_from_file</code>, <code>pulldata()</code> "
            "and <code>instance()</code>, and the "
            "form's images, under the names the form uses."
        ),
    )
    code = forms.SlugField(
        label=_("Questionnaire code"),
        max_length=60,
        help_text=_("A new code creates a questionnaire; an existing code adds a version."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xls")):
            raise forms.ValidationError(_("Upload an .xlsx or .xls workbook."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if sum(upload.size for upload in files) > MAX_ATTACHMENTS_BYTES:
            raise forms.ValidationError(_("The attached files are larger than 20 MB together."))
        names = [upload.name for upload in files]
        if len(set(names)) != len(names):
            raise forms.ValidationError(_("Two attached files have the same name."))
        return files
