"""What a logged-in user must do before any other page: confirm the login with a second
factor (or add one, for an analyst who has none yet), then replace a temporary password.

Runs after Django's LoginRequiredMiddleware (anonymous visitors are sent to log in first) and
django-otp's OTPMiddleware (which marks a session verified by a device).
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.access import authenticator_known, second_factor_due

# Pages every logged-in user may reach at any step.
ALWAYS_OPEN = {"login", "logout", "set_language", "healthz"}
VERIFY = "accounts:second_factor_verify"
ENROL = "accounts:second_factor_enrol"
PASSWORD_CHANGE = "accounts:password_change"
# Activity moves the idle expiry on at most once a minute: saving the session on every request
# would write (and commit) a database row for every click, so a session ends 29 to 30 idle
# minutes after the last request rather than exactly 30.
EXTENDED_AT = "_activity_extended_at"
EXTEND_EVERY = 60  # seconds


class AccountChecksMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Activity pushes the idle expiry on (SessionMiddleware saves a modified session);
        # a page polling in the background (an htmx GET) is not activity.
        polling = request.method == "GET" and request.headers.get("HX-Request") == "true"
        session = getattr(request, "session", None)
        if settings.SESSION_EXTEND_ON_ACTIVITY and session is not None and not polling:
            if not session.is_empty():
                _extend(session)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        match = request.resolver_match
        if not user.is_authenticated or match is None or match.view_name in ALWAYS_OPEN:
            return None
        if not user.is_verified() and second_factor_due(user):
            # A user with an authenticator confirms the login with it; one without (an analyst
            # on their first login) adds one. Never the other way round: adding a new
            # authenticator needs a verified session.
            step = VERIFY if authenticator_known(user) else ENROL
        elif user.must_change_password:
            step = PASSWORD_CHANGE
        else:
            return None
        if match.view_name == step:
            return None
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


def _extend(session) -> None:
    """Mark the session for saving (a new expiry) when it was last saved for activity a
    minute ago or more, or is being saved anyway."""
    now = int(time.time())
    if session.modified or now - session.get(EXTENDED_AT, 0) >= EXTEND_EVERY:
        session[EXTENDED_AT] = now
