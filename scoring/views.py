from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import RESULTS_READERS, require_role
from fieldwork.models import Wave
from scoring import pdf, presenters, selectors
from scoring.frames import AnswerError

REPORT_FONT = "fonts/wqy-microhei.ttc"


@require_role(*RESULTS_READERS)
def results(request: HttpRequest) -> HttpResponse:
    """Scores of one wave (?wave=<id>; default: the newest wave with approved interviews)."""
    waves = selectors.waves_with_results(request.user)
    wave = _chosen_wave(request.GET.get("wave"), waves)
    report, error = None, None
    if wave is not None:
        try:
            report = presenters.wave_results(wave)
        except AnswerError as err:
            error = str(err)
    return render(
        request,
        "scoring/results.html",
        {"waves": waves, "wave": wave, "report": report, "error": error},
    )


@require_role(*RESULTS_READERS)
def report_pdf(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The wave's results report as a PDF download."""
    wave = get_object_or_404(
        selectors.visible_waves(request.user).select_related("questionnaire_version"), pk=wave_id
    )
    try:
        data = presenters.wave_results(wave)
    except AnswerError:
        # The results page names the offending interview and question.
        return redirect(f"{reverse('scoring:results')}?wave={wave.pk}")
    content = pdf.render_report(data, font_path=finders.find(REPORT_FONT))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="results-wave-{wave.pk}.pdf"'
    return response


def _chosen_wave(requested: str | None, waves: list[Wave]) -> Wave | None:
    if not requested:
        return waves[0] if waves else None
    for wave in waves:
        if str(wave.pk) == requested:
            return wave
    raise Http404(_("No results for this wave."))
