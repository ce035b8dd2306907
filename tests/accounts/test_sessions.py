"""Sessions end after SESSION_IDLE_MINUTES without a request: tablets are shared."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import middleware


def test_sessions_expire_after_30_idle_minutes_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXTEND_ON_ACTIVITY


def test_every_request_pushes_the_expiry_on(client, interviewer):
    client.force_login(interviewer)
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get(reverse("fieldwork:my_cases")).status_code == 200
    left = Session.objects.get().expire_date - timezone.now()
    assert left > timedelta(minutes=29)


def _session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return sum('UPDATE "django_session"' in q["sql"] for q in captured.captured_queries)


def test_activity_moves_the_expiry_on_at_most_once_a_minute(client, interviewer):
    """Every click writing the session row would cost a write and a commit per request."""
    client.force_login(interviewer)
    path = reverse("fieldwork:my_cases")
    assert _session_writes(client, path) == 1  # the first request after the login
    assert _session_writes(client, path) == 0
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    assert _session_writes(client, path) == 0  # within the minute: the expiry stays
    assert Session.objects.get().expire_date - timezone.now() < timedelta(minutes=6)

    session = client.session
    session[middleware.EXTENDED_AT] -= middleware.EXTEND_EVERY  # a minute has passed
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    assert _session_writes(client, path) == 1
    assert Session.objects.get().expire_date - timezone.now() > timedelta(minutes=29)


def test_an_idle_session_has_ended(client, interviewer):
    client.force_login(interviewer)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("fieldwork:my_cases"))
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_a_page_polling_in_the_background_does_not_keep_the_session_alive(client, analyst):
    client.force_login(analyst)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    before = Session.objects.get().expire_date

    response = client.get(reverse("jobs:job_list"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert Session.objects.get().expire_date == before


def test_a_session_signed_in_before_the_user_backend_stays_signed_in(client, interviewer):
    from importlib import import_module

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore

    upgrade = import_module("accounts.migrations.0005_sessions_user_backend")
    client.force_login(interviewer)
    path = reverse("fieldwork:my_cases")
    session = Session.objects.get()
    data = session.get_decoded()
    assert data["_auth_user_backend"] == upgrade.NEW
    # a session from before: named the model backend, which is no longer configured
    data["_auth_user_backend"] = upgrade.OLD
    Session.objects.filter(pk=session.pk).update(session_data=SessionStore().encode(data))
    assert client.get(path).status_code == 302  # as it would be without the upgrade
    Session.objects.filter(pk=session.pk).update(session_data=SessionStore().encode(data))
    upgrade.forwards(apps, None)
    assert Session.objects.get().get_decoded()["_auth_user_backend"] == upgrade.NEW
    assert client.get(path).status_code == 200
    upgrade.backwards(apps, None)
    assert Session.objects.get().get_decoded()["_auth_user_backend"] == upgrade.OLD


def test_a_person_made_inactive_is_signed_out_at_their_next_request(client, interviewer):
    client.force_login(interviewer)
    path = reverse("fieldwork:my_cases")
    assert client.get(path).status_code == 200
    type(interviewer).objects.filter(pk=interviewer.pk).update(is_active=False)
    response = client.get(path)
    assert response.status_code == 302 and reverse("login") in response.url
