"""A door visit's exact position is stored encrypted: the database holds tokens, the visit
pages and the distance check read the numbers as before, and the purge's query on them works."""

from datetime import UTC, datetime

from django.db import connection

from common.personal import keyring
from fieldwork.models import ContactAttempt
from tests.fieldwork.capi.test_views import (  # noqa: F401  (fixtures)
    NEAR,
    _visit,
    door_case,
    placed,
)


def _raw_positions() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT latitude, longitude, accuracy_m FROM fieldwork_contactattempt")
        return cursor.fetchall()


def test_a_visits_position_is_a_token_in_the_database_and_a_number_to_the_pages(browser, door_case):  # noqa: F811
    # when
    response = _visit(browser, door_case, NEAR)
    # then: tokens in the columns, the exact numbers behind them
    [(latitude, longitude, accuracy)] = _raw_positions()
    assert latitude.startswith("gAAAAA") and longitude.startswith("gAAAAA")
    assert "28.201" not in latitude + longitude and "112.95" not in latitude + longitude
    ring = keyring()
    assert (float(ring.decrypt(latitude)), float(ring.decrypt(longitude))) == (28.201, 112.95)
    assert accuracy == 12  # an accuracy radius locates no one
    visit = ContactAttempt.objects.get(case=door_case)
    assert (visit.latitude, visit.longitude) == (28.201, 112.95)
    assert round(visit.distance_m, 1) == 111.2  # the distance check read the numbers
    assert response.status_code == 200
    assert list(ContactAttempt.objects.filter(latitude__isnull=False)) == [visit]


def test_zero_and_negative_coordinates_survive_the_round_trip(browser, door_case):  # noqa: F811
    visit = ContactAttempt.objects.create(
        case=door_case,
        interviewer=door_case.interviewer,
        mode="door",
        started_at=datetime(2024, 6, 1, 9, tzinfo=UTC),
        latitude=0.0,
        longitude=-0.000123456789,
    )
    [(latitude, longitude, _accuracy)] = _raw_positions()
    assert latitude.startswith("gAAAAA") and longitude.startswith("gAAAAA")
    visit = ContactAttempt.objects.get(pk=visit.pk)
    assert (visit.latitude, visit.longitude) == (0.0, -0.000123456789)
    assert ContactAttempt.objects.values_list("latitude", "longitude").get() == (
        0.0,
        -0.000123456789,
    )
    ContactAttempt.objects.filter(pk=visit.pk).update(latitude=None, longitude=None)
    assert _raw_positions() == [(None, None, None)]
