"""Every error of the API in one JSON shape, in the request's language (Accept-Language):

    {"error": {"status": 422, "code": "invalid", "message": "…",
               "errors": [{"field": "locality_code", "row": 3, "location": [...],
                           "message": "…"}]}}

`errors` names each field (and the row of a batch, counted from 1) that is wrong; it is
empty for errors about the request as a whole. Unexpected failures are logged and answered
in the same shape, never with a traceback.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer other than success: status, a code for programs, a message for people and
    the fields at fault."""

    def __init__(
        self, status: int, code: str, message: str, errors: list[dict] | None = None, **headers
    ):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors = errors or []
        self.headers = headers


def field_error(field: str, message: str, *, row: int | None = None, location=None) -> dict:
    return {
        "field": field,
        "row": row,
        "location": list(location) if location else [field],
        "message": str(message),
    }


def invalid(errors: list[dict]) -> ApiError:
    return ApiError(422, "invalid", _("The request has invalid values."), errors)


def not_found(message: str | None = None) -> ApiError:
    return ApiError(404, "not_found", message or _("Not found."))


def forbidden(message: str | None = None) -> ApiError:
    return ApiError(403, "forbidden", message or _("This token may not do this."))


# pydantic's error types → our words (its own messages are English only)
PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("A value is required here."),
    "string_too_long": gettext_lazy("This value is too long."),
    "string_too_short": gettext_lazy("This value may not be empty."),
    "too_long": gettext_lazy("This list is too long."),
    "too_short": gettext_lazy("This list may not be empty."),
    "greater_than": gettext_lazy("This value is too small."),
    "greater_than_equal": gettext_lazy("This value is too small."),
    "less_than": gettext_lazy("This value is too large."),
    "less_than_equal": gettext_lazy("This value is too large."),
    "finite_number": gettext_lazy("This value must be a finite number."),
    "literal_error": gettext_lazy("This value is not one of the allowed values."),
    "enum": gettext_lazy("This value is not one of the allowed values."),
    "extra_forbidden": gettext_lazy("This field is not known."),
    "json_invalid": gettext_lazy("The request body is not valid JSON."),
}
TYPE_MESSAGES = {
    "int": gettext_lazy("This value must be a whole number."),
    "float": gettext_lazy("This value must be a number."),
    "decimal": gettext_lazy("This value must be a number."),
    "string": gettext_lazy("This value must be text."),
    "bool": gettext_lazy("This value must be true or false."),
    "date": gettext_lazy("This value must be a date (YYYY-MM-DD)."),
    "datetime": gettext_lazy("This value must be a date and time (ISO 8601)."),
    "list": gettext_lazy("This value must be a list."),
    "dict": gettext_lazy("This value must be an object."),
    "model": gettext_lazy("This value must be an object."),
}


def _message(kind: str) -> str:
    if kind in PYDANTIC_MESSAGES:
        return str(PYDANTIC_MESSAGES[kind])
    for prefix, message in TYPE_MESSAGES.items():
        if kind.startswith(prefix + "_"):
            return str(message)
    return _("This value is not valid.")


def from_pydantic(errors: list[dict]) -> list[dict]:
    """ninja's validation errors → ours: the field is the last name in the location, the row
    (from 1) the last list index in it; `location` leaves out where it was (body, query)."""
    found = []
    for error in errors:
        location = [part for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        location = [part for part in location if part != "payload" and part != "form"]
        names = [part for part in location if isinstance(part, str)]
        rows = [part for part in location if isinstance(part, int)]
        found.append(
            field_error(
                names[-1] if names else "",
                _message(error.get("type", "")),
                row=rows[-1] + 1 if rows else None,
                location=location,
            )
        )
    return found


def error_response(api: NinjaAPI, request: HttpRequest, error: ApiError) -> HttpResponse:
    body = {
        "error": {
            "status": error.status,
            "code": error.code,
            "message": str(error.message),
            "errors": error.errors,
        }
    }
    response = api.create_response(request, body, status=error.status)
    for name, value in error.headers.items():
        response[name.replace("_", "-").title()] = str(value)
    response["Cache-Control"] = "no-store"
    return response


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every failure into the one shape."""

    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return error_response(api, request, exc)

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        return error_response(api, request, invalid(from_pydantic(exc.errors)))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        message = _("A valid API token is required (Authorization: Bearer <token>).")
        error = ApiError(401, "unauthenticated", message, WWW_Authenticate="Bearer")
        return error_response(api, request, error)

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return error_response(api, request, not_found())

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        code = "not_found" if exc.status_code == 404 else "bad_request"
        return error_response(api, request, ApiError(exc.status_code, code, str(exc)))

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        logger.exception("API request failed: %s %s", request.method, request.path)
        message = _("Something went wrong on our side; please try again later.")
        return error_response(api, request, ApiError(500, "server_error", message))
