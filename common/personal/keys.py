"""The keyring the settings give (`PERSONAL_DATA_KEYS`, `PERSONAL_DATA_HASH_KEY`).

Read once per process and rebuilt when the settings change (tests override them to rotate).
"""

import base64
from functools import lru_cache

from django.conf import settings

from common import crypto


def keyring() -> crypto.Keyring:
    return _keyring(tuple(settings.PERSONAL_DATA_KEYS), settings.PERSONAL_DATA_HASH_KEY)


@lru_cache(maxsize=4)
def _keyring(keys: tuple[str, ...], hash_key: str) -> crypto.Keyring:
    return crypto.Keyring(fernet_keys=keys, hash_key=decode_hash_key(hash_key))


def decode_hash_key(text: str) -> bytes:
    """The hash key's bytes: URL-safe base64 (as `generate_personal_data_keys` prints)."""
    return base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))


def phone_key(value: object) -> str | None:
    """The keyed hash of a phone number (None when empty): what matching compares."""
    return crypto.phone_key(keyring(), value)


def household_key(value: object) -> str | None:
    """The keyed hash of an address or household id (None when empty)."""
    return crypto.household_key(keyring(), value)
