"""The wave's satisfaction targets page (analysts set them; supervisors read them)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import require_role
from accounts.models import Role
from common.i18n import ui_language_code
from common.labels import localized
from questionnaires.xlsform import dimension_order
from scoring import selectors, services
from scoring.forms import TargetsForm
from scoring.models import WaveTarget


@require_role(Role.ANALYST, Role.SUPERVISOR)
def targets(request: HttpRequest, wave_id: int) -> HttpResponse:
    """One optional target per measure and per dimension; the short board lists the places
    and dimensions below them (scoring.targets)."""
    wave = get_object_or_404(
        selectors.visible_waves(request.user).select_related("questionnaire_version"),
        pk=wave_id,
    )
    definition = wave.questionnaire_version.definition
    labels = definition.get("dimensions", {})
    language = ui_language_code()
    dimensions = [
        (code, localized(labels.get(code, {}), language) or code)
        for code in dimension_order(definition)
    ]
    current = {
        t.measure: t for t in WaveTarget.objects.filter(wave=wave).select_related("updated_by")
    }
    can_set = request.user.role == Role.ANALYST
    form = TargetsForm(
        request.POST if request.method == "POST" and can_set else None,
        initial={measure: t.value for measure, t in current.items()},
        dimensions=dimensions,
    )
    if form.is_valid():
        try:
            services.set_targets(wave=wave, user=request.user, targets=form.targets())
        except services.WeightingInputError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Targets saved; the results are recomputed with them."))
            return redirect("scoring:targets", wave_id=wave.pk)
    last = max(current.values(), key=lambda t: t.updated_at, default=None)
    context = {"wave": wave, "form": form, "can_set": can_set, "last": last}
    return render(request, "scoring/targets.html", context)
