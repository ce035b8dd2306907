"""The analyst's pages for people: add and edit users, deactivate leavers, teams and
organisations. Thin: access check → form → accounts.services.people → redirect or render."""

from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import presenters, selectors
from accounts.access import require_role
from accounts.forms import OrganisationForm, TeamForm, UserForm
from accounts.models import Organisation, Role, Team
from accounts.services import people


def _form_error(form, error: ValidationError) -> None:
    form.add_error(None, error)


@require_role(Role.ANALYST)
@never_cache
def user_create(request: HttpRequest) -> HttpResponse:
    """Add a user; their temporary password is shown once."""
    form = UserForm(request.POST or None, initial={"role": Role.INTERVIEWER})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = people.create_user(by=request.user, **data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            return render(
                request, "accounts/temporary_password.html", {"person": user, "password": password}
            )
    status = 400 if form.errors else 200
    context = {"form": form, "title": _("Add a user")}
    return render(request, "accounts/user_form.html", context, status=status)


def _history(row) -> list[LogEntry]:
    kind = ContentType.objects.get_for_model(type(row))
    return list(
        LogEntry.objects.filter(content_type=kind, object_id=str(row.pk))
        .select_related("user")
        .order_by("-action_time")[:20]
    )


@require_role(Role.ANALYST)
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(selectors.managed_users(analyst=request.user), pk=user_id)
    initial = {
        "full_name": str(person),
        "role": person.role,
        "organisation": person.organisation,
        "team": person.team,
    }
    form = UserForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            people.update_user(by=request.user, user=person, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": person})
            return redirect("accounts:user_edit", user_id=person.pk)
    context = {
        "form": form,
        "title": str(person),
        "person": person,
        "history": presenters.history_rows(_history(person)),
    }
    return render(request, "accounts/user_form.html", context, status=400 if form.errors else 200)


@require_role(Role.ANALYST)
@require_POST
def user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    """Deactivate a leaver (active=0) or bring them back (active=1)."""
    person = get_object_or_404(selectors.managed_users(analyst=request.user), pk=user_id)
    active = request.POST.get("active") == "1"
    try:
        people.set_active(by=request.user, user=person, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = _("%(name)s can log in again.") if active else _("%(name)s can no longer log in.")
        messages.success(request, text % {"name": person})
    return redirect("accounts:user_edit", user_id=person.pk)


@require_role(Role.ANALYST)
def team_list(request: HttpRequest) -> HttpResponse:
    """The teams with their supervisor and members; a form to add one."""
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = people.save_team(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Team %(name)s added.") % {"name": team})
            return redirect("accounts:team_list")
    context = {"form": form, "teams": presenters.team_rows(selectors.teams())}
    return render(request, "accounts/team_list.html", context, status=400 if form.errors else 200)


@require_role(Role.ANALYST)
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_id)
    initial = {"name": team.name, "supervisor": team.supervisor}
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            people.save_team(by=request.user, team=team, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Team %(name)s saved.") % {"name": team})
            return redirect("accounts:team_list")
    context = {
        "form": form,
        "team": team,
        "members": team.members.order_by("-is_active", "first_name", "username"),
        "history": presenters.history_rows(_history(team)),
    }
    return render(request, "accounts/team_form.html", context, status=400 if form.errors else 200)


@require_role(Role.ANALYST)
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = people.save_organisation(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": organisation})
            return redirect("accounts:organisation_list")
    context = {"form": form, "organisations": selectors.organisations()}
    status = 400 if form.errors else 200
    return render(request, "accounts/organisation_list.html", context, status=status)


@require_role(Role.ANALYST)
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    initial = {"name": organisation.name, "kind": organisation.kind}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            people.save_organisation(
                by=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": organisation})
            return redirect("accounts:organisation_list")
    context = {"form": form, "organisation": organisation}
    status = 400 if form.errors else 200
    return render(request, "accounts/organisation_form.html", context, status=status)
