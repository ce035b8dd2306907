"""The editions page of a wave: freeze, sign off, compare, download (analysts and
supervisors; clients read the latest signed edition through the results page)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import require_role
from accounts.models import Role
from scoring import editions, selectors
from scoring.edition_diff import compare_reports
from scoring.models import Edition

STAFF = (Role.ANALYST, Role.SUPERVISOR)


@require_role(*STAFF)
def edition_list(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The wave's editions, newest first; POST action=freeze (analyst) or action=sign with
    edition=<number>; ?a=<number>&b=<number> compares two (default: the newest two)."""
    wave = get_object_or_404(selectors.visible_waves(request.user), pk=wave_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "freeze":
                edition = editions.freeze_edition(wave=wave, user=request.user)
                messages.success(
                    request, _("Edition %(n)s frozen as a draft.") % {"n": edition.number}
                )
            else:
                edition = get_object_or_404(wave.editions, number=request.POST.get("edition"))
                editions.sign_off(edition=edition, user=request.user)
                messages.success(request, _("Edition %(n)s signed off.") % {"n": edition.number})
        except editions.EditionError as error:
            messages.error(request, str(error))
        return redirect("scoring:editions", wave_id=wave.pk)
    listed = list(wave.editions.select_related("frozen_by", "signed_by"))
    current_hash, _weights = editions.input_hash(wave=wave)
    context = {
        "wave": wave,
        "editions": listed,
        "can_freeze": request.user.role == Role.ANALYST,
        "changed_since": listed[0] if listed and listed[0].input_hash != current_hash else None,
        "comparison": _comparison(request, listed),
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
        a, b = listed[1].number, listed[0].number
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
    if kind == "pdf":
        content, mime = bytes(edition.pdf), "application/pdf"
    elif kind == "xlsx":
        content = bytes(edition.xlsx)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404(_("No such file."))
    response = HttpResponse(content, content_type=mime)
    name = f"results-wave-{wave.pk}-edition-{edition.number}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
