from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import presenters, selectors
from accounts.access import has_authenticator, require_role, second_factor_compulsory
from accounts.forms import CodeForm, NewPasswordForm
from accounts.models import Role
from accounts.services import passwords
from accounts.services import second_factor as factors
from audit.kinds import Kind
from audit.services import record

HOME_BY_ROLE = {
    Role.INTERVIEWER: "fieldwork:my_cases",
    Role.SUPERVISOR: "fieldwork:wave_list",
    Role.ANALYST: "fieldwork:wave_list",
    Role.CLIENT: "scoring:results",
}


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it works from."""
    return redirect(HOME_BY_ROLE[request.user.role])


def _next_url(request: HttpRequest) -> str:
    """Where to go once a step is done: the page asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (it keeps the session and refuses a wrong current password),
    with our rules and, once done, the end of a temporary password's restriction."""

    form_class = NewPasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        passwords.password_changed(user=self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response

    def get_success_url(self) -> str:
        return _next_url(self.request)


def locked_out(request: HttpRequest, original_response, credentials) -> HttpResponse:
    """The page a login locked out by django-axes gets (AXES_LOCKOUT_CALLABLE), with 429."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
        },
        status=429,
    )


# The second factor.


def second_factor(request: HttpRequest) -> HttpResponse:
    """The user's second factor: whether it is on, backup codes left, set up or turn off."""
    return render(
        request,
        "accounts/second_factor.html",
        {
            "enabled": has_authenticator(request.user),
            "compulsory": second_factor_compulsory(request.user),
            "backup_codes_left": factors.backup_codes_left(user=request.user),
        },
    )


@never_cache
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the code, type what the app shows. The middleware sends
    an analyst without one here at login; a user who has one must have verified this session
    with it first (the middleware sends them to verify instead)."""
    form = CodeForm(request.POST or None)
    device = factors.enrolment_device(user=request.user)
    if request.method == "POST" and form.is_valid():
        outcome = factors.confirm_enrolment(user=request.user, code=form.cleaned_data["code"])
        if outcome.device is not None:
            otp_login(request, outcome.device)
            return _backup_codes_page(request, outcome.backup_codes, first=True)
        record(Kind.SECOND_FACTOR_FAILED, request=request, subject=request.user.username)
        form.add_error("code", _code_error(outcome))
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {"form": form, "setup": presenters.authenticator_setup(device), "next": _next_url(request)},
    )


@never_cache
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """Confirm this login with a code from the authenticator app or a backup code."""
    if request.user.is_verified() or not has_authenticator(request.user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = factors.verify_code(user=request.user, code=form.cleaned_data["code"])
        if outcome.device is not None:
            otp_login(request, outcome.device)
            return redirect(_next_url(request))
        record(Kind.SECOND_FACTOR_FAILED, request=request, subject=request.user.username)
        form.add_error("code", _code_error(outcome))
    return render(
        request, "accounts/second_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@require_POST
@never_cache
def backup_codes(request: HttpRequest) -> HttpResponse:
    """A new set of backup codes, shown once."""
    if not has_authenticator(request.user):
        return redirect("accounts:second_factor")
    return _backup_codes_page(request, factors.replace_backup_codes(user=request.user))


@require_POST
def second_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off: only for users whose role does not require it."""
    if second_factor_compulsory(request.user):
        raise PermissionDenied
    factors.remove_second_factor(user=request.user)
    messages.success(request, _("Two-step verification is off."))
    return redirect("accounts:second_factor")


def _backup_codes_page(request: HttpRequest, codes, *, first: bool = False) -> HttpResponse:
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "first": first, "next": _next_url(request)},
    )


def _code_error(outcome: factors.Verification) -> str:
    if outcome.wait_seconds:
        return ngettext(
            "Too many wrong codes: try again in %(seconds)d second.",
            "Too many wrong codes: try again in %(seconds)d seconds.",
            outcome.wait_seconds,
        ) % {"seconds": outcome.wait_seconds}
    return _("Wrong code. Type the six digits the app shows now, or a backup code.")


# Users: an analyst's reset of someone's password and lifting a lockout.


@require_role(Role.ANALYST)
def user_list(request: HttpRequest) -> HttpResponse:
    users = selectors.managed_users(analyst=request.user).order_by("role", "username")
    rows = presenters.user_rows(
        list(users),
        locked=selectors.locked_out_usernames(),
        with_authenticator=selectors.users_with_authenticator(users),
    )
    return render(request, "accounts/user_list.html", {"rows": rows})


@require_role(Role.ANALYST)
@never_cache
def reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    """Give a user a temporary password (asked to confirm first), shown once to the analyst."""
    user = get_object_or_404(selectors.managed_users(analyst=request.user), pk=user_id)
    if request.method != "POST":
        return render(request, "accounts/reset_password.html", {"person": user})
    password = passwords.reset_password(user=user, by=request.user)
    return render(
        request, "accounts/temporary_password.html", {"person": user, "password": password}
    )


@require_role(Role.ANALYST)
@require_POST
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(selectors.managed_users(analyst=request.user), pk=user_id)
    passwords.unlock(user=user, by=request.user)
    messages.success(request, _("%(user)s can log in again.") % {"user": user})
    return redirect("accounts:user_list")
