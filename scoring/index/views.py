"""The index pages: the composite index of a wave (results readers), objective-indicator
upload and the weights/AHP page (analysts)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import RESULTS_READERS, require_role
from accounts.models import Role
from fieldwork.models import Wave
from sampling.models import Level
from scoring import selectors
from scoring.index import presenters, services
from scoring.index.forms import AHPMatrixForm, ObjectiveUploadForm, SharesForm


def _wave(request: HttpRequest, wave_id: int) -> Wave:
    waves = selectors.visible_waves(request.user).select_related("questionnaire_version")
    return get_object_or_404(waves, pk=wave_id)


@require_role(*RESULTS_READERS)
def index(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Composite index by district or street (?level=street), with rank and rank change."""
    wave = _wave(request, wave_id)
    level = request.GET.get("level")
    level = level if level in services.LEVELS else Level.DISTRICT
    context = {"wave": wave, "level": level, "levels": services.LEVELS, "error": None}
    try:
        result = services.composite_index(wave=wave, level=level)
        boards = services.short_boards(wave=wave, level=level)
    except services.IndexInputError as err:
        context.update(error=str(err), rows=[], shares=None, previous_wave=None, short_boards=[])
    else:
        context.update(
            rows=presenters.composite_rows(result),
            short_boards=presenters.short_board_rows(wave, boards),
            shares={
                "survey": round(100 * result.survey_share),
                "objective": round(100 * result.objective_share),
            },
            previous_wave=result.previous_wave,
        )
    context.update(
        weight_levels=presenters.weight_levels(wave),
        indicators=presenters.objective_indicators(wave),
        can_manage=request.user.role == Role.ANALYST,
    )
    return render(request, "scoring/index_overview.html", context)


@require_role(Role.ANALYST)
def objective_upload(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Upload objective-indicator values (and rules) for a wave; errors listed, nothing
    partial stored."""
    wave = _wave(request, wave_id)
    form = ObjectiveUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        values, rules = form.cleaned_data["values"], form.cleaned_data["rules"]
        try:
            count = services.import_objective_indicators(
                wave=wave,
                values_file=values.read(),
                values_name=values.name,
                rules_file=rules.read() if rules else None,
                rules_name=rules.name if rules else "",
            )
        except services.IndexInputError as err:
            problems = err.errors
        else:
            messages.success(request, _("%(n)s values imported.") % {"n": count})
            return redirect("scoring:index", wave_id=wave.pk)
    return render(
        request,
        "scoring/index_objective.html",
        {
            "wave": wave,
            "form": form,
            "problems": problems,
            "indicators": presenters.objective_indicators(wave),
        },
    )


@require_role(Role.ANALYST)
def index_weights(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Weights of every level of the index: AHP matrices (with λmax and CR) and the shares
    of the composite index."""
    wave = _wave(request, wave_id)
    levels = presenters.weight_levels(wave)
    scheme = services.scheme_for_wave(wave)
    posted_parent = request.POST.get("parent") if request.method == "POST" else None
    shares_form = SharesForm(
        request.POST if posted_parent == "_shares" else None,
        initial={
            "survey_share": scheme.survey_share,
            "objective_share": scheme.objective_share,
        },
    )
    forms_by_parent = {}
    for level in levels:
        codes = [child["code"] for child in level["children"]]
        bound = posted_parent == level["code"]
        forms_by_parent[level["code"]] = AHPMatrixForm(
            request.POST if bound else None,
            request.FILES if bound else None,
            parent=level["code"],
            labels=codes,
            initial_matrix=level["matrix"],
            prefix=f"m{len(forms_by_parent)}",
        )

    if posted_parent == "_shares" and shares_form.is_valid():
        try:
            services.set_shares(wave=wave, user=request.user, **shares_form.cleaned_data)
        except services.IndexInputError as err:
            shares_form.add_error(None, str(err))
        else:
            messages.success(request, _("Shares saved."))
            return redirect("scoring:index_weights", wave_id=wave.pk)
    elif posted_parent in forms_by_parent:
        form = forms_by_parent[posted_parent]
        if form.is_valid():
            try:
                result = services.set_ahp_matrix(
                    wave=wave,
                    parent=posted_parent,
                    labels=form.labels,
                    matrix=form.cleaned_data["matrix"],
                    user=request.user,
                )
            except services.IndexInputError as err:
                form.add_error(None, "; ".join(err.errors))
            else:
                messages.success(
                    request,
                    _("Weights saved (CR = %(cr).3f).") % {"cr": result.cr},
                )
                return redirect("scoring:index_weights", wave_id=wave.pk)

    for level in levels:
        level["form"] = forms_by_parent[level["code"]]
    return render(
        request,
        "scoring/index_weights.html",
        {"wave": wave, "levels": levels, "shares_form": shares_form},
    )
