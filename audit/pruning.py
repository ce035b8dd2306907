"""How expired audit events leave: the one path that may delete them.

The log is kept AUDIT_RETENTION_DAYS (settings; never less than six months, which PIPL's
implementing practice and the issue ask for: the system check `audit.E001` refuses a shorter
setting). A daily schedule (jobs.tasks) calls `prune_expired`, which deletes what is older.

Why a guarded delete rather than none at all: a log kept for ever is itself personal data
kept longer than necessary (art. 19), and partitions or an archive would need a DBA's work in
a product installed by its users. The guard is in the database, on both engines: its triggers
refuse every UPDATE, and every DELETE except this function's, and even this function (or code
that imitates it) cannot remove anything younger than 183 days by the database's own clock,
whatever the settings say.

- PostgreSQL (migration 0002): the DELETE passes while the transaction has set
  `audit.pruning` to `on` (SET LOCAL semantics: it ends with the transaction).
- SQLite (migration 0003): the DELETE passes while a row of `audit_prune_permit` says the
  event is older than the cutoff; the function writes that row and removes it again inside its
  own transaction, so no permit is ever seen outside it.

TRUNCATE (PostgreSQL) fires no row trigger, and a TRUNCATE trigger would also stop Django's
test flush; it is closed instead by the database role's rights: `manage.py secure_audit_log`
(a deployment step, see docs/runbook.md) revokes TRUNCATE and UPDATE on the table from the
application's role. A whole-database wipe (the demo's `load_demo --reset`, the tests' flush
between transactional tests) goes through `wiping_the_database`, never an event at a time.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.kinds import Kind
from audit.models import AuditEvent
from audit.services import record

MINIMUM_DAYS = 183  # six months; the triggers hold the same floor

__all__ = ["MINIMUM_DAYS", "cutoff", "prune_expired", "wiping_the_database"]

_SQLITE = import_module("audit.migrations.0003_sqlite_delete_guard")


def cutoff(*, now: datetime | None = None) -> datetime:
    """Events before this moment are past their retention."""
    days = max(settings.AUDIT_RETENTION_DAYS, MINIMUM_DAYS)
    return (now or timezone.now()) - timedelta(days=days)


@transaction.atomic
def prune_expired(*, now: datetime | None = None) -> int:
    """Delete the events older than the retention; the removal is itself recorded (how many,
    up to when). Returns how many went."""
    before = cutoff(now=now)
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('audit.pruning', 'on', true)")
        elif connection.vendor == "sqlite":
            stamp = connection.ops.adapt_datetimefield_value(before)
            cursor.execute("INSERT INTO audit_prune_permit (older_than) VALUES (%s)", [stamp])
        cursor.execute(f"DELETE FROM {table} WHERE created_at < %s", [before])  # noqa: S608
        removed = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('audit.pruning', 'off', true)")
        elif connection.vendor == "sqlite":
            cursor.execute("DELETE FROM audit_prune_permit")
    if removed:
        record(Kind.AUDIT_PRUNED, detail={"removed": removed, "before": before.isoformat()})
    return removed


@contextmanager
def wiping_the_database(using=None) -> Iterator[None]:
    """Around a flush of the whole database (Django's `flush`: the demo's reset, the tests
    between transactional tests): on SQLite, whose flush deletes row by row, the DELETE guard
    is lifted for the flush and put back after it, whatever happens. On PostgreSQL the flush
    truncates, which only a role that still has TRUNCATE may (see `secure_audit_log`)."""
    from django.db import connections

    db = connections[using or "default"]
    if db.vendor != "sqlite":
        yield
        return
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            ["audit_event_no_delete"],
        )
        guarded = cursor.fetchone() is not None
        cursor.execute(_SQLITE.DROP_TRIGGER)
    try:
        yield
    finally:
        if guarded:
            with db.cursor() as cursor:
                cursor.execute(_SQLITE.DELETE_TRIGGER)
