"""Rolling a newer questionnaire version out to a wave, from its overview: interviews already
started keep theirs, and the user is told which questions the figures or quotas read moved."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import STAFF, require_role
from common.labels import localized
from fieldwork.forms import VersionSwitchForm
from fieldwork.models import Wave
from fieldwork.services import waves


@require_role(*STAFF)
@require_POST
def switch_version(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Roll a newer questionnaire version out to the wave; interviews started keep theirs."""
    wave = get_object_or_404(Wave.objects.select_related("questionnaire_version"), pk=wave_id)
    form = VersionSwitchForm(request.POST, wave=wave)
    if not form.is_valid():
        messages.error(request, _("Choose a newer version of this questionnaire."))
        return redirect("fieldwork:wave_detail", wave_id=wave.pk)
    try:
        switch = waves.switch_wave_version(wave=wave, version=form.cleaned_data["version"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("fieldwork:wave_detail", wave_id=wave.pk)
    messages.success(
        request,
        _("New interviews use %(version)s; interviews already started keep theirs.")
        % {"version": wave.questionnaire_version},
    )
    _warn_of_moved_questions(request, switch)
    return redirect("fieldwork:wave_detail", wave_id=wave.pk)


def _warn_of_moved_questions(request: HttpRequest, switch: waves.VersionSwitch) -> None:
    """Name, by their labels, the read questions a roll-out moved or dropped."""
    language = get_language()
    separator = "、" if (language or "").startswith("zh") else ", "

    def listed(questions: list[dict]) -> str:
        return separator.join(localized(q.get("label"), language) for q in questions)

    if switch.moved:
        messages.warning(
            request,
            _(
                "Moved to another group in the new version: %(questions)s. Interviews begun"
                " on the older version are matched to them by name; check that they still"
                " mean the same."
            )
            % {"questions": listed(switch.moved)},
        )
    if switch.gone:
        messages.warning(
            request,
            _(
                "Not in the new version: %(questions)s. Scores, weighting margins or quotas"
                " that read them count only interviews begun on the older version."
            )
            % {"questions": listed(switch.gone)},
        )
