"""Setting a wave's audio audits from its overview."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import STAFF, require_role
from fieldwork.audits.forms import AudioAuditForm
from fieldwork.audits.services import set_audio_audits
from fieldwork.workspace.views import _wave


@require_role(*STAFF)
@require_POST
def wave_audio_audits(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    form = AudioAuditForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("fieldwork:wave_detail", wave_id=wave.pk)
    try:
        set_audio_audits(wave=wave, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Audio audits are saved."))
    return redirect("fieldwork:wave_detail", wave_id=wave.pk)
