"""The API's test world: the demo (a client body's wave with approved interviews and a signed
edition with every district's part) and a token of every kind."""

import pytest

from accounts.models import Organisation, User
from api import tokens
from demo.services import SMALL, load_demo
from fieldwork.models import Interview
from qc.models import Review

KINDS = ("firm_read", "firm_write", "client_read", "client_write")


class Api:
    """HTTP calls with a token, in a language."""

    def __init__(self, client, secret: str, language: str = "en"):
        self.client, self.secret, self.language = client, secret, language

    def _headers(self) -> dict:
        return {
            "HTTP_AUTHORIZATION": f"Bearer {self.secret}",
            "HTTP_ACCEPT_LANGUAGE": self.language,
        }

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, **self._headers())

    def post(self, path: str, payload=None, **kwargs):
        if "data" in kwargs:  # multipart
            return self.client.post(f"/api/v1{path}", kwargs["data"], **self._headers())
        return self.client.post(
            f"/api/v1{path}", payload, content_type="application/json", **self._headers()
        )


@pytest.fixture
def api_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    wave = load_demo(seed=7, size=SMALL, say=lambda line: None)
    analyst = User.objects.get(username="analyst")
    firm = Organisation.objects.get(kind=Organisation.Kind.FIRM)
    other = Organisation.objects.create(name="邻市委政法委", kind=Organisation.Kind.CLIENT)
    secrets = {}
    for kind in KINDS:
        organisation = firm if kind.startswith("firm") else wave.client
        scope = "write" if kind.endswith("write") else "read"
        _token, secrets[kind] = tokens.create_token(
            organisation=organisation, name=kind, scope=scope, days=30, user=analyst
        )
    for scope in ("read", "write"):
        _token, secrets[f"other_{scope}"] = tokens.create_token(
            organisation=other, name=f"other {scope}", scope=scope, days=30, user=analyst
        )
    approved = Interview.objects.filter(case__wave=wave, review__state=Review.State.APPROVED)
    return {
        "wave": wave,
        "analyst": analyst,
        "firm": firm,
        "other": other,
        "secrets": secrets,
        "approved": approved.count(),
    }


@pytest.fixture
def api_for(client, api_world):
    def make(kind: str, language: str = "en") -> Api:
        return Api(client, api_world["secrets"][kind], language)

    return make


# A light world for the tests that need no demo: the scoring tests' safety survey and wave.
from tests.scoring.conftest import (  # noqa: E402, F401  (fixtures)
    field_interviewer,
    make_interview,
    places,
    safety_draw,
    safety_version,
    safety_wave,
    signed,
)


@pytest.fixture
def token_of(analyst):
    """token_of(organisation, scope="read", days=30) → (token, secret)."""

    def make(organisation, scope: str = "read", days: int = 30):
        return tokens.create_token(
            organisation=organisation,
            name=f"{organisation} {scope}",
            scope=scope,
            days=days,
            user=analyst,
        )

    return make


@pytest.fixture
def firm(db) -> Organisation:
    return Organisation.objects.create(name="评估中心", kind=Organisation.Kind.FIRM)
