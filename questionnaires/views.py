from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import STAFF, require_role
from accounts.models import Role
from common.i18n import ui_language_code
from questionnaires import presenters
from questionnaires.forms import UploadForm
from questionnaires.models import QuestionnaireVersion
from questionnaires.services import import_questionnaire_version, load_standard_questionnaire
from questionnaires.xlsform import XLSFormError
from questionnaires.xlsform_export import export_workbook

MAX_WARNINGS_SHOWN = 10  # pyxform's and ours: languages missing texts, logic not run yet
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Everyone on the firm's staff reads questionnaires (supervisors brief interviewers with them);
# publishing a version is the analysts' job.


@require_role(*STAFF)
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "questionnaires/questionnaire_list.html",
        {
            "questionnaires": presenters.questionnaire_list(),
            "can_publish": request.user.role == Role.ANALYST,
        },
    )


@require_role(*STAFF)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    return render(
        request,
        "questionnaires/version_detail.html",
        {
            "version": presenters.version_detail(version, ui_language_code()),
            "history": presenters.version_history(version),
        },
    )


@require_role(*STAFF)
def version_changes(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    return render(
        request,
        "questionnaires/version_changes.html",
        {"changes": presenters.version_changes(version, ui_language_code())},
    )


def _version(pk: int) -> QuestionnaireVersion:
    return get_object_or_404(
        QuestionnaireVersion.objects.select_related("questionnaire", "published_by").defer(
            "source_xlsx", "xform_xml"
        ),
        pk=pk,
    )


@require_role(Role.ANALYST)
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    import_errors: list[dict] = []
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            version = import_questionnaire_version(
                data=upload_file.read(),
                source_name=upload_file.name,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"] or None,
                user=request.user,
                attachments={f.name: f.read() for f in form.cleaned_data["attachments"]},
            )
        except XLSFormError as err:
            import_errors = presenters.import_errors(err.errors)
        except ValidationError as err:
            form.add_error("code", err)
        else:
            messages.success(
                request,
                _("Published %(code)s version %(number)s.")
                % {"code": version.questionnaire.code, "number": version.number},
            )
            for warning in version.import_warnings[:MAX_WARNINGS_SHOWN]:
                messages.warning(request, warning)
            return redirect("questionnaires:version_detail", pk=version.pk)
    return render(
        request, "questionnaires/upload.html", {"form": form, "import_errors": import_errors}
    )


@require_role(Role.ANALYST)
@require_POST
def load_standard(request: HttpRequest) -> HttpResponse:
    version = load_standard_questionnaire(user=request.user)
    return redirect("questionnaires:version_detail", pk=version.pk)


@require_role(*STAFF)
def download(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(
        QuestionnaireVersion.objects.only("source_name", "source_xlsx"), pk=pk
    )
    response = HttpResponse(bytes(version.source_xlsx), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=version.source_name
    )
    return response


@require_role(*STAFF)
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The definition written back as an XLSForm workbook (as parsed, not the uploaded file)."""
    version = get_object_or_404(
        QuestionnaireVersion.objects.select_related("questionnaire").only(
            "number", "definition", "questionnaire__code"
        ),
        pk=pk,
    )
    response = HttpResponse(export_workbook(version.definition), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{version.questionnaire.code}-v{version.number}.xlsx"
    )
    return response


@require_role(*STAFF)
def printable(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """The questionnaire as a PDF in one of its languages, for training and paper back-up."""
    version = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk)
    if language not in version.definition.get("languages", []):
        raise Http404
    # reportlab and pyxform only in the processes that print, not in every web worker
    from questionnaires import printout

    response = HttpResponse(printout.printable_pdf(version, language),
                            content_type="application/pdf")  # fmt: skip
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False,
        filename=f"{version.questionnaire.code}-v{version.number}-{language}.pdf",
    )
    return response
