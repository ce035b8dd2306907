"""Personal data at rest: the keyring from the settings, encrypted model fields, keyed hashes,
and the registry of every place personal data is kept (`registry`)."""

from common.personal.fields import EncryptedFloatField, EncryptedJSONField, EncryptedTextField
from common.personal.keys import household_key, keyring, phone_key

__all__ = [
    "EncryptedFloatField",
    "EncryptedJSONField",
    "EncryptedTextField",
    "household_key",
    "keyring",
    "phone_key",
]
