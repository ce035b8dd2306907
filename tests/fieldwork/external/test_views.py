"""The page that loads another system's export: a job, its outcome and every problem."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fieldwork.models import Interview, Wave
from tests.factories import CLIENT_ORGANISATION, make_organisation
from tests.fieldwork.external.test_services import _csv, _kobo_rows

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _post(client, version, data: bytes, **fields):
    return client.post(
        reverse("fieldwork:external_import"),
        {
            "file": SimpleUploadedFile("kobo.csv", data),
            "version": version.pk,
            "name": "外部数据",
            "client": make_organisation(CLIENT_ORGANISATION).pk,
            "mode": "door",
            "time_zone": "Asia/Shanghai",
            **fields,
        },
        follow=True,
    )


def test_analyst_loads_an_export_and_sees_the_wave(client, analyst, standard_version, tree):
    client.force_login(analyst)
    header, rows = _kobo_rows(4)

    page = _post(client, standard_version, _csv(header, rows)).content.decode()

    wave = Wave.objects.get(name="外部数据")
    assert "kobo.csv: 4 interviews loaded." in page
    assert reverse("fieldwork:wave_detail", args=[wave.pk]) in page
    assert Interview.objects.filter(case__wave=wave).count() == 4


def test_every_problem_is_listed_and_nothing_is_saved(client, analyst, standard_version, tree):
    client.force_login(analyst)
    header, rows = _kobo_rows(3)
    rows[0][header.index("satisfaction/sat_patrol")] = "7"
    rows[2][header.index("screening/age")] = "x"

    page = _post(client, standard_version, _csv(header, rows)).content.decode()

    assert "kobo.csv: 2 problems" in page and "Nothing was imported." in page
    assert "Row 2, column satisfaction/sat_patrol: 7 is not a choice of question sat_patrol" in (
        page
    )
    assert "Row 4, column screening/age: x is not a whole number" in page
    assert not Wave.objects.filter(name="外部数据").exists()


def test_the_chosen_street_places_interviews_without_a_place(
    client, analyst, standard_version, tree
):
    client.force_login(analyst)
    header, rows = _kobo_rows(2)
    keep = [i for i, c in enumerate(header) if not c.startswith("locality/")]
    header, rows = [header[i] for i in keep], [[r[i] for i in keep] for r in rows]

    _post(client, standard_version, _csv(header, rows), street=tree["other_street"].pk)

    streets = set(Interview.objects.values_list("street__code", flat=True))
    assert streets == {"S2"}
