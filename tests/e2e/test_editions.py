"""Editions in a real browser: the analyst freezes (a job renders the wave's report and
every district's), a supervisor signs off, one more interview is approved, and a new draft
appears by itself beside the signed edition with the differences; a district's reader sees
its district's report only."""

from pathlib import Path

import pytest

from accounts.models import Role
from qc.models import Review
from qc.services.reviews import approve_interview
from scoring.models import ClientDistrict
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, make_user
from tests.scoring.conftest import (  # noqa: F401  (fixtures)
    field_interviewer,
    make_interview,
    places,
    safety_draw,
    safety_version,
    safety_wave,
)
from tests.scoring.factories import answers
from tests.scoring.test_views import scored_wave  # noqa: F401  (fixture)

SIZES = {"desktop": (1366, 900), "tablet": (820, 1180)}


@pytest.mark.django_db(transaction=True)
def test_freeze_sign_approve_and_compare(
    live_server,
    new_page,
    analyst,
    supervisor,
    scored_wave,  # noqa: F811
    places,  # noqa: F811
    make_interview,  # noqa: F811
    client_user,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"  # the district reports' files
    url = f"{live_server.url}/results/waves/{scored_wave.pk}/editions/"
    page = new_page()
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(url)
    page.click("#freeze")
    page.wait_for_load_state()
    # the job (run at once in tests) froze edition 1 with a report per district
    assert page.locator("#editions tbody tr").count() == 1
    assert "草稿" in page.inner_text("#editions tbody")
    assert page.locator("#editions .districts li").count() == 2  # 城东区, 城西区
    assert page.locator("#editions .sign").count() == 0  # not by the one who froze it

    other = new_page()
    log_in(other, live_server.url, supervisor.username, PASSWORD)
    other.goto(url)
    other.click("#editions .sign")
    other.wait_for_load_state()
    assert "第 1 版已签发" in other.content()

    # a later review decision: one more interview in 东华街道, proposed and approved
    interview = make_interview(
        scored_wave,
        places["east_a"],
        answers(safety="1", order="1"),
        state=Review.State.CLEAN,
    )
    review = Review.objects.get(interview=interview)
    approve_interview(review=review, user=supervisor)  # the supervisor proposes
    approve_interview(review=review, user=analyst)  # the QC lead approves
    assert Review.objects.get(interview=interview).state == Review.State.APPROVED

    # the approval's commit started the results job, which made draft 2 by itself
    page.goto(url)
    assert page.locator("#editions tbody tr").count() == 2
    assert page.locator("#editions tbody tr").first.locator(".automatic").count() == 1
    # naming what caused it: the approval, by whom, linked to the interview's review
    cause = page.locator("#editions tbody tr").first.locator(".cause")
    reviewer = analyst.get_full_name() or analyst.username
    assert f"访问 #{interview.pk}" in cause.inner_text() and reviewer in cause.inner_text()
    assert cause.locator(f"a[href='/qc/interviews/{interview.pk}/']").count() == 1
    rows = page.inner_text("#editions tbody")
    assert "草稿" in rows and "已签发" in rows
    assert "第 2 版与第 1 版对比" in page.inner_text("#comparison")
    diff = page.inner_text("main") if page.locator("main").count() else page.content()
    assert "城东区" in diff and "90.0" in diff and "45.0" in diff
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=tmp_path / f"editions-{name}.png", full_page=True)

    # a district's reader: the client's user limited to 城东区 reads the signed edition's
    # part for 城东区 only (edition 2 is still a draft)
    reader = make_user("east_reader", Role.CLIENT, organisation=client_user.organisation)
    ClientDistrict.objects.create(user=reader, district=places["east"])
    district_page = new_page()
    log_in(district_page, live_server.url, reader.username, PASSWORD)
    district_page.goto(f"{live_server.url}/results/?wave={scored_wave.pk}")
    note = district_page.inner_text("#district-note")
    assert "城东区" in note and "西山县" not in district_page.inner_text("main")
    assert "东华街道" in district_page.content()
    for name, (width, height) in SIZES.items():
        district_page.set_viewport_size({"width": width, "height": height})
        district_page.screenshot(path=tmp_path / f"district-reader-{name}.png", full_page=True)
    with district_page.expect_download() as download:
        district_page.click("text=下载 PDF 报告")
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF")
