"""Rolling a newer questionnaire version out mid-field, and the account of who used which.

The wave page includes templates/fieldwork/_versions.html, which reads `version_rows` and
`switch_form` through the `rollout` template tags; the switch itself posts to `switch_version`.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.access import STAFF, require_role
from fieldwork import services
from fieldwork.models import Interview, Wave
from questionnaires.models import QuestionnaireVersion


class VersionSwitchForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_lazy("Newer version"), queryset=QuestionnaireVersion.objects.none()
    )

    def __init__(self, *args, wave: Wave, **kwargs):
        super().__init__(*args, **kwargs)
        current = wave.questionnaire_version
        self.fields["version"].queryset = QuestionnaireVersion.objects.filter(
            questionnaire_id=current.questionnaire_id,
            number__gt=current.number,
            published_at__isnull=False,
        ).order_by("-number")


def version_rows(wave: Wave) -> list[dict]:
    """Per questionnaire version used in the wave: interviews started and completed.

    [{"version": "标题 v2", "number": 2, "current": bool, "started": int, "completed": int}],
    oldest version first; the wave's current version is listed even before its first interview.
    """
    counts = (
        Interview.objects.filter(case__wave=wave)
        .values("questionnaire_version")
        .annotate(
            started=Count("pk"),
            completed=Count("pk", filter=Q(status=Interview.Status.COMPLETED)),
        )
    )
    by_version = {row["questionnaire_version"]: row for row in counts}
    ids = set(by_version) | {wave.questionnaire_version_id}
    versions = QuestionnaireVersion.objects.filter(pk__in=ids).only("pk", "title", "number")
    return [
        {
            "version": str(version),
            "number": version.number,
            "current": version.pk == wave.questionnaire_version_id,
            "started": by_version.get(version.pk, {}).get("started", 0),
            "completed": by_version.get(version.pk, {}).get("completed", 0),
        }
        for version in sorted(versions, key=lambda v: v.number)
    ]


@require_role(*STAFF)
@require_POST
def switch_version(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave.objects.select_related("questionnaire_version"), pk=wave_id)
    form = VersionSwitchForm(request.POST, wave=wave)
    if not form.is_valid():
        messages.error(request, _("Choose a newer version of this questionnaire."))
        return redirect("fieldwork:wave_detail", wave_id=wave.pk)
    try:
        services.switch_wave_version(wave=wave, version=form.cleaned_data["version"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("New interviews use %(version)s; interviews already started keep theirs.")
            % {"version": wave.questionnaire_version},
        )
    return redirect("fieldwork:wave_detail", wave_id=wave.pk)
