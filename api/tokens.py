"""The use-cases of API tokens: create (the secret shown once), revoke, and authenticate a
request's token (the one place a token is read: api.auth calls it)."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from api.models import ApiToken

TOKEN_PREFIX = "sst_"  # recognisable in a leaked file or a secret scanner
MAX_DAYS = 366
# last_used_at is written at most this often per token, so reading pages costs no write each
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(
    *, organisation: Organisation, name: str, scope: str, days: int, user: User
) -> tuple[ApiToken, str]:
    """A new token of `organisation` valid for `days` days (1 to MAX_DAYS); returns the row and
    the secret, which is never stored and cannot be shown again."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1 to {MAX_DAYS}")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        scope=scope,
        prefix=prefix,
        digest=_digest(secret),
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, secret


@transaction.atomic
def revoke_token(*, token: ApiToken, user: User) -> ApiToken:
    """Refuse the token from now on (kept, with who revoked it and when)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), user
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def authenticate(*, secret: str) -> ApiToken | None:
    """The usable token whose secret this is (not revoked, not expired), its last use
    recorded; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    prefix = secret[len(TOKEN_PREFIX) :].partition("_")[0]
    token = ApiToken.objects.select_related("organisation").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
