"""The audit table's rights of the application's database role (PostgreSQL).

The triggers (migration 0002) refuse UPDATE and DELETE row by row; TRUNCATE fires no row
trigger. A statement trigger refusing TRUNCATE would refuse it to everyone, Django's own test
flush included, so TRUNCATE is closed where PostgreSQL means it to be: the role's rights.
`restrict` revokes TRUNCATE (and UPDATE, twice refused then) on the table from a role; DELETE
stays, guarded by the trigger, because the daily pruning needs it (audit.pruning). Run by
`manage.py secure_audit_log` as a deployment step after `migrate` (docs/runbook.md).

When the application's role owns the tables (the simple installation), the revoke still
stops the application, which never grants; the owner could grant itself the right back, which
a separate application role (owning nothing, given SELECT/INSERT/UPDATE/DELETE by the DBA)
cannot: that is the stronger set-up, and `restrict` says which one it found.
"""

from dataclasses import dataclass

from django.db import connection

from audit.models import AuditEvent

REVOKED = ("TRUNCATE", "UPDATE")

__all__ = ["REVOKED", "Rights", "restrict", "rights"]


@dataclass(frozen=True)
class Rights:
    role: str
    owner: bool  # the role owns the audit table (and so could grant itself rights back)
    held: tuple[str, ...]  # of REVOKED, the rights the role still has


class NotPostgreSQL(RuntimeError):
    """Rights are PostgreSQL's; SQLite has no roles (its triggers are the guard)."""


def _role(role: str | None) -> str:
    if connection.vendor != "postgresql":
        raise NotPostgreSQL("database roles exist on PostgreSQL only")
    with connection.cursor() as cursor:
        if role is None:
            cursor.execute("SELECT current_user")
            return cursor.fetchone()[0]
        cursor.execute("SELECT rolname FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
    if found is None:
        raise ValueError(f"no database role named {role!r}")
    return found[0]


def rights(role: str | None = None) -> Rights:
    """What `role` (the connection's own by default) may still do to the audit table."""
    name = _role(role)
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_userbyid(relowner) = %s FROM pg_class WHERE oid = %s::regclass",
            [name, table],
        )
        owner = bool(cursor.fetchone()[0])
        held = []
        for right in REVOKED:
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [name, table, right])
            if cursor.fetchone()[0]:
                held.append(right)
    return Rights(role=name, owner=owner, held=tuple(held))


def restrict(role: str | None = None) -> Rights:
    """Revoke TRUNCATE and UPDATE on the audit table from `role` (the connection's own by
    default) and from PUBLIC; returns what the role may still do (nothing of those)."""
    name = _role(role)
    quoted = connection.ops.quote_name(name.replace('"', '""'))
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    rights_text = ", ".join(REVOKED)
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE {rights_text} ON {table} FROM PUBLIC")
        cursor.execute(f"REVOKE {rights_text} ON {table} FROM {quoted}")
    return rights(name)
