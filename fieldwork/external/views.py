from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.access import require_role
from accounts.models import Role
from common.ids import parse_id
from fieldwork.external.forms import ExternalImportForm
from fieldwork.external.jobs import EXTERNAL_IMPORT, start_external_import
from fieldwork.external.presenters import external_import
from jobs.models import Job


@require_role(Role.ANALYST)
def external_import_page(request: HttpRequest) -> HttpResponse:
    """Upload another system's export; the import runs as a job whose outcome this page shows
    (?job=<id>, polled until it ends)."""
    form = ExternalImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start_external_import(
            file=upload,
            source_name=upload.name,
            name=form.cleaned_data["name"],
            client=form.cleaned_data["client"],
            version=form.cleaned_data["version"],
            options=form.options(),
            user=request.user,
        )
        return redirect(f"{reverse('fieldwork:external_import')}?job={job.pk}")
    job_id = parse_id(request.GET.get("job"))
    job = (
        Job.objects.filter(pk=job_id, kind=EXTERNAL_IMPORT, created_by=request.user).first()
        if job_id is not None
        else None
    )
    if job is not None and request.method != "POST":
        form = ExternalImportForm(initial=ExternalImportForm.initial_from(job.params))
    context: dict = {"form": form}
    if job is not None:
        context.update(external_import(job))
    return render(request, "fieldwork/external_import.html", context)
