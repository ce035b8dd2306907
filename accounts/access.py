"""Access checks: every view names the roles it admits.

Login itself is enforced for every view by Django's LoginRequiredMiddleware; these helpers add
the role on top. A denied user gets 403, never a page with someone else's data.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.backends import HAS_AUTHENTICATOR
from accounts.models import Role

STAFF = (Role.ANALYST, Role.SUPERVISOR)
RESULTS_READERS = (Role.ANALYST, Role.SUPERVISOR, Role.CLIENT)


def require_role(*roles: str) -> Callable:
    """Admit only logged-in users whose role is one of `roles`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = tuple(roles)
        return wrapped

    return decorator


def second_factor_compulsory(user) -> bool:
    """Whether `user` may not do without a second factor: analysts (OTP_REQUIRED_FOR_ANALYSTS)
    and anyone who may open the Django admin."""
    return (user.role == Role.ANALYST and settings.OTP_REQUIRED_FOR_ANALYSTS) or user.is_staff


def second_factor_required(user) -> bool:
    """Whether `user` must confirm each login with a code: those for whom it is compulsory,
    and everyone who has turned it on."""
    return second_factor_compulsory(user) or has_authenticator(user)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator_known(user) -> bool:
    """has_authenticator as read with the request's user (accounts.backends.UserBackend), or
    asked of the database for a user read otherwise. Only for checks made before the view
    runs: a view that adds or removes an authenticator asks has_authenticator."""
    known = getattr(user, HAS_AUTHENTICATOR, None)
    return has_authenticator(user) if known is None else known


def second_factor_due(user) -> bool:
    """second_factor_required for the request's user, before the view runs."""
    return second_factor_compulsory(user) or authenticator_known(user)
