"""A text field stored encrypted: Python sees the text, the database only a Fernet token.

The database cannot compare such a column (each token differs): filter on a keyed hash
instead. Empty stays empty.
"""

import json

from django import forms
from django.db import models

from common.crypto import Sealed
from common.personal.keys import keyring


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):  # noqa: ARG002 (Django's signature)
        if not value:
            return value
        return keyring().decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return keyring().encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull", "exact", "in"):
            return None  # contains, startswith … cannot work on ciphertext
        return super().get_lookup(lookup_name)


class EncryptedJSONField(models.TextField):
    """JSON stored encrypted (a household listing with names): Python sees the list or dict,
    the database one token. Not queryable by key: read it whole."""

    description = "JSON encrypted at rest"

    def from_db_value(self, value, expression, connection):  # noqa: ARG002 (Django's signature)
        if value is None:
            return value
        return json.loads(keyring().decrypt(value)) if value else None

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value)
        return value

    def get_prep_value(self, value):
        if value is None:
            return value
        return keyring().encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


class EncryptedFloatField(EncryptedTextField):
    """A number stored encrypted (an exact position's latitude or longitude): Python sees a
    float or None, the database a token or NULL. Not comparable in the database: only
    `isnull` works; distances are computed in Python from the decrypted values."""

    description = "Number encrypted at rest"

    def from_db_value(self, value, expression, connection):  # noqa: ARG002 (Django's signature)
        if value is None or value == "":
            return None
        return float(keyring().decrypt(value))

    def to_python(self, value):
        if value is None or value == "":
            return None
        return float(value)

    def get_prep_value(self, value):
        if value is None or value == "":
            return None
        return keyring().encrypt(repr(float(value)))  # repr: every digit back

    def formfield(self, **kwargs):
        return super(models.TextField, self).formfield(**{"form_class": forms.FloatField, **kwargs})

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


SEALED = "$sealed"  # no answer key can start with "$" (an XLSForm name is an XML name)
_MARK = f'"{SEALED}"'


class SealedJSONField(models.JSONField):
    """JSON in clear but for its sealed values: every `Sealed` string in it (at any depth) is
    stored as {"$sealed": token} and read back as the same `Sealed` text, so every reader sees
    the plain value while a copied database shows no exact position. The rest of the JSON stays
    queryable; a sealed value is not (nothing filters on it). Rows without a sealed value are
    read at JSONField's cost: the raw text is searched for the mark before anything is opened.
    """

    description = "JSON with sealed values"

    def from_db_value(self, value, expression, connection):
        found = super().from_db_value(value, expression, connection)
        if isinstance(value, str) and _MARK in value:
            return _opened(found, keyring())
        return found

    def get_prep_value(self, value):
        return super().get_prep_value(sealed_values(value))


def _opened(value, ring):
    """`value` (parsed JSON) with every {"$sealed": token} in it opened, in place: a walk of
    the containers only (a JSON object hook would double the parsing's cost)."""
    if isinstance(value, dict):
        if len(value) == 1 and SEALED in value:
            return Sealed(ring.decrypt(value[SEALED]))
        for key, item in value.items():
            if isinstance(item, dict | list):
                value[key] = _opened(item, ring)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict | list):
                value[index] = _opened(item, ring)
    return value


def sealed_values(value, ring=None):
    """`value` with every `Sealed` string in it replaced by {"$sealed": token}."""
    if isinstance(value, Sealed):
        return {SEALED: (ring or keyring()).encrypt(str.__str__(value))}
    if isinstance(value, dict):
        ring = ring or keyring()
        return {k: sealed_values(v, ring) for k, v in value.items()}
    if isinstance(value, list):
        ring = ring or keyring()
        return [sealed_values(v, ring) for v in value]
    return value


def sealed_tokens(raw: str) -> list[str]:
    """The tokens of the sealed values in a column's raw JSON text (rotation counts them)."""
    if not raw or _MARK not in raw:
        return []
    found: list[str] = []

    def hook(obj: dict):
        if len(obj) == 1 and SEALED in obj:
            found.append(obj[SEALED])
        return obj

    json.loads(raw, object_hook=hook)
    return found
