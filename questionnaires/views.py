from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_role
from accounts.models import Role
from questionnaires import presenters
from questionnaires.forms import UploadForm
from questionnaires.models import QuestionnaireVersion
from questionnaires.services import import_questionnaire_version, load_standard_questionnaire
from questionnaires.xlsform import XLSFormError

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_role(Role.ANALYST)
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "questionnaires/questionnaire_list.html",
        {"questionnaires": presenters.questionnaire_list()},
    )


@require_role(Role.ANALYST)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(
        QuestionnaireVersion.objects.select_related("questionnaire", "published_by").defer(
            "source_xlsx"
        ),
        pk=pk,
    )
    return render(
        request,
        "questionnaires/version_detail.html",
        {"version": presenters.version_detail(version, get_language() or "zh-hans")},
    )


@require_role(Role.ANALYST)
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            version = import_questionnaire_version(
                data=upload_file.read(),
                source_name=upload_file.name,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"] or None,
                user=request.user,
            )
        except XLSFormError as err:
            for message in err.errors:
                form.add_error("file", message)
        except ValidationError as err:
            form.add_error("code", err)
        else:
            messages.success(
                request,
                _("Published %(code)s version %(number)s.")
                % {"code": version.questionnaire.code, "number": version.number},
            )
            return redirect("questionnaires:version_detail", pk=version.pk)
    return render(request, "questionnaires/upload.html", {"form": form})


@require_role(Role.ANALYST)
@require_POST
def load_standard(request: HttpRequest) -> HttpResponse:
    version = load_standard_questionnaire(user=request.user)
    return redirect("questionnaires:version_detail", pk=version.pk)


@require_role(Role.ANALYST)
def download(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(
        QuestionnaireVersion.objects.only("source_name", "source_xlsx"), pk=pk
    )
    response = HttpResponse(bytes(version.source_xlsx), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=version.source_name
    )
    return response
