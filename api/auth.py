"""The one place a request's API token is read: authentication, the token's scope and its
rate limit (common.ratelimit, per token). Every endpoint names READ or WRITE as its auth.

The audit log's record of each use is wired here (after the token is known).
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from api import tokens
from api.errors import ApiError
from api.models import ApiToken
from audit import services as audit
from audit.kinds import Kind
from common.ratelimit import refusal


def _token_key(group: str, request: HttpRequest) -> str:
    return f"api-token:{request.api_token.pk}"


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; `write`: the endpoint changes data (write scope)."""

    def __init__(self, *, write: bool = False) -> None:
        super().__init__()
        self.write = write

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = tokens.authenticate(secret=token.strip())
        if found is None:
            return None  # ninja answers 401 (api.errors)
        request.api_token = found
        retry_after = refusal(request, group="api", key=_token_key)
        if retry_after is not None:
            raise ApiError(
                429,
                "rate_limited",
                _("Too many requests with this token; try again in %(seconds)s seconds.")
                % {"seconds": retry_after},
                Retry_After=retry_after,
            )
        if self.write and not found.may_write:
            raise ApiError(403, "insufficient_scope", _("This token may read but not write."))
        audit.record(
            Kind.API_TOKEN_USED,
            request=request,
            subject=f"{request.method} {request.path}",
            detail={
                "token": found.prefix,
                "name": found.name,
                "organisation": found.organisation_id,
            },
        )
        return found


READ = TokenAuth()
WRITE = TokenAuth(write=True)
