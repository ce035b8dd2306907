"""API tokens: kept only as a hash, shown once, revocable, expiring, scoped, rate limited;
and the analysts' page that makes and revokes them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from audit.kinds import Kind
from audit.models import AuditEvent
from tests.api.conftest import Api


def test_a_token_is_stored_as_its_hash_only(safety_wave, token_of):
    token, secret = token_of(safety_wave.client)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in row.values()}
    assert all(secret not in str(value) for value in row.values())
    assert tokens.authenticate(secret=secret) == token
    assert tokens.authenticate(secret=secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None


def test_expired_and_revoked_tokens_are_refused(client, safety_wave, token_of, analyst):
    expired, expired_secret = token_of(safety_wave.client)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked, revoked_secret = token_of(safety_wave.client)
    good, good_secret = token_of(safety_wave.client)
    assert Api(client, revoked_secret).get("/waves").status_code == 200  # before revocation
    tokens.revoke_token(token=revoked, user=analyst)
    for secret in (expired_secret, revoked_secret):
        response = Api(client, secret).get("/waves")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"
    assert Api(client, good_secret).get("/waves").status_code == 200


def test_the_last_use_is_recorded(client, safety_wave, token_of):
    token, secret = token_of(safety_wave.client)
    assert token.last_used_at is None
    before = timezone.now()
    Api(client, secret).get("/waves")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at >= before


def test_each_use_of_a_token_is_in_the_audit_log_without_its_secret(client, safety_wave, token_of):
    token, secret = token_of(safety_wave.client)
    Api(client, secret).get("/waves")
    Api(client, "not-a-token").get("/waves")  # refused: no use to record
    events = list(AuditEvent.objects.filter(kind=Kind.API_TOKEN_USED))
    assert len(events) == 1
    assert events[0].subject == "GET /api/v1/waves"
    assert events[0].detail["token"] == token.prefix
    assert events[0].detail["organisation"] == safety_wave.client_id
    assert secret not in str(events[0].detail) and secret not in events[0].subject


def test_a_read_token_may_not_write(client, safety_wave, token_of, places):
    _token, secret = token_of(safety_wave.client, scope="read")
    payload = {"values": [{"locality_code": "C0101", "indicator": "x", "value": 1}]}
    response = Api(client, secret).post(f"/waves/{safety_wave.pk}/objective-indicators", payload)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_requests_over_the_tokens_rate_are_refused_with_retry_after(
    client, rate_limits, safety_wave, token_of
):
    rate_limits(api="3/m")
    _first, first_secret = token_of(safety_wave.client)
    _second, second_secret = token_of(safety_wave.client)
    statuses = [Api(client, first_secret).get("/waves").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = Api(client, first_secret, language="zh-hans").get("/waves")
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "请求" in refused.json()["error"]["message"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    # counted per token: another token of the same organisation is not held back
    assert Api(client, second_secret).get("/waves").status_code == 200


def test_an_analyst_makes_a_token_seen_once_and_revokes_it(client, analyst, safety_wave):
    client.force_login(analyst)
    response = client.post(
        reverse("api:token_list"),
        {"organisation": safety_wave.client_id, "name": "市平台", "scope": "write", "days": 30},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret.startswith(tokens.TOKEN_PREFIX) and secret in response.content.decode()
    token = ApiToken.objects.get(name="市平台")
    assert token.scope == "write" and token.organisation == safety_wave.client
    assert token.expires_at - timezone.now() > timedelta(days=29)
    # the list shows it afterwards without its secret
    listing = client.get(reverse("api:token_list")).content.decode()
    assert "市平台" in listing and secret not in listing
    # revoked, it is refused
    client.post(reverse("api:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == analyst
    assert Api(client, secret).get("/waves").status_code == 401


@pytest.mark.parametrize("days", [0, 367])
def test_a_token_must_expire_within_a_year(client, analyst, safety_wave, days):
    client.force_login(analyst)
    response = client.post(
        reverse("api:token_list"),
        {"organisation": safety_wave.client_id, "name": "x", "scope": "read", "days": days},
    )
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_only_analysts_reach_the_tokens_page(client, supervisor, client_user):
    for user in (supervisor, client_user):
        client.force_login(user)
        assert client.get(reverse("api:token_list")).status_code == 403
