"""The audit log's events of this app (tests/audit holds the log itself)."""

import pytest
from django.urls import reverse

from audit.kinds import Kind
from audit.models import AuditEvent
from scoring.editions import freeze_edition, sign_off
from tests.factories import PASSWORD
from tests.scoring.test_views import scored_wave  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def test_freezing_and_signing_an_edition_are_recorded(scored_wave, analyst, supervisor):  # noqa: F811
    edition = freeze_edition(wave=scored_wave, user=analyst)
    sign_off(edition=edition, user=supervisor)
    [frozen] = events(Kind.EDITION_FROZEN)
    [signed] = events(Kind.EDITION_SIGNED)
    assert (frozen.actor, frozen.wave, frozen.detail["edition"]) == (analyst, scored_wave, 1)
    assert (signed.actor, signed.wave, signed.detail["edition"]) == (supervisor, scored_wave, 1)


def test_a_results_download_is_recorded(client, scored_wave, analyst):  # noqa: F811
    client.login(username=analyst.username, password=PASSWORD)
    response = client.get(reverse("scoring:report_xlsx", args=[scored_wave.pk]))
    assert response.status_code == 200
    [download] = events(Kind.DOWNLOAD)
    assert download.subject == f"results-wave-{scored_wave.pk}.xlsx"
    assert download.wave == scored_wave
