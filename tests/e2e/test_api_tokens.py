"""An analyst makes a client body's API token in a real browser, the token reads the body's
waves over HTTP, and once revoked on the page it is refused."""

import os
from pathlib import Path

import pytest

from accounts.models import Organisation
from fieldwork.models import Wave
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
from tests.scoring.conftest import safety_draw, safety_version  # noqa: F401  (fixtures)

FIXTURES = (safety_draw, safety_version)  # asked for by name below

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots"))


def test_an_analyst_makes_a_token_that_reads_until_revoked(live_server, new_page, analyst, request):
    base = live_server.url
    version = request.getfixturevalue("safety_version")
    draw = request.getfixturevalue("safety_draw")
    client_body = Organisation.objects.create(name="平安市委政法委")
    safety_wave = Wave.objects.create(
        name="2024年第二季度", client=client_body, questionnaire_version=version,
        draw=draw,
    )  # fmt: skip
    Organisation.objects.create(name="平安调查中心", kind=Organisation.Kind.FIRM)
    page = new_page()
    log_in(page, base, analyst.username, PASSWORD)
    page.goto(f"{base}/api/tokens/")
    page.select_option("select[name=organisation]", str(safety_wave.client_id))
    page.fill("input[name=name]", "市社会治理平台")
    page.select_option("select[name=scope]", "read")
    page.fill("input[name=days]", "90")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    secret = page.inner_text("[data-token-secret]").strip()
    assert secret.startswith("sst_")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (820, 1180)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"api-tokens-{width}.png"), full_page=True)

    # the token reads its organisation's waves over HTTP
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "zh-hans"}
    waves = page.request.get(f"{base}/api/v1/waves", headers=headers)
    assert waves.status == 200 and [w["id"] for w in waves.json()] == [safety_wave.pk]

    # shown once: the list no longer has it; revoked on the page, it is refused
    page.goto(f"{base}/api/tokens/")
    assert secret not in page.content()
    assert "从未" not in page.inner_text("table")  # its last use is listed
    page.click("table button[type=submit]")
    page.wait_for_load_state()
    assert "已于" in page.inner_text("table") and "吊销" in page.inner_text("table")
    refused = page.request.get(f"{base}/api/v1/waves", headers=headers)
    assert refused.status == 401 and "令牌" in refused.json()["error"]["message"]
