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
