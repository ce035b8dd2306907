"""Personal data at rest: the keyring from the settings, encrypted model fields, keyed hashes,
and the registry of every place personal data is kept (`registry`)."""

from common.crypto import Sealed
from common.personal.fields import (
    EncryptedFloatField,
    EncryptedJSONField,
    EncryptedTextField,
    SealedJSONField,
)
from common.personal.keys import household_key, keyring, phone_key

__all__ = [
    "EncryptedFloatField",
    "EncryptedJSONField",
    "EncryptedTextField",
    "Sealed",
    "SealedJSONField",
    "household_key",
    "keyring",
    "phone_key",
]
