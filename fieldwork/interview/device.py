"""The browser an interview is opened in, for the form's deviceid (fieldwork.interview.metadata).

ODK Collect's deviceid names the phone. A browser has no such id, so the first interview
opened in a browser gives it one ("web:" and 16 random bytes, URL-safe), kept in a long-lived
cookie: every later interview in that browser carries the same id, until its cookies are
cleared. The cookie says nothing about the person and is sent only to this site.
"""

import re
import secrets

from django.http import HttpRequest, HttpResponse

__all__ = ["COOKIE", "device_id", "remember_device"]

COOKIE = "device"
_MAX_AGE = 10 * 365 * 24 * 3600
_SHAPE = re.compile(r"^web:[A-Za-z0-9_-]{16,43}$")


def device_id(request: HttpRequest) -> str:
    """This browser's id: from its cookie, else a new one (remember_device keeps it)."""
    found = request.COOKIES.get(COOKIE, "")
    return found if _SHAPE.match(found) else f"web:{secrets.token_urlsafe(16)}"


def remember_device(response: HttpResponse, device: str) -> HttpResponse:
    response.set_cookie(COOKIE, device, max_age=_MAX_AGE, httponly=True, samesite="Lax")
    return response
