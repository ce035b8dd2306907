"""The index pages: the composite index of a wave (results readers), objective-indicator
upload and the weights/AHP page (analysts)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import RESULTS_READERS, require_role
from accounts.models import Role
from fieldwork.models import Wave
from jobs.computed import poll_reply
from jobs.presenters import computed_state
from sampling.models import Level
from scoring import editions, selectors
from scoring.index import presenters, services
from scoring.index.computed import index_or_job
from scoring.index.forms import AHPMatrixForm, ObjectiveUploadForm, SharesForm, matrix_forms
from scoring.presenters import interim_note

SHARES = "_shares"  # the `parent` the shares form posts, beside the matrices' parent codes


def _wave(request: HttpRequest, wave_id: int) -> Wave:
    waves = selectors.visible_waves(request.user).select_related("questionnaire_version")
    return get_object_or_404(waves, pk=wave_id)


def _weight_levels(wave: Wave, weights: services.IndexWeights) -> list[dict]:
    return presenters.weight_levels(
        wave,
        tree=weights.tree,
        resolved=weights.resolved,
        given=weights.given,
        matrices=weights.scheme.matrices,
    )


@require_role(*RESULTS_READERS)
def index(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Composite index by district or street (?level=street), with rank and rank change.

    Staff read the live index, computed by a job (scoring.index.computed) and never in the
    request: meanwhile the page shows the newest index computed (or a waiting card) and
    reloads itself when the job has ended. A client reads the signed edition's."""
    if (reply := poll_reply(request)) is not None:
        return reply
    wave = _wave(request, wave_id)
    level = request.GET.get("level")
    level = level if level in services.LEVELS else Level.DISTRICT
    context = {"wave": wave, "level": level, "levels": services.LEVELS, "error": None}
    if request.user.role == Role.CLIENT:
        return _signed_index(request, wave, context)
    computed = index_or_job(wave=wave, user=request.user)
    _show_index(context, (computed.value or {}).get(level) or {})
    state = computed_state(computed)
    context.update(
        weight_levels=_weight_levels(wave, services.current_weights(wave)),
        indicators=presenters.objective_indicators(wave),
        can_manage=request.user.role == Role.ANALYST,
        interim_note=interim_note(selectors.interim_status(wave)),
        job=state["job"],
        computing=state["computing"],
        updating=state["updating"],
        job_error=state["error"],
    )
    return render(request, "scoring/index_overview.html", context)


def _show_index(context: dict, frozen: dict) -> None:
    """The context of one level of an index as scoring.editions.index_parts keeps it."""
    context.update(
        rows=frozen.get("rows", []),
        short_boards=frozen.get("short_boards", []),
        shares=frozen.get("shares"),
        previous_wave={"name": frozen["previous_wave"]} if frozen.get("previous_wave") else None,
        error=frozen.get("error") or context["error"],
    )


def _signed_index(request: HttpRequest, wave: Wave, context: dict) -> HttpResponse:
    """A client reads the index of the latest signed edition (a district sub-client: its
    district's part), never the live figures."""
    edition = editions.latest_signed(wave)
    report = editions.edition_report(edition, editions.client_district(request.user)) or {}
    frozen = (report.get("index") or {}).get(context["level"])
    context["no_edition"] = frozen is None
    _show_index(context, frozen or {})
    context.update(weight_levels=[], indicators=[], can_manage=False, edition=edition)
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
            problems = err.texts()
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
    of the composite index. A POST names the form it comes from in `parent`."""
    wave = _wave(request, wave_id)
    weights = services.current_weights(wave)
    levels = _weight_levels(wave, weights)
    posted = request.POST.get("parent") if request.method == "POST" else None
    shares_form = SharesForm(
        request.POST if posted == SHARES else None,
        initial={
            "survey_share": weights.scheme.survey_share,
            "objective_share": weights.scheme.objective_share,
        },
    )
    forms_by_parent = matrix_forms(levels, data=request.POST, files=request.FILES, posted=posted)
    if posted == SHARES and _save_shares(request, wave, shares_form):
        return redirect("scoring:index_weights", wave_id=wave.pk)
    if posted in forms_by_parent and _save_matrix(request, wave, forms_by_parent[posted]):
        return redirect("scoring:index_weights", wave_id=wave.pk)
    for level in levels:
        level["form"] = forms_by_parent[level["code"]]
    return render(
        request,
        "scoring/index_weights.html",
        {"wave": wave, "levels": levels, "shares_form": shares_form},
    )


def _save_shares(request: HttpRequest, wave: Wave, form: SharesForm) -> bool:
    """Store valid shares (a message says so); else the form carries the errors."""
    if not form.is_valid():
        return False
    try:
        services.set_shares(wave=wave, user=request.user, **form.cleaned_data)
    except services.IndexInputError as err:
        form.add_error(None, "; ".join(err.texts()))
        return False
    messages.success(request, _("Shares saved."))
    return True


def _save_matrix(request: HttpRequest, wave: Wave, form: AHPMatrixForm) -> bool:
    """Store a valid, consistent matrix and its weights (a message gives the CR); else the
    form carries the errors."""
    if not form.is_valid():
        return False
    try:
        result = services.set_ahp_matrix(
            wave=wave,
            parent=form.parent,
            labels=form.labels,
            matrix=form.cleaned_data["matrix"],
            user=request.user,
        )
    except services.IndexInputError as err:
        form.add_error(None, "; ".join(err.texts()))
        return False
    messages.success(request, _("Weights saved (CR = %(cr).3f).") % {"cr": result.cr})
    return True
