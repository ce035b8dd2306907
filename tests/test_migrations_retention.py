"""The retention migration gives every existing wave a date: its planned end of fieldwork, or
else its creation, plus PERSONAL_DATA_RETENTION_DAYS."""

from datetime import UTC, date, datetime, timedelta

import pytest

from fieldwork.models import Wave
from tests.factories import make_draw, make_locality_tree, make_wave
from tests.factories import make_standard_version as standard_version_rows
from tests.test_migrations_by_path import _migrate

BEFORE = [("fieldwork", "0013_organisations_teams_routing")]
AFTER = [("fieldwork", "0014_retention_and_processing_record")]


@pytest.mark.django_db(transaction=True)
def test_existing_waves_are_kept_the_period_after_their_end_or_their_creation(
    standard_form, latest_afterwards, settings
):
    # given two waves: one with a planned end, one without, made on known days
    settings.PERSONAL_DATA_RETENTION_DAYS = 90
    data, parsed = standard_form
    version = standard_version_rows(parsed=parsed, data=data)
    tree = make_locality_tree()
    planned = make_wave(draw=make_draw(tree), version=version)
    unplanned = make_wave(draw=make_draw(tree), version=version)
    Wave.objects.filter(pk=planned.pk).update(
        ends_on=date(2026, 3, 31), created_at=datetime(2026, 1, 5, 2, tzinfo=UTC)
    )
    # 20:00 UTC is the next morning in Shanghai: the local day counts
    Wave.objects.filter(pk=unplanned.pk).update(created_at=datetime(2026, 2, 9, 20, tzinfo=UTC))
    # when the migration runs on them
    _migrate(BEFORE)
    _migrate(AFTER)
    # then each has its date
    retained = dict(Wave.objects.values_list("pk", "retain_until"))
    assert retained[planned.pk] == date(2026, 3, 31) + timedelta(days=90)
    assert retained[unplanned.pk] == date(2026, 2, 10) + timedelta(days=90)
