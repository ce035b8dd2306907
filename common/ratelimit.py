"""One rate limiter for login-adjacent and public endpoints: django-ratelimit over the shared
cache (settings.RATELIMIT_USE_CACHE).

`@rate_limited("reveal_phone")` counts each request under the group's rate in
settings.RATE_LIMITS ("30/h": 30 an hour), per user when logged in and per client address
otherwise. Over the limit the view is not called: a 429 page in the request's language
answers (a fragment for htmx requests), with Retry-After.
"""

import logging
import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def _rate(group: str, request: HttpRequest) -> str:
    return settings.RATE_LIMITS[group]


def too_many_requests(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    minutes = max(1, math.ceil(retry_after / 60))
    template = "_too_many_requests.html" if request.headers.get("HX-Request") else "429.html"
    response = render(request, template, {"minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, retry_after))
    return response


def rate_limited(
    group: str, *, key: str = "user_or_ip", method: str | tuple = ALL, fail_open: bool = False
) -> Callable[[View], View]:
    """Limit a view to settings.RATE_LIMITS[group] requests per `key` ("user", "ip",
    "user_or_ip"), counting only `method` ("POST"; every method by default).

    When the count cannot be kept (the cache is down) the request is refused, or let through
    with `fail_open` (a health check must still report the database; Twilio's calls go on).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            retry_after = refusal(request, group=group, key=key, method=method, fail_open=fail_open)
            if retry_after is not None:
                return too_many_requests(request, retry_after=retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def refusal(
    request: HttpRequest,
    *,
    group: str,
    key: str | Callable[[str, HttpRequest], str] = "user_or_ip",
    method: str | tuple = ALL,
    fail_open: bool = False,
) -> int | None:
    """Count this request under `group` and say whether it is refused: None when it may go
    on, else the seconds to wait (Retry-After). Callers that answer in another shape than a
    page (the API's JSON) use this; views use `rate_limited`. `key` may be a function of
    (group, request), e.g. the API token's id."""
    try:
        usage = get_usage(request, group=group, key=key, rate=_rate, method=method, increment=True)
        # django-ratelimit reports a count it could not keep as a limit of 0 (every rate here
        # allows at least 1). Its time_left is -1 then, but a counted request can read -1 too:
        # the window's last second ends while the count is kept.
        counted = usage is None or usage["limit"] > 0
    except Exception:  # noqa: BLE001 - a broken cache is decided by fail_open
        usage, counted = None, False
    if not counted:
        logger.warning("rate limit %s: the count could not be kept", group)
        return None if fail_open else 60
    if usage is not None and usage["should_limit"]:
        logger.warning("rate limit %s reached", group)
        return max(1, usage["time_left"])
    return None
