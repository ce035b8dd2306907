"""The rate limiter: its counter on the database cache, the client's address, the login form,
the health check, and what happens when the count cannot be kept."""

import threading
import time
import uuid
import zlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection, connections
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from common.client_ip import client_ip
from common.ratelimit import refusal
from tests.factories import PASSWORD


def _expires(key: str):
    cache = caches["ratelimit"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT expires FROM survey_ratelimit WHERE cache_key = %s",
            [cache.make_and_validate_key(key)],
        )
        return cursor.fetchone()[0]


def test_an_increment_keeps_the_counters_window(db):
    cache = caches["ratelimit"]
    assert cache.add("reveals", 1, 3600)
    before = _expires("reveals")
    assert cache.incr("reveals") == 2
    assert cache.incr("reveals", 3) == 5
    assert cache.get("reveals") == 5
    # Django's own increment would have moved the expiry to its default timeout (5 minutes):
    # an hour's limit would start again after five quiet minutes.
    assert _expires("reveals") == before
    with pytest.raises(ValueError):
        cache.incr("never-added")


def test_the_stock_database_cache_moves_the_window(db):
    """Why common.cache exists: the reference behaviour the counter must not have."""
    stock = DatabaseCache("survey_ratelimit", {})
    stock.add("reveals", 1, 3600)
    before = _expires("reveals")
    stock.incr("reveals")
    assert _expires("reveals") != before


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_all_counted():
    cache = caches["ratelimit"]
    cache.add("logins", 0, 600)
    threads, per_thread = 6, 15
    errors = []

    def hammer():
        try:
            for _ in range(per_thread):
                caches["ratelimit"].incr("logins")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert cache.get("logins") == threads * per_thread


def test_an_add_keeps_a_live_key_and_takes_over_an_expired_one(db):
    cache, key = caches["ratelimit"], f"logins-{uuid.uuid4()}"  # transactional tests leave keys
    assert cache.add(key, 1, 600)
    first = _expires(key)
    assert not cache.add(key, 7, 3600)
    assert cache.get(key) == 1 and _expires(key) == first
    with connection.cursor() as cursor:  # the window ends
        cursor.execute(
            "UPDATE survey_ratelimit SET expires = %s WHERE cache_key = %s",
            [
                connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(seconds=5)),
                cache.make_and_validate_key(key),
            ],
        )
    assert cache.add(key, 7, 3600)
    assert cache.get(key) == 7
    assert _expires(key) > first  # a new hour's window
    assert cache.add(f"{key}-forever", 1, None) and cache.get(f"{key}-forever") == 1


@pytest.mark.django_db(transaction=True)
def test_an_add_that_loses_a_race_leaves_the_winners_count_and_fails_no_statement():
    """Two requests add the same counter at once: the other request's add lands just before
    this one writes. This add reports that it added nothing, the other's value stands, and
    no statement fails (a failed insert is an error line in PostgreSQL's log)."""
    failed, raced, key = [], [], f"logins-{uuid.uuid4()}"

    def the_other_request():
        try:
            raced.append(caches["ratelimit"].add(key, 5, 600))
        finally:
            connections.close_all()

    def racing(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and "survey_ratelimit" in sql and not raced:
            raced.append(sql)
            other = threading.Thread(target=the_other_request)
            other.start()
            other.join()
        try:
            return execute(sql, params, many, context)
        except Exception as error:
            failed.append(error)
            raise

    with connection.execute_wrapper(racing):
        added = caches["ratelimit"].add(key, 1, 600)
    assert raced[1:] == [True], "the other request did not add first"
    assert failed == []
    assert added is False
    assert caches["ratelimit"].get(key) == 5


def test_behind_the_proxy_the_address_is_the_one_nginx_appended(settings):
    factory = RequestFactory()
    forged = factory.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", REMOTE_ADDR="127.0.0.1")
    settings.BEHIND_TLS_PROXY = False
    assert client_ip(forged) == "127.0.0.1"
    settings.BEHIND_TLS_PROXY = True
    assert client_ip(forged) == "203.0.113.7"
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"
    garbage = factory.get("/", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="10.0.0.5")
    assert client_ip(garbage) == "10.0.0.5"


def test_login_posts_are_limited_per_address(client, rate_limits, interviewer):
    rate_limits(login="3/m")
    wrong = {"username": interviewer.username, "password": "not-the-password"}
    assert [client.post(reverse("login"), wrong).status_code for _ in range(3)] == [200] * 3
    refused = client.post(reverse("login"), {**wrong, "password": PASSWORD})
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.content.decode() and int(refused["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session  # the right password did not get through
    assert client.get(reverse("login")).status_code == 200  # the form itself is not counted
    elsewhere = client.post(
        reverse("login"), {**wrong, "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert elsewhere.status_code == 302


def test_the_health_check_is_limited_per_address(client, rate_limits, db):
    rate_limits(healthz="2/m")
    assert [client.get(reverse("healthz")).status_code for _ in range(3)] == [200, 200, 429]


@pytest.fixture
def broken_counter(settings, tmp_path):
    """A rate-limit cache that fails on every write (its directory is under a file)."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(blocker / "cache"),
        },
    }


def test_without_a_counter_the_health_check_still_answers(client, db, broken_counter):
    assert client.get(reverse("healthz")).status_code == 200


def test_without_a_counter_no_number_is_revealed(
    client, settings, my_case, interviewer, broken_counter
):
    settings.TWILIO_ACCOUNT_SID = ""
    client.login(username=interviewer.username, password=PASSWORD)
    response = client.post(reverse("fieldwork:reveal_phone", args=[my_case.pk]))
    assert response.status_code == 429 and my_case.unit.phone not in response.content.decode()
    assert not my_case.phone_reveals.exists()


def test_the_admin_login_shares_the_login_count(client, rate_limits, interviewer):
    rate_limits(login="2/m")
    wrong = {"username": interviewer.username, "password": "not-the-password"}
    assert client.post(reverse("login"), wrong).status_code == 200
    assert client.post(reverse("admin:login"), wrong).status_code == 200
    assert client.post(reverse("admin:login"), wrong).status_code == 429
    assert client.post(reverse("login"), wrong).status_code == 429
    assert client.get(reverse("admin:login")).status_code == 200


def test_a_request_counted_as_its_window_ends_is_let_through(db, monkeypatch):
    """django-ratelimit reads the clock for the window and again for the time left: when the
    window's last second ends between the two, the time left reads -1, which is also how it
    reports a count it could not keep. A counted request is let through all the same."""
    from django_ratelimit import core

    value = "api-token:window-end"
    now = int(time.time())
    window_end = now - now % 60 + zlib.crc32(value.encode()) % 60
    clock = iter([window_end, window_end + 1])
    monkeypatch.setattr(core, "time", SimpleNamespace(time=lambda: next(clock)))
    request = RequestFactory().get("/api/v1/waves")
    assert refusal(request, group="api", key=lambda group, request: value) is None
    assert next(clock, None) is None  # both readings were taken


def test_a_count_that_cannot_be_kept_is_refused(db, broken_counter):
    request = RequestFactory().get("/api/v1/waves")
    assert refusal(request, group="api", key=lambda group, request: "any") == 60
    assert refusal(request, group="healthz", key="ip", fail_open=True) is None
