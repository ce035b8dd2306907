"""The audit log's events of this app (tests/audit holds the log itself)."""

import pytest
from django.urls import reverse

from audit.kinds import Kind
from audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.sampling.test_views import frame_draw  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def all_text() -> str:
    return str(list(AuditEvent.objects.values_list("subject", "detail", "actor_name")))


def test_the_sample_download_is_recorded_with_its_row_count(
    client,
    analyst,
    frame_draw,  # noqa: F811
):
    client.login(username=analyst.username, password=PASSWORD)
    response = client.get(reverse("sampling:draw_download", args=[frame_draw.pk]))
    assert response.status_code == 200
    [download] = events(Kind.DOWNLOAD)
    assert download.subject == f"sample-{frame_draw.pk}.csv"
    assert (
        download.detail["rows"] == 10 == len(response.content.decode("utf-8-sig").splitlines()) - 1
    )
    for unit in frame_draw.units.all():
        assert unit.phone not in all_text()
