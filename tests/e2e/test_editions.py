"""Editions in a real browser: the analyst freezes, a supervisor signs off, one more
interview is approved, and the analyst sees a new draft beside the signed edition with the
differences."""

import pytest

from qc.models import Review
from qc.services.reviews import approve_interview
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
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
    tmp_path,
):
    url = f"{live_server.url}/results/waves/{scored_wave.pk}/editions/"
    page = new_page()
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(url)
    page.click("#freeze")
    page.wait_for_load_state()
    assert "第 1 版已冻结为草稿" in page.content()
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

    page.goto(url)
    assert "输入已变化" in page.inner_text("#inputs-changed")
    page.click("#freeze")
    page.wait_for_load_state()
    rows = page.inner_text("#editions tbody")
    assert "草稿" in rows and "已签发" in rows
    assert "第 2 版与第 1 版对比" in page.inner_text("#comparison")
    diff = page.inner_text("main") if page.locator("main").count() else page.content()
    assert "城东区" in diff and "90.0" in diff and "45.0" in diff
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=tmp_path / f"editions-{name}.png", full_page=True)
