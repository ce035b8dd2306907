"""Access checks: every view names the roles it admits.

Login itself is enforced for every view by Django's LoginRequiredMiddleware; these helpers add
the role on top. A denied user gets 403, never a page with someone else's data.
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

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
