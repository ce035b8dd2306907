"""Twilio at the edge: the REST client, TwiML, webhook signatures, status → AAPOR hints.

Nothing here touches our models. With TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN or
TWILIO_CALLER_ID empty the system runs in manual-dial mode and `is_configured()` is False.

TWILIO_API_BASE_URL (optional, e.g. ``http://127.0.0.1:8089``) sends every REST request to
another host instead of ``*.twilio.com``: the offline tests point the real client at a local
fake server this way, and a staging site can do the same.
"""

import re
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

REST_TIMEOUT_SECONDS = 10
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
# Webhook fields that carry phone numbers: dropped before anything is stored.
PHONE_FIELDS = frozenset(
    {"To", "From", "Called", "Caller", "ForwardedFrom", "CalledVia", "CallerName"}
)
# SIP answers meaning the number does not exist (not a passing technical problem).
INVALID_NUMBER_SIP_CODES = frozenset({"404", "410", "484", "604"})


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


def e164(phone: str) -> str:
    """``13812345678`` → ``+8613812345678``; a number already in E.164 is kept.

    Raises ValueError for anything else (the message never repeats the number).
    """
    value = re.sub(r"[\s\-()]", "", phone)
    if re.fullmatch(r"\+[1-9][0-9]{6,14}", value):
        return value
    if re.fullmatch(r"1[3-9][0-9]{9}", value):
        return f"+86{value}"
    raise ValueError("not a dialable phone number")


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


def without_phones(params: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in params.items() if key not in PHONE_FIELDS}


def bridge_twiml(
    *,
    respondent_phone: str,
    caller_id: str,
    action_url: str,
    status_url: str,
    recording_url: str,
) -> str:
    """What Twilio does once the interviewer answers: ring the respondent and bridge.

    answerOnBridge keeps the interviewer hearing the ringing (not silence); the recording is
    dual-channel (interviewer and respondent on separate channels) from the answer on.
    """
    response = VoiceResponse()
    dial = response.dial(
        answer_on_bridge=True,
        caller_id=caller_id,
        record="record-from-answer-dual",
        action=action_url,
        method="POST",
        recording_status_callback=recording_url,
        recording_status_callback_method="POST",
    )
    dial.number(
        e164(respondent_phone),
        status_callback=status_url,
        status_callback_method="POST",
        status_callback_event=" ".join(STATUS_EVENTS),
    )
    return str(response)


def hangup_twiml() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


def proposed_disposition(status: str, answered_by: str = "", sip_response_code: str = "") -> str:
    """The AAPOR code a respondent leg's outcome suggests; "" when the interviewer must say.

    busy → 3.12, no-answer → 3.13, failed → 4.30 when the network says the number does not
    exist, else 3.16; answered by a machine → 3.14, by a fax → 4.20. A person answering (or
    a call cancelled before the answer) is for the interviewer to code: 1.1 by starting the
    interview, or a refusal, break-off, language problem, no eligible respondent …
    """
    if status == "busy":
        return "3.12"
    if status == "no-answer":
        return "3.13"
    if status == "failed":
        return "4.30" if sip_response_code in INVALID_NUMBER_SIP_CODES else "3.16"
    if status == "completed":
        if answered_by.startswith("machine"):
            return "3.14"
        if answered_by == "fax":
            return "4.20"
    return ""


PRENOTIFICATION_FIELDS = ("evaluation", "client", "hotline")


def prenotification_text(template: str, *, evaluation: str, client: str, hotline: str) -> str:
    """The SMS text: `template` with {evaluation}, {client} and {hotline} filled in.

    Raises ValueError naming the problem when the template uses another placeholder or
    unbalanced braces.
    """
    try:
        return template.format_map({"evaluation": evaluation, "client": client, "hotline": hotline})
    except KeyError as error:
        raise ValueError(
            f"unknown placeholder {{{error.args[0]}}}; use {{evaluation}}, {{client}}, {{hotline}}"
        ) from None
    except (ValueError, IndexError) as error:
        raise ValueError(f"the message is not a valid template: {error}") from None
