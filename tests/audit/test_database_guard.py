"""The audit log guarded by the database itself, on SQLite as on PostgreSQL: the pruning's
own path is the only DELETE that passes, never for a row younger than six months; a flush of
the whole database still works; on PostgreSQL, TRUNCATE is taken from the application's role
(manage.py secure_audit_log)."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from audit.kinds import Kind
from audit.models import AuditEvent
from audit.pruning import prune_expired, wiping_the_database
from audit.roles import rights
from audit.services import record

REFUSED = (DatabaseError, IntegrityError)


def _insert_aged(days: int, subject: str) -> int:
    at = timezone.now() - timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (created_at, actor_name, actor_role,"
            " actor_organisation, kind, subject, detail)"
            " VALUES (%s, '', '', '', 'login', %s, '{}')",
            [at, subject],
        )
    return AuditEvent.objects.get(subject=subject).pk


def _imitate_the_pruning(cursor) -> None:
    """What the pruning does to open the guard, for every row whatever its age."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT set_config('audit.pruning', 'on', true)")
    else:
        cursor.execute("INSERT INTO audit_prune_permit (older_than) VALUES ('9999-12-31')")


@pytest.mark.django_db
def test_imitating_the_pruning_cannot_remove_a_row_younger_than_six_months():
    # given events of five months and of seven months ago
    young, old = _insert_aged(150, "young"), _insert_aged(215, "old")
    # when code opens the guard as the pruning does and deletes the young one
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            _imitate_the_pruning(cursor)
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [young])
    # then the trigger's own floor (the database's clock) kept it; the old one may go
    assert AuditEvent.objects.filter(pk=young).exists()
    with transaction.atomic(), connection.cursor() as cursor:
        _imitate_the_pruning(cursor)
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [old])
    assert not AuditEvent.objects.filter(pk=old).exists()


@pytest.mark.django_db
def test_a_delete_of_every_row_is_refused_and_keeps_them_all():
    ids = {_insert_aged(days, f"aged {days}") for days in (400, 10)} | {
        record(Kind.LOGIN, subject="now").pk
    }
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == ids


@pytest.mark.django_db
def test_the_pruning_leaves_no_open_guard_behind(settings):
    # given an expired event and a young one
    settings.AUDIT_RETENTION_DAYS = 200
    expired, young = _insert_aged(300, "expired"), _insert_aged(190, "young enough")
    # when the pruning has run
    assert prune_expired() == 1
    assert set(AuditEvent.objects.filter(kind="login").values_list("pk", flat=True)) == {young}
    # then the same transaction-less connection cannot delete the older-than-six-months row
    # that the retention still keeps: the pruning's permit is gone with its transaction
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [young])
    assert AuditEvent.objects.filter(pk=young).exists() and expired != young
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_prune_permit")
            assert cursor.fetchone()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_a_flush_of_the_whole_database_empties_the_log_and_the_guard_stays():
    # given events in the log (committed: a transactional test)
    record(Kind.LOGIN, subject="someone")
    _insert_aged(400, "old")
    # when the whole database is flushed the way the demo's reset does it
    with wiping_the_database():
        call_command("flush", interactive=False, verbosity=0)
    # then the log is empty, and the guard is back for the next row
    assert not AuditEvent.objects.exists()
    old = _insert_aged(400, "old again")
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [old])
    assert AuditEvent.objects.filter(pk=old).exists()


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_plain_flush_is_refused_by_the_log(request):
    record(Kind.LOGIN, subject="someone")
    if connection.vendor == "postgresql":
        # PostgreSQL's flush truncates: what stops it is the role's rights (tests below)
        assert rights().held == ("TRUNCATE", "UPDATE")
        return
    with pytest.raises(CommandError, match="couldn't be flushed") as refused:
        call_command("flush", interactive=False, verbosity=0)
    assert "append-only: DELETE refused" in str(refused.value.__cause__)
    assert AuditEvent.objects.filter(subject="someone").exists()


@pytest.mark.django_db
def test_secure_audit_log_takes_truncate_from_the_role_and_pruning_still_works(settings):
    if connection.vendor != "postgresql":
        out = io.StringIO()
        call_command("secure_audit_log", stdout=out)
        assert "no database roles" in out.getvalue()
        return
    # given the application's role (here the tables' owner, the simple installation), which
    # can truncate the log: the check says so
    with pytest.raises(CommandError, match="can still TRUNCATE and UPDATE"):
        call_command("secure_audit_log", "--check", stdout=io.StringIO())
    settings.AUDIT_RETENTION_DAYS = 200
    expired, kept = _insert_aged(300, "expired"), record(Kind.LOGIN, subject="kept").pk
    # when the deployment step runs (inside this test's transaction, rolled back after it)
    out = io.StringIO()
    call_command("secure_audit_log", stdout=out)
    # then the role can no longer truncate or update the log, and is told it owns the table
    assert "cannot truncate or update" in out.getvalue() and "owns the table" in out.getvalue()
    call_command("secure_audit_log", "--check", stdout=io.StringIO())
    for forbidden in ("TRUNCATE audit_auditevent", "UPDATE audit_auditevent SET subject = 'x'"):
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(forbidden)
    # and a flush (what a mistaken `manage.py flush` would do) is refused too
    with pytest.raises(CommandError, match="couldn't be flushed") as refused:
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
    assert "permission denied" in str(refused.value.__cause__)
    # while events are still added, and the daily pruning still removes the expired ones
    record(Kind.LOGIN, subject="after")
    assert prune_expired() == 1
    assert not AuditEvent.objects.filter(pk=expired).exists()
    assert AuditEvent.objects.filter(pk=kept).exists()
    assert AuditEvent.objects.filter(subject="after").exists()


@pytest.mark.django_db
def test_secure_audit_log_refuses_an_unknown_role():
    if connection.vendor != "postgresql":
        return
    with pytest.raises(CommandError, match="no database role named 'nobody_here'"):
        call_command("secure_audit_log", "--role", "nobody_here", stdout=io.StringIO())
