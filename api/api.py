"""The HTTP API under /api/v1/ (django-ninja): typed schemas (api.schemas), the OpenAPI schema
at /api/v1/openapi.json (committed as docs/openapi.json), token authentication (api.auth)
and one shape for every error (api.errors)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from api import errors
from api.endpoints import imports, microdata, results, waves, writes

DESCRIPTION = """Read a wave's fieldwork, approved microdata and results, and write objective
indicators, the locality tree and frame imports, with an organisation's API token
(`Authorization: Bearer <token>`), made by an analyst on the API tokens page.

A client body's token reads its own waves and what its users' pages show: the waves and the
latest signed edition of their results (tables, rankings, editions and their files). The
firm's tokens read every wave as an analyst does. Another organisation's wave is not found
(404); an endpoint a token may not use is refused (403); a read-only token may not write
(403). Errors share one shape: `{"error": {"status", "code", "message", "errors": [{"field",
"row", "location", "message"}]}}`, in the language of `Accept-Language` (zh-hans or en).
Requests per token are limited (429 with Retry-After)."""


class Utf8Renderer(JSONRenderer):
    """Chinese as itself in the JSON, not as escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Utf8Renderer(),
    title="Safety survey API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url=None,  # the schema only: an offline intranet and a strict CSP (no CDN UI)
)
errors.install(api)
for module in (waves, results, microdata, writes, imports):
    api.add_router("/", module.router)


@login_not_required
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/v1/: the API's 404, not the site's page."""
    error = errors.not_found(_("There is no such endpoint; the schema lists them."))
    return errors.error_response(api, request, error)


@login_not_required
def root(request: HttpRequest) -> HttpResponse:
    """What /api/v1/ is, and where its schema is."""
    body = {"title": api.title, "version": api.version, "openapi": request.path + "openapi.json"}
    return api.create_response(request, body, status=200)


def urls() -> tuple[list, str, str]:
    """api.urls with every view exempt from the login page (a token, not a session, admits)
    and the API's 404 for any other address."""
    patterns, app_name, namespace = api.urls
    patterns = [p for p in patterns if getattr(p, "name", None) != "api-root"]  # ninja's: 404
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(pattern.callback)
    ours = [path("", root, name="api-root"), re_path(r"^(?P<rest>.*)$", unknown_path)]
    return [*patterns, *ours], app_name, namespace
