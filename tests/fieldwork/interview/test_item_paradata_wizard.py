"""The wizard stores the browser's per-question log with the page (once per submission key),
notes a refused log, and records going back and language switches; by phone as door to door."""

import json
import uuid

import pytest
from django.urls import reverse

from fieldwork.services import interviews as services
from tests.factories import PASSWORD
from tests.fieldwork.wizard_driver import page_data


def log(*events, d=5000) -> str:
    return json.dumps({"v": 1, "d": d, "lang": "zh", "e": list(events)})


def events(interview, name: str) -> list[dict]:
    interview.refresh_from_db()
    return [e for e in interview.paradata if e["event"] == name]


@pytest.fixture
def opened(client, my_case, interviewer):
    def open_interview(mode: str):
        interview = services.start_interview(case=my_case, interviewer=interviewer, mode=mode)
        assert client.login(username=interviewer.username, password=PASSWORD)
        url = reverse("fieldwork:interview", args=[interview.pk])
        return interview, url, client.get(url)

    return open_interview


@pytest.mark.parametrize("mode", ["phone", "door"])
def test_the_pages_log_is_stored_once_with_the_page(client, opened, mode):
    interview, url, response = opened(mode)
    key = str(uuid.uuid4())
    data = {
        **page_data(response),
        "submission_key": key,
        "page_version": response.context["page_version"],
        "item_paradata": log([0, "s", "consent"], [900, "a", "consent", "no"],
                             [2100, "a", "consent", "yes"]),
    }  # fmt: skip
    assert client.post(url, data).status_code in (200, 302)
    assert client.post(url, data).status_code in (200, 302)  # the same page sent again
    stored = events(interview, "items")
    assert len(stored) == 1
    assert stored[0]["step"] == "opening" and stored[0]["end"] == "next"
    assert stored[0]["q"]["consent"] == [0, None, 900, 5000, 1]
    assert stored[0]["ch"] == [[2100, "consent", "no", "yes"]]
    submitted = [e for e in interview.paradata if e["event"] == "page_submitted"]
    assert interview.paradata.index(stored[0]) < interview.paradata.index(submitted[0])


def test_an_implausible_log_is_noted_and_the_page_saved_all_the_same(client, opened):
    interview, url, response = opened("door")
    data = {**page_data(response), "item_paradata": log([900, "a", "consent", "yes"], d=100)}
    client.post(url, data)
    assert events(interview, "items") == []
    assert [e["reason"] for e in events(interview, "items_refused")] == ["events out of order"]
    assert interview.answers["/opening/consent"] == "yes"


def test_going_back_and_switching_language_are_recorded_with_the_visit(client, opened):
    interview, url, response = opened("door")
    response = client.post(url, page_data(response), follow=True)
    step = response.context["wizard"]["steps"].current
    prefix = response.context["wizard"]["management_form"].prefix
    shown_in = response.context["current_language"]
    switch = {
        f"{prefix}-current_step": step,
        "switch_language": "1",
        "questionnaire_language": "en",
        "item_paradata": log([0, "s", "x"], d=700),
    }
    client.post(url, switch)
    switched = events(interview, "language_switched")
    assert [(e["step"], e["from"], e["to"]) for e in switched] == [(step, shown_in, "en")]
    back = {f"{prefix}-current_step": step, "wizard_goto_step": "opening",
            "item_paradata": log(d=1200)}  # fmt: skip
    client.post(url, back)
    assert [(e["step"], e["to"]) for e in events(interview, "went_back")] == [(step, "opening")]
    assert [(e["step"], e["end"], e["ms"]) for e in events(interview, "items")[-2:]] == [
        (step, "language", 700),
        (step, "back", 1200),
    ]
