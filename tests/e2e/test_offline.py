"""A tablet loses its connection mid-interview: the page waits on the device, then is sent once.

Chromium with Playwright's offline mode (context.set_offline) against the live server.
"""

import time

import pytest

from fieldwork.models import ContactAttempt, Interview, SubmissionKey
from fieldwork.services import interviews as services
from tests.e2e.conftest import answer_current_page, log_in
from tests.factories import PASSWORD


def _submitted(interview: Interview) -> list[str]:
    interview.refresh_from_db()
    return [e["step"] for e in interview.paradata if e["event"] == "page_submitted"]


@pytest.mark.django_db(transaction=True)
def test_a_page_submitted_offline_is_kept_and_sent_exactly_once(
    live_server, new_page, my_case, interviewer
):
    interview = services.start_interview(case=my_case, interviewer=interviewer, mode="door")
    page = new_page()
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    url = f"{live_server.url}/fieldwork/interviews/{interview.pk}/"
    page.goto(url)
    first_heading = answer_current_page(page)

    # Offline, the interviewer submits the page (twice, being impatient)
    page.context.set_offline(True)
    page.click("#next")
    page.click("#next")

    # The page stays, and the banner lists it as waiting; nothing reached the server
    queue = page.locator("#offline-queue")
    queue.wait_for(state="visible")
    assert page.locator("#offline-queue li").count() == 1
    assert first_heading in page.locator("#offline-queue li").inner_text()
    assert "1" in page.locator("[data-offline-title]").inner_text()
    assert _submitted(interview) == []

    # Back online: the page is sent by itself and the interview moves on to the next page
    page.context.set_offline(False)
    page.wait_for_function(
        "heading => document.querySelector('h1').textContent.trim() !== heading", arg=first_heading
    )
    page.wait_for_load_state()
    assert page.locator("#offline-queue li").count() == 0
    assert _submitted(interview) == ["opening"]
    assert interview.answers["/opening/consent"] == "yes"
    assert SubmissionKey.objects.filter(interview=interview).count() == 1

    # Reloading sends nothing more
    page.reload()
    page.wait_for_load_state()
    assert _submitted(interview) == ["opening"]


@pytest.mark.django_db(transaction=True)
def test_the_visit_form_records_the_tablets_position_and_warns_when_far(
    live_server, chromium, my_case, interviewer, tree
):
    community = tree["community"]
    community.latitude, community.longitude = 28.2000, 112.9500
    community.save(update_fields=["latitude", "longitude"])
    context = chromium.new_context(
        locale="en-US",
        geolocation={"latitude": 28.2300, "longitude": 112.9500, "accuracy": 20},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        log_in(page, live_server.url, interviewer.username, PASSWORD)
        page.goto(f"{live_server.url}/fieldwork/cases/{my_case.pk}/?mode=door")
        page.wait_for_function(
            "document.querySelector('#visit-form input[name=latitude]').value !== ''"
        )
        page.select_option("#visit-form select[name=disposition]", "3.13")
        page.click("#visit-form button[type=submit]")
        page.wait_for_load_state()

        visit = ContactAttempt.objects.get(case=my_case)
        assert visit.latitude == pytest.approx(28.23) and visit.accuracy_m == pytest.approx(20)
        assert visit.position_warnings == ["far"]
        assert page.locator("#door-visit .position-warning").count() == 1
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_one_question_per_screen_shows_the_questions_in_turn_and_saves_the_page(
    live_server, new_page, my_case, interviewer
):
    interview = services.start_interview(case=my_case, interviewer=interviewer, mode="door")
    page = new_page()
    page.set_viewport_size({"width": 800, "height": 1100})  # a tablet
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    url = f"{live_server.url}/fieldwork/interviews/{interview.pk}/"
    page.goto(url)
    answer_current_page(page)
    page.click("#next")
    page.wait_for_load_state()  # screening: age, then residence
    assert _submitted(interview) == ["opening"]

    page.click("[data-one-question-toggle]")
    questions = page.locator("[data-question]")
    assert [questions.nth(i).is_visible() for i in range(questions.count())] == [True, False]
    assert not page.locator("#next").is_visible()  # the page's Next waits for the last question
    page.fill("[data-question=age] input", "67")
    page.click(".question-nav button:not(.secondary)")
    assert [questions.nth(i).is_visible() for i in range(questions.count())] == [False, True]
    page.check("[data-question=resident_6m] input[value=yes]")
    page.click("#next")
    page.wait_for_load_state()

    assert _submitted(interview) == ["opening", "screening"]
    assert (
        interview.answers["/screening/age"] == 67
        and interview.answers["/screening/resident_6m"] == "yes"
    )
    # the choice stays on the device for the next page
    assert page.locator("form.one-question").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_page_lost_on_the_way_while_online_is_sent_again_once(
    live_server, new_page, my_case, interviewer
):
    interview = services.start_interview(case=my_case, interviewer=interviewer, mode="door")
    page = new_page()
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    url = f"{live_server.url}/fieldwork/interviews/{interview.pk}/"
    page.goto(url)
    first_heading = answer_current_page(page)

    # The connection claims to be up, but the request dies on the way: an error page
    def drop_posts(route):
        if route.request.method == "POST":
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/interviews/**", drop_posts)
    page.click("#next")
    page.wait_for_load_state()
    assert _submitted(interview) == []

    # Going back to the interview, the page that never arrived is sent, once
    page.unroute("**/interviews/**", drop_posts)
    page.go_back()
    # The browser's own error page (left behind by the dropped request) has a heading too, so
    # wait for the server to have the page rather than for the heading to change.
    deadline = time.monotonic() + 20
    while _submitted(interview) == [] and time.monotonic() < deadline:
        time.sleep(0.2)
    page.wait_for_function(
        "heading => document.querySelector('h1').textContent.trim() !== heading", arg=first_heading
    )
    time.sleep(0.5)  # a second sending, were there one, would land by now
    assert _submitted(interview) == ["opening"]
    assert interview.answers["/opening/consent"] == "yes"


@pytest.mark.django_db(transaction=True)
def test_a_kept_page_the_server_refuses_stays_queued_and_is_shown_for_correction(
    live_server, new_page, my_case, interviewer
):
    interview = services.start_interview(case=my_case, interviewer=interviewer, mode="door")
    page = new_page()
    log_in(page, live_server.url, interviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/fieldwork/interviews/{interview.pk}/")
    first_heading = page.inner_text("h1")

    # Offline, the page is kept without its required answer (the browser's check is off)
    page.eval_on_selector("form:has(input[name=submission_key])", "form => form.noValidate = true")
    page.context.set_offline(True)
    page.click("#next")
    assert page.locator("#offline-queue li").count() == 1

    # Back online: the server shows the page again with errors; it is not dropped
    page.context.set_offline(False)
    page.locator("main .errorlist").first.wait_for()  # the page opened with the errors
    page.locator("#offline-queue [data-offline-attention]").wait_for()
    assert page.inner_text("h1").strip() == first_heading.strip()
    assert page.locator("#offline-queue li").count() == 1
    assert _submitted(interview) == []
    assert not SubmissionKey.objects.exists()

    # Corrected and sent, it leaves the queue and the interview moves on
    answer_current_page(page)
    page.click("#next")
    page.wait_for_function(
        "heading => document.querySelector('h1').textContent.trim() !== heading", arg=first_heading
    )
    page.wait_for_load_state()
    assert _submitted(interview) == ["opening"]
    assert page.locator("#offline-queue li").count() == 0
    assert SubmissionKey.objects.filter(interview=interview).count() == 1
