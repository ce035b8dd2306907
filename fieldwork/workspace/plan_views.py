"""Setting the wave's plan from its overview: target, fieldwork period, daily goal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import STAFF, require_role
from fieldwork.services import waves
from fieldwork.workspace.forms import WavePlanForm
from fieldwork.workspace.views import _wave, overview


@require_role(*STAFF)
@require_POST
def wave_plan(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    form = WavePlanForm(request.POST)
    if form.is_valid():
        try:
            waves.set_plan(wave=wave, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("fieldwork:wave_detail", wave_id=wave.pk)
    return overview(request, wave, plan_form=form, status=400)
