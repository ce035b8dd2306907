"""The editions page of a wave: freeze, sign off, compare, download (analysts and
supervisors; clients read the latest signed edition through the results page)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import require_role
from accounts.models import Role
from audit.kinds import Kind
from audit.services import record
from jobs.presenters import error_text, job_row
from scoring import edition_jobs, editions, presenters, selectors
from scoring.edition_diff import compare_reports
from scoring.models import Edition
from scoring.results import results_or_job

STAFF = (Role.ANALYST, Role.SUPERVISOR)


@require_role(*STAFF)
def edition_list(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The wave's editions, newest first, each with its districts' reports; POST
    action=freeze (analyst: a job freezes the edition and every district's report, and
    this page shows its progress) or action=sign with edition=<number>; ?a=<number>&b=<number>
    compares two (default: the newest against the latest signed one before it, else the
    newest two)."""
    wave = get_object_or_404(selectors.visible_waves(request.user), pk=wave_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "freeze":
                edition_jobs.start_freeze(wave=wave, user=request.user)
                messages.success(request, _("Freezing a new edition: the progress is shown here."))
            else:
                edition = get_object_or_404(wave.editions, number=request.POST.get("edition"))
                editions.sign_off(edition=edition, user=request.user)
                messages.success(request, _("Edition %(n)s signed off.") % {"n": edition.number})
        except editions.EditionError as error:
            messages.error(request, str(error))
        return redirect("scoring:editions", wave_id=wave.pk)
    listed = list(
        wave.editions.select_related("frozen_by", "signed_by").prefetch_related("districts")
    )
    for edition in listed:  # an automatic draft names what caused it
        edition.cause_lines = presenters.cause_lines(edition.cause or {})
    # the current inputs' hash from the computed results (never computed in this request)
    current = results_or_job(wave=wave, user=request.user)
    current_hash = (current.value or {}).get("input_hash") if not current.stale else None
    freezing = edition_jobs.open_freeze(wave)
    failed = edition_jobs.last_failure(wave)
    context = {
        "wave": wave,
        "editions": listed,
        "can_freeze": request.user.role == Role.ANALYST,
        "can_review": request.user.role == Role.ANALYST,  # a team leader may not see it
        "changed_since": listed[0]
        if listed and current_hash and listed[0].input_hash != current_hash
        else None,
        "comparison": _comparison(request, listed),
        "freezing": job_row(freezing) if freezing is not None else None,
        "freeze_error": error_text(failed) if failed is not None else "",
        "can_poll": freezing is not None
        and (request.user.role == Role.ANALYST or freezing.created_by_id == request.user.pk),
    }
    return render(request, "scoring/editions.html", context)


def _comparison(request: HttpRequest, listed: list[Edition]) -> dict | None:
    by_number = {e.number: e for e in listed}
    try:
        a, b = int(request.GET.get("a", 0)), int(request.GET.get("b", 0))
    except ValueError:
        a = b = 0
    if a not in by_number or b not in by_number:
        if len(listed) < 2:
            return None
        newest = listed[0]
        signed = [e for e in listed[1:] if e.state == Edition.State.SIGNED]
        earlier = signed[0] if newest.state == Edition.State.DRAFT and signed else listed[1]
        a, b = earlier.number, newest.number
    diff = compare_reports(by_number[a].report, by_number[b].report)
    return {
        "a": by_number[a],
        "b": by_number[b],
        "headline": diff["headline"],
        "districts": [row for row in diff["districts"] if row["changed"]],
        "streets": [row for row in diff["streets"] if row["changed"]],
    }


@require_role(*STAFF)
def edition_file(request: HttpRequest, wave_id: int, number: int, kind: str) -> HttpResponse:
    """The frozen PDF or workbook of one edition."""
    wave = get_object_or_404(selectors.visible_waves(request.user), pk=wave_id)
    edition = get_object_or_404(wave.editions, number=number)
    name = f"results-wave-{wave.pk}-edition-{edition.number}"
    return _file(request, wave, edition, kind, name)


@require_role(*STAFF)
def district_file(
    request: HttpRequest, wave_id: int, number: int, code: str, kind: str
) -> HttpResponse:
    """One district's frozen PDF or workbook of an edition (from the file storage)."""
    wave = get_object_or_404(selectors.visible_waves(request.user), pk=wave_id)
    edition = get_object_or_404(wave.editions, number=number)
    part = get_object_or_404(edition.districts, code=code)
    return _file(
        request, wave, part, kind, f"results-wave-{wave.pk}-edition-{edition.number}-{code}"
    )


def _file(request: HttpRequest, wave, holder, kind: str, name: str) -> HttpResponse:
    if kind == "pdf":
        content, mime = editions.edition_file_bytes(holder.pdf), "application/pdf"
    elif kind == "xlsx":
        content = editions.edition_file_bytes(holder.xlsx)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404(_("No such file."))
    record(Kind.DOWNLOAD, request=request, wave=wave, subject=f"{name}.{kind}")
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    response["Cache-Control"] = "no-store"
    return response
