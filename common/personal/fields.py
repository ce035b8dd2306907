"""A text field stored encrypted: Python sees the text, the database only a Fernet token.

The database cannot compare such a column (each token differs): filter on a keyed hash
instead. Empty stays empty.
"""

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
