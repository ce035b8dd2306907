"""The audit log: what `record` writes, and that nothing changes or removes a row."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Role
from audit.kinds import Kind, kind_label
from audit.models import AppendOnly, AuditEvent
from audit.pruning import MINIMUM_DAYS, cutoff, prune_expired
from audit.services import record
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_record_copies_the_actor_as_they_are_now_and_the_client_address(settings):
    # given an analyst of the firm, behind nginx, whose request passed a proxy
    settings.BEHIND_TLS_PROXY = True
    user = make_user("zhang", Role.ANALYST, organisation="评估公司")
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="8.8.8.8, 203.0.113.9")
    request.user = user
    # when an event is recorded
    event = record(Kind.DOWNLOAD, request=request, subject="results.pdf", detail={"n": 3})
    # then it names the user, their role and organisation as they were, and nginx's address
    event.refresh_from_db()
    assert (event.actor, event.actor_name, event.actor_role) == (user, "zhang", "analyst")
    assert event.actor_organisation == "评估公司"
    assert event.ip == "203.0.113.9"
    assert event.detail == {"n": 3}
    # and a later change of the user does not change the event
    user.role = Role.SUPERVISOR
    user.save(update_fields=["role"])
    assert AuditEvent.objects.get(pk=event.pk).actor_role == "analyst"


def test_record_never_keeps_a_phone_number():
    # given a subject and details that quote numbers (as text, nested, and as an integer)
    detail = {"note": "called 138 1234 5678", "list": ["+86-13912345678"], "raw": 13700001111}
    # when they are recorded
    event = record(Kind.PHONE_REVEALED, subject="number 13812345678 shown", detail=detail)
    # then no digits of any number are stored
    stored = AuditEvent.objects.values_list("subject", "detail").get(pk=event.pk)
    text = str(stored)
    for digits in ("12345678", "5678", "13912345678", "13700001111"):
        assert digits not in text
    assert stored[0] == "number [phone] shown"


def test_unknown_kinds_are_shown_as_other_event(english):
    assert kind_label("something_new") == "Other event"
    assert kind_label(Kind.LOGIN) == "Signed in"


def test_the_model_refuses_to_change_or_delete_an_event():
    event = record(Kind.LOGIN, subject="someone")
    event.subject = "someone else"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(subject="x")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).subject == "someone"


def test_the_database_refuses_an_update_in_raw_sql():
    # given an event
    event = record(Kind.LOGIN, subject="someone")
    # when an UPDATE bypasses the application
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        with connection.cursor() as cursor:
            forged = "UPDATE audit_auditevent SET subject = 'forged' WHERE id = %s"
            cursor.execute(forged, [event.pk])
    # then the row is as it was
    assert AuditEvent.objects.get(pk=event.pk).subject == "someone"


def _insert_aged(days: int, subject: str) -> int:
    """An event written `days` ago, by raw INSERT (the only way to date one in the past)."""
    at = timezone.now() - timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (created_at, actor_name, actor_role,"
            " actor_organisation, kind, subject, detail)"
            " VALUES (%s, '', '', '', 'login', %s, '{}')",
            [at, subject],
        )
    return AuditEvent.objects.get(subject=subject).pk


def test_a_raw_delete_is_refused_by_the_database_even_for_an_old_row():
    # given an event older than any retention
    old = _insert_aged(400, "old")
    # when a DELETE bypasses the pruning, then the trigger (PostgreSQL's or SQLite's) refuses
    # it and the row stays
    with pytest.raises((DatabaseError, IntegrityError), match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [old])
    assert AuditEvent.objects.filter(pk=old).exists()


def test_on_postgresql_the_pruning_flag_cannot_remove_a_row_younger_than_six_months():
    # given an event of five months ago
    young = _insert_aged(150, "young")
    if connection.vendor != "postgresql":
        return  # the flag is PostgreSQL's (a transaction-local setting read by the trigger)
    # when code sets the pruning flag and deletes it
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('audit.pruning', 'on', true)")
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [young])
    # then the trigger's own floor kept it
    assert AuditEvent.objects.filter(pk=young).exists()


def test_pruning_removes_only_events_past_the_retention_and_records_itself(settings):
    # given a retention of 200 days and events of 400, 250, 190 and 10 days ago
    settings.AUDIT_RETENTION_DAYS = 200
    ids = {days: _insert_aged(days, f"aged {days}") for days in (400, 250, 190, 10)}
    # when the expired events are pruned
    removed = prune_expired()
    # then the two older than 200 days went, the others stay
    assert removed == 2
    left = set(AuditEvent.objects.filter(kind="login").values_list("pk", flat=True))
    assert left == {ids[190], ids[10]}
    # and the pruning is itself an event saying how many went
    pruned = AuditEvent.objects.get(kind=Kind.AUDIT_PRUNED)
    assert pruned.detail["removed"] == 2


def test_retention_shorter_than_six_months_is_held_at_six_months(settings):
    # given a setting below the legal floor (the system check refuses it; a test may set it)
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    # then the cutoff is still six months back, so pruning keeps anything younger
    assert cutoff(now=now) == now - timedelta(days=MINIMUM_DAYS)
    kept = _insert_aged(100, "hundred days")
    prune_expired()
    assert AuditEvent.objects.filter(pk=kept).exists()


def test_the_system_check_refuses_a_retention_under_six_months(settings):
    from audit.checks import retention_not_too_short

    settings.AUDIT_RETENTION_DAYS = 90
    assert [e.id for e in retention_not_too_short(None)] == ["audit.E001"]
    settings.AUDIT_RETENTION_DAYS = 183
    assert retention_not_too_short(None) == []


def test_a_service_called_from_a_page_gets_the_address_but_not_an_actor(analyst):
    # given an analyst's page that records an automatic event (no actor) while it is served
    from audit.middleware import RequestContextMiddleware

    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")
    request.user = analyst

    def page(request):
        record(Kind.EDITION_FROZEN, subject="automatic draft")
        return None

    # when the middleware serves it
    RequestContextMiddleware(page)(request)
    # then the event has the address of the request, and no actor
    event = AuditEvent.objects.get(kind=Kind.EDITION_FROZEN)
    assert event.ip == "198.51.100.7" and event.actor is None
