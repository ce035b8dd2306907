"""Sessions end after SESSION_IDLE_MINUTES without a request: tablets are shared."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone


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
