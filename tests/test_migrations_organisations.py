"""The organisations migration: free-text organisation names become rows and back."""

import pytest
from django.db import connection

from accounts.models import Organisation, Role, User
from fieldwork.models import Wave
from tests.factories import make_draw, make_locality_tree, make_user, make_wave
from tests.factories import make_standard_version as standard_version_rows
from tests.test_migrations_by_path import _migrate

BEFORE = [
    ("accounts", "0003_user_must_change_password"),
    ("fieldwork", "0012_tried_cases_queue_indexes"),
]
AFTER = [
    ("accounts", "0004_organisations_and_teams"),
    ("fieldwork", "0013_organisations_teams_routing"),
    # later fieldwork migrations too, so that the current models read the wave table
    ("fieldwork", "0014_retention_and_processing_record"),
]


def _column(sql: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_organisation_names_become_rows_and_back(standard_form, latest_afterwards):
    # given a wave of a client body, its client user and an interviewer
    data, parsed = standard_form
    version = standard_version_rows(parsed=parsed, data=data)
    wave = make_wave(draw=make_draw(make_locality_tree()), version=version)
    make_user("client", Role.CLIENT, organisation=wave.client.name)
    make_user("interviewer", Role.INTERVIEWER)
    # when rolled back, the names are written back as text
    _migrate(BEFORE)
    assert _column("SELECT client FROM fieldwork_wave") == ["平安市委政法委"]
    names = _column("SELECT organisation FROM accounts_user ORDER BY username")
    assert names == ["平安市委政法委", ""]
    # and when migrated forward again, each distinct name is one organisation, tied by id
    _migrate(AFTER)
    client_body = Organisation.objects.get(name="平安市委政法委")
    assert client_body.kind == Organisation.Kind.CLIENT
    # (only the column read: later migrations add wave columns this state lacks)
    assert Wave.objects.values_list("client_id", flat=True).get() == client_body.pk
    assert User.objects.get(username="client").organisation == client_body
    # staff who had none belong to the firm
    assert User.objects.get(username="interviewer").organisation.kind == Organisation.Kind.FIRM
    assert Organisation.objects.count() == 2
