"""Twilio at the edge: the REST client and webhook signatures, configured from settings.

With TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN or TWILIO_CALLER_ID empty the system runs in
manual-dial mode and `is_configured()` is False.

TWILIO_API_BASE_URL (optional, e.g. ``http://127.0.0.1:8089``) sends every REST request to
another host instead of ``*.twilio.com``: the offline tests point the real client at a local
fake server this way, and a staging site can do the same.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

REST_TIMEOUT_SECONDS = 10


def is_configured() -> bool:
    return bool(
        settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_CALLER_ID
    )


class BaseUrlHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, sending every request to `base_url` instead of twilio.com."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base = urlsplit(base_url)

    def request(self, method: str, url: str, *args, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, ""))
        return super().request(method, url, *args, **kwargs)


def client() -> Client:
    """The REST client. `environment={}` keeps TWILIO_REGION/EDGE from rewriting hosts."""
    base_url = getattr(settings, "TWILIO_API_BASE_URL", "")
    http_client = (
        BaseUrlHttpClient(base_url, timeout=REST_TIMEOUT_SECONDS)
        if base_url
        else TwilioHttpClient(timeout=REST_TIMEOUT_SECONDS)
    )
    return Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        environment={},
        http_client=http_client,
    )


def public_url(request: HttpRequest) -> str:
    """The URL Twilio called, as Twilio saw it: the signature is computed over it.

    Behind a TLS proxy the request reaches us as http; PUBLIC_BASE_URL (or
    SECURE_PROXY_SSL_HEADER with X-Forwarded-Proto) restores the https URL Twilio signed.
    """
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()
    return request.build_absolute_uri()


def absolute(request: HttpRequest | None, path: str) -> str:
    """A callback URL for Twilio: PUBLIC_BASE_URL + path, else the request's own host."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/") + path
    if request is None:
        raise ValueError("PUBLIC_BASE_URL is needed to build callback URLs outside a request")
    return request.build_absolute_uri(path)


def signature_is_valid(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not settings.TWILIO_AUTH_TOKEN or not signature:
        return False
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    return validator.validate(public_url(request), request.POST, signature)
