"""Django's database cache with a counter that counts: what the rate limiter needs.

Django's `incr` on the database cache reads the value and writes it back with the default
timeout: two requests at once count as one, and each increment moves the key's expiry, so a
window of an hour could restart every few minutes. Here `incr` is one locked read and update
that keeps the key's expiry (Redis's INCR does both already).

Django's `add` reads the key and then inserts it: when two requests add the same counter at
once (a burst of logins from one address), the second insert fails on the unique key, which
is caught but which PostgreSQL writes to its log as an error each time. Here `add` is one
upsert that adds the key, or takes over an expired one, and says whether it did.
"""

import base64
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now


class CountingDatabaseCache(DatabaseCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        cache_key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        now = tz_now().replace(microsecond=0)
        zone = UTC if settings.USE_TZ else None  # as Django's DatabaseCache writes the expiry
        if timeout is None:
            expires = datetime.max.replace(tzinfo=zone)
        else:
            expires = datetime.fromtimestamp(timeout, tz=zone)
        adapt = connection.ops.adapt_datetimefield_value
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            count = cursor.fetchone()[0]
            if count > self._max_entries:
                self._cull(db, cursor, now, count)
            # both databases' upsert: a live key is left as it is, an expired one replaced
            cursor.execute(
                f"INSERT INTO {table} ({quote('cache_key')}, {quote('value')}, "
                f"{quote('expires')}) VALUES (%s, %s, %s) "
                f"ON CONFLICT ({quote('cache_key')}) DO UPDATE SET "
                f"{quote('value')} = excluded.{quote('value')}, "
                f"{quote('expires')} = excluded.{quote('expires')} "
                f"WHERE {table}.{quote('expires')} < %s",
                [cache_key, encoded, adapt(expires.replace(microsecond=0)), adapt(now)],
            )
            return cursor.rowcount == 1

    def incr(self, key, delta=1, version=None):
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        # PostgreSQL locks the row; SQLite has no row locks, but its write transactions are
        # serialised (BEGIN IMMEDIATE in config/settings.py), which is the same guarantee.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')} FROM {quote(self._table)} "
                f"WHERE {quote('cache_key')} = %s AND {quote('expires')} > %s{lock}",
                [cache_key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode())) + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {quote(self._table)} SET {quote('value')} = %s "
                f"WHERE {quote('cache_key')} = %s",
                [encoded, cache_key],
            )
        return value
