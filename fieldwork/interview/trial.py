"""Test mode for questionnaire designers: run any version's pages, storing nothing.

The same page forms and rules as the interview wizard (fieldwork.forms.PageForm,
fieldwork.flow.settle), but the answers live in the designer's session only, under
`trial_<version pk>`: {"answers": {...}, "history": [submitted steps], "step": str,
"language": code | None, "done": bool}. No interview, case or paradata row is written.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.access import STAFF, require_role
from common.labels import localized
from fieldwork import flow
from fieldwork.forms import ROSTER_RESIZE, PageForm, page_context
from fieldwork.wizard import (
    LANGUAGE_FIELD,
    SWITCH_LANGUAGE,
    choose_language,
    language_choices,
    questionnaire_language,
    resize_to,
)
from questionnaires.models import QuestionnaireVersion

BACK = "trial_back"


def _key(version: QuestionnaireVersion) -> str:
    return f"trial_{version.pk}"


def _fresh(definition: dict) -> dict:
    first = flow.relevant_groups(definition, {})
    return {"answers": {}, "history": [], "step": first[0]["name"] if first else "", "done": False}


def next_step(definition: dict, answers: dict, after: str) -> str | None:
    """The first page on the path after `after`, given the answers (None: the end)."""
    names = [group["name"] for group in definition["groups"]]
    on_path = {group["name"] for group in flow.relevant_groups(definition, answers)}
    later = names[names.index(after) + 1 :] if after in names else names
    return next((name for name in later if name in on_path), None)


@require_role(*STAFF)
def trial_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or restart) a test run of a questionnaire version."""
    version = get_object_or_404(QuestionnaireVersion, pk=pk)
    request.session[_key(version)] = _fresh(version.definition)
    return redirect("fieldwork:trial_page", pk=version.pk)


@require_role(*STAFF)
def trial_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The current page of a test run: shown on GET, checked and stored in the session on POST."""
    version = get_object_or_404(QuestionnaireVersion, pk=pk)
    definition = version.definition
    key = _key(version)
    state = request.session.get(key) or _fresh(definition)
    language_key = f"{key}_language"
    language = questionnaire_language(request.session, language_key, definition)
    today = timezone.localdate()

    def page_form(step: str, **kwargs) -> PageForm:
        return PageForm(
            prefix=step,
            initial=dict(state["answers"]),
            page=page_context(definition, step),
            answers=state["answers"],
            language=language,
            today=today,
            **kwargs,
        )

    step = state["step"]
    form = page_form(step) if step else None
    if request.method == "POST" and step and not state["done"]:
        data = request.POST
        if SWITCH_LANGUAGE in data or ROSTER_RESIZE in data:
            choose_language(request.session, language_key, definition, data.get(LANGUAGE_FIELD))
            language = questionnaire_language(request.session, language_key, definition)
            form = page_form(step, data=data).redisplayed(rows=resize_to(data), language=language)
        elif BACK in data and state["history"]:
            state["step"] = state["history"].pop()
            request.session[key] = state
            return redirect("fieldwork:trial_page", pk=version.pk)
        else:
            form = page_form(step, data=data)
            if form.is_valid():
                own = set(form.asked_names())
                before = {k: v for k, v in state["answers"].items() if k not in own}
                state["answers"] = flow.settle(
                    definition, before | form.page_answers(), today=today
                )
                state["history"].append(step)
                following = next_step(definition, state["answers"], step)
                state["step"] = following or step
                state["done"] = following is None
                request.session[key] = state
                return redirect("fieldwork:trial_page", pk=version.pk)
    group = page_context(definition, step)["group"] if step else {}
    context = {
        "version": version,
        "form": form,
        "state": state,
        "page_title": localized(group.get("label"), language),
        "outcome": flow.outcome(definition, state["answers"]) if state["done"] else "",
        "answers": sorted(state["answers"].items()),
        "languages": language_choices(definition),
        "language_field": LANGUAGE_FIELD,
        "current_language": language,
        "back": BACK,
        "is_final_page": bool(step) and step == definition["groups"][-1]["name"],
    }
    return render(request, "fieldwork/trial.html", context)
