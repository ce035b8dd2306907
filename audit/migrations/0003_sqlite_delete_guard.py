"""On SQLite too, the database refuses to delete audit events, except the expired ones the
daily pruning removes (audit.pruning): a DELETE trigger that lets a row go only while the
pruning's permit row (in `audit_prune_permit`, written and removed inside the pruning's own
transaction) says the row is older than the cutoff, and never a row younger than six months by
the database's own clock. PostgreSQL's equivalent is migration 0002's trigger."""

from django.db import migrations

PERMIT_TABLE = "CREATE TABLE IF NOT EXISTS audit_prune_permit (older_than TEXT NOT NULL);"
# Django stores SQLite datetimes as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', which compares as
# text in time order; datetime('now', ...) is UTC in the same form.
DELETE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
WHEN NOT EXISTS (SELECT 1 FROM audit_prune_permit WHERE OLD.created_at < older_than)
  OR OLD.created_at >= datetime('now', '-183 days')
BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;
"""
DROP_TRIGGER = "DROP TRIGGER IF EXISTS audit_event_no_delete;"
DROP_TABLE = "DROP TABLE IF EXISTS audit_prune_permit;"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(PERMIT_TABLE, params=None)
        schema_editor.execute(DELETE_TRIGGER, params=None)


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP_TRIGGER, params=None)
        schema_editor.execute(DROP_TABLE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(create, drop)]
