"""Per-question paradata recorded by the interview page: sent with a page kept offline, applied
once, and shown on the review page's timeline; going back and switching language recorded.

Chromium with Playwright's offline mode against the live server.
"""

import pytest

from fieldwork.models import Interview, SubmissionKey
from fieldwork.services import interviews as services
from tests.e2e.conftest import answer_current_page, log_in
from tests.factories import PASSWORD


def _events(interview: Interview, name: str) -> list[dict]:
    interview.refresh_from_db()
    return [e for e in interview.paradata if e["event"] == name]


@pytest.mark.django_db(transaction=True)
def test_per_question_events_travel_offline_and_are_stored_once(
    live_server, new_page, my_case, interviewer
):
    interview = services.start_interview(case=my_case, interviewer=interviewer, mode="door")
    page = new_page()
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/interviews/{interview.pk}/")
    first_heading = page.inner_text("h1")

    # The interviewer answers consent "no", waits, then changes it to "yes"
    page.check("[data-question=consent] input[value=no]")
    page.wait_for_timeout(400)
    page.check("[data-question=consent] input[value=yes]")
    page.wait_for_timeout(300)
    answer_current_page(page)

    # Offline, the page is submitted twice and kept on the device with its log
    page.context.set_offline(True)
    page.click("#next")
    page.click("#next")
    page.locator("#offline-queue").wait_for(state="visible")
    kept = page.evaluate("window.offlineQueue.queue()")
    assert len(kept) == 1
    logged = dict(kept[0]["body"])["item_paradata"]
    assert '"a","consent","no"' in logged and '"a","consent","yes"' in logged
    assert _events(interview, "items") == []

    # Back online: sent by itself, stored once with the page
    page.context.set_offline(False)
    page.wait_for_function(
        "heading => document.querySelector('h1').textContent.trim() !== heading", arg=first_heading
    )
    page.wait_for_load_state()
    logs = _events(interview, "items")
    assert len(logs) == 1
    log = logs[0]
    assert log["step"] == "opening" and log["end"] == "next"
    shown, focus, first, active, changes = log["q"]["consent"]
    # shown as the page opened (a few milliseconds on a busy machine), answered later
    assert first is not None and 0 <= shown < min(100, first) and changes == 1
    assert active >= 600  # the two waits before the second answer, on the browser's clock
    assert [c[1:] for c in log["ch"]] == [["consent", "no", "yes"]]
    assert log["ch"][0][0] - first >= 400
    assert SubmissionKey.objects.filter(interview=interview).count() == 1
    page.reload()
    page.wait_for_load_state()
    assert len(_events(interview, "items")) == 1

    # Going back from the second page records the visit and where it went
    page.click("button[name=wizard_goto_step]")
    page.wait_for_load_state()
    back = _events(interview, "went_back")
    assert len(back) == 1 and back[0]["to"] == "opening" and back[0]["step"] != "opening"
    assert _events(interview, "items")[-1]["end"] == "back"
