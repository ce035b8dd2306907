from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.access import RESULTS_READERS, require_role
from accounts.models import Role
from audit.kinds import Kind
from audit.services import record
from common import spreadsheets
from fieldwork.models import Wave
from jobs.computed import Computed, poll_reply
from jobs.presenters import computed_state
from scoring import editions, selectors, services
from scoring.editions import client_district, edition_file_bytes, edition_report
from scoring.forms import NonresponseForm
from scoring.models import WaveWeighting
from scoring.presenters import interim_note
from scoring.report import tables
from scoring.results import dashboard_view, results_or_job

REPORT_FONT = "fonts/wqy-microhei.ttc"


@require_role(*RESULTS_READERS)
def results(request: HttpRequest) -> HttpResponse:
    """Scores of one wave (?wave=<id>; default: the newest wave with approved interviews),
    filtered by ?level=district|street, ?dimension=<code> and drilled into ?district=<code>.

    Results not yet computed for the wave's current state are computed by a job; meanwhile
    the page shows the newest results computed (or a waiting card) and asks every two seconds
    whether the job has ended (htmx), reloading itself when it has."""
    if (reply := poll_reply(request)) is not None:
        return reply
    waves = selectors.waves_with_results(request.user)
    wave = _chosen_wave(request.GET.get("wave"), waves)
    edition = district = None
    if wave is not None and request.user.role == Role.CLIENT:
        # a client reads the latest signed edition only, never results still moving; a
        # district sub-client only its district's part of it
        edition = editions.latest_signed(wave)
        district = client_district(request.user)
        computed = Computed(edition_report(edition, district), None, False)
    elif wave is not None:
        computed = results_or_job(wave=wave, user=request.user)
    else:
        computed = Computed(None, None, False)
    report, view = computed.value, None
    if report is not None:
        chosen = {key: request.GET.get(key) for key in ("level", "dimension", "district")}

        def link(params: dict) -> str:
            query = {"wave": wave.pk, **{k: v for k, v in chosen.items() if v}, **params}
            return "?" + urlencode({k: v for k, v in query.items() if v})

        view = dashboard_view(report, **chosen, link=link)
        for key in [k for k in view if k.endswith("_svg")]:
            view[key] = mark_safe(view[key])  # built with every text escaped (common.svg)
    context = {"waves": waves, "wave": wave, "report": report, "view": view, "edition": edition}
    context["district"] = district
    context["can_weight"] = request.user.role == Role.ANALYST
    context["is_client"] = request.user.role == Role.CLIENT
    if wave is not None and edition is None and not context["is_client"]:
        context["interim_note"] = interim_note(selectors.interim_status(wave))
    return render(request, "scoring/results.html", {**context, **computed_state(computed)})


@never_cache
@require_role(*RESULTS_READERS)
def report_pdf(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The wave's results report as a PDF download."""
    wave, data = _visible_results(request, wave_id)
    if data is None:
        return _results_page(wave)
    if "edition" in data:
        content = edition_file_bytes(data["edition"].pdf)
        return _download(request, wave, content, "application/pdf", f"results-wave-{wave.pk}.pdf")
    # reportlab (and its fonts) only in the processes that draw a PDF, not in every web worker
    from scoring.report import pdf

    content = pdf.render_report(data, font_path=finders.find(REPORT_FONT))
    return _download(request, wave, content, "application/pdf", f"results-wave-{wave.pk}.pdf")


@never_cache
@require_role(*RESULTS_READERS)
def report_xlsx(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Every table of the results as one workbook, a sheet per table."""
    wave, data = _visible_results(request, wave_id)
    if data is None:
        return _results_page(wave)
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if "edition" in data:
        content = edition_file_bytes(data["edition"].xlsx)
        return _download(request, wave, content, mime, f"results-wave-{wave.pk}.xlsx")
    content = spreadsheets.workbook_bytes(
        tables.report_tables(data),
        properties={
            "title": f"{wave.name} · {data['labels']['title']}",
            "creator": wave.client.name,
        },
    )
    return _download(request, wave, content, mime, f"results-wave-{wave.pk}.xlsx")


@never_cache
@require_role(*RESULTS_READERS)
def report_csv(request: HttpRequest, wave_id: int, table: str) -> HttpResponse:
    """One table of the results as CSV (UTF-8 with BOM), each row saying whether the results
    are interim (scoring.report.tables.csv_table)."""
    wave, data = _visible_results(request, wave_id)
    if data is None:
        return _results_page(wave)
    by_key = {t["key"]: t for t in tables.report_tables(data)}
    if table not in by_key:
        raise Http404(_("No such table."))
    content = spreadsheets.table_csv(tables.csv_table(data, by_key[table]))
    interim = "-interim" if data["interim_note"] else ""
    name = f"results-wave-{wave.pk}-{table}{interim}.csv"
    return _download(request, wave, content, "text/csv; charset=utf-8", name)


@require_role(Role.ANALYST)
def weighting(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The wave's weighting settings: how the weights are adjusted for nonresponse."""
    wave = get_object_or_404(selectors.visible_waves(request.user), pk=wave_id)
    current = WaveWeighting.objects.filter(wave=wave).select_related("updated_by").first()
    attributes = services.frame_attributes(wave)
    initial = {
        "nonresponse": current.nonresponse if current else WaveWeighting.Nonresponse.STRATUM,
        "attribute": current.attribute if current else "",
    }
    form = NonresponseForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        attributes=attributes,
    )
    if form.is_valid():
        try:
            services.set_nonresponse(
                wave=wave,
                user=request.user,
                method=form.cleaned_data["nonresponse"],
                attribute=form.cleaned_data["attribute"],
            )
        except services.WeightingInputError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Weighting saved; the results are recomputed with it."))
            return redirect("scoring:weighting", wave_id=wave.pk)
    context = {"wave": wave, "form": form, "current": current, "attributes": attributes}
    return render(request, "scoring/weighting.html", context)


def _visible_results(request: HttpRequest, wave_id: int) -> tuple[Wave, dict | None]:
    """The wave, if the user may read it (else 404), and its results; None when an answer
    cannot be scored."""
    wave = get_object_or_404(
        selectors.visible_waves(request.user).select_related("questionnaire_version"), pk=wave_id
    )
    if request.user.role == Role.CLIENT:
        edition = editions.latest_signed(wave)
        district = client_district(request.user)
        report = edition_report(edition, district)
        if report is None:
            raise Http404(_("No signed edition of these results yet."))
        files = edition
        if district is not None:
            files = edition.districts.get(code=district.code)
        return wave, {**report, "interim_note": "", "edition": files}
    # never computed here: the results of the current state, else the page (which shows the
    # job computing them, and the newest results meanwhile)
    computed = results_or_job(wave=wave, user=request.user)
    if computed.value is None or computed.stale:
        return wave, None
    return wave, {**computed.value, "interim_note": interim_note(selectors.interim_status(wave))}


def _results_page(wave: Wave) -> HttpResponse:
    # The results page names the offending interview and question.
    return redirect(f"{reverse('scoring:results')}?wave={wave.pk}")


def _download(
    request: HttpRequest, wave: Wave, content: bytes, content_type: str, filename: str
) -> HttpResponse:
    record(Kind.DOWNLOAD, request=request, wave=wave, subject=filename)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _chosen_wave(requested: str | None, waves: list[Wave]) -> Wave | None:
    if not requested:
        return waves[0] if waves else None
    for wave in waves:
        if str(wave.pk) == requested:
            return wave
    raise Http404(_("No results for this wave."))
