from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=_("XLSForm (.xlsx)"))
    code = forms.SlugField(
        label=_("Questionnaire code"),
        max_length=60,
        help_text=_("A new code creates a questionnaire; an existing code adds a version."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an .xlsx workbook."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
