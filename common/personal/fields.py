"""A text field stored encrypted: Python sees the text, the database only a Fernet token.

The database cannot compare such a column (each token differs): filter on a keyed hash
instead. Empty stays empty.
"""

import json

from django import forms
from django.db import models

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
