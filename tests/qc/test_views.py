"""The review pages: access, filters, the detail page and decisions via POST."""

import pytest
from django.urls import reverse

from fieldwork.models import Interview
from qc.models import Review
from qc.rules import RuleConfig
from qc.services.checks import check_completed_interview, check_interviews
from tests.factories import PASSWORD
from tests.qc.conftest import straight_answers, varied_answers

LIST = reverse("qc:review_list")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def detail_url(interview) -> str:
    return reverse("qc:review_detail", args=[interview.pk])


@pytest.mark.parametrize("role_fixture", ["supervisor", "analyst"])
def test_staff_see_the_review_list(request, client, flagged, role_fixture):
    login(client, request.getfixturevalue(role_fixture))
    response = client.get(LIST)
    assert response.status_code == 200
    assert f"#{flagged.pk}" in response.text
    assert "访问用时 45 秒" in response.text
    assert "00:45" in response.text


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("zh-hans", ["访问用时 45 秒", "自动检查通过"], ["45 s", "Automatic checks passed"]),
        ("en", ["45 s", "Automatic checks passed"], ["访问用时 45 秒", "自动检查通过"]),
    ],
)
def test_each_reader_reads_the_automatic_reasons_in_their_own_language(
    client, world, interviewer, flagged, supervisor, language, shown, not_shown
):
    clean = world.interview(interviewer, answers=varied_answers())
    check_completed_interview(clean)
    login(client, supervisor)
    pages = [
        client.get(LIST, HTTP_ACCEPT_LANGUAGE=language).text,  # the flags' reasons
        client.get(detail_url(flagged), HTTP_ACCEPT_LANGUAGE=language).text,  # and the history
        client.get(detail_url(clean), HTTP_ACCEPT_LANGUAGE=language).text,
    ]
    assert shown[0] in pages[0] and shown[0] in pages[1] and shown[1] in pages[2]
    assert not any(text in page for text in not_shown for page in pages)


@pytest.mark.parametrize("role_fixture", ["interviewer", "client_user"])
def test_interviewers_and_clients_are_refused(request, client, flagged, role_fixture):
    login(client, request.getfixturevalue(role_fixture))
    assert client.get(LIST).status_code == 403
    assert client.get(detail_url(flagged)).status_code == 403
    for name in ("qc:review_approve", "qc:review_reject"):
        response = client.post(reverse(name, args=[flagged.pk]), {"reject-reason": "x"})
        assert response.status_code == 403
    assert Review.objects.get(interview=flagged).state == Review.State.FLAGGED


def test_list_puts_flagged_first_and_filters_by_state(client, world, interviewer, supervisor):
    clean = world.interview(interviewer, answers=varied_answers())
    flagged = world.interview(interviewer, answers=straight_answers("4"))
    check_completed_interview(clean)
    check_completed_interview(flagged)
    login(client, supervisor)
    rows = [row["interview_id"] for row in client.get(LIST).context["rows"]]
    assert rows == [flagged.pk, clean.pk]
    rows = [row["interview_id"] for row in client.get(LIST, {"state": "clean"}).context["rows"]]
    assert rows == [clean.pk]


def test_list_filters_by_wave_interviewer_and_street(
    client, world, interviewer, other_interviewer, supervisor
):
    other_wave = world.make_wave("2025 Q2")
    base = world.interview(interviewer)
    in_other_wave = world.interview(interviewer, wave=other_wave)
    by_other = world.interview(other_interviewer)
    on_other_street = world.interview(interviewer, street=world.other_street)
    # The same answers in every interview: keep duplicate_answers out of the counts.
    check_interviews(
        interviews=Interview.objects.all(), config=RuleConfig(duplicate_min_items=10**6)
    )
    login(client, supervisor)

    def ids(**params):
        return {row["interview_id"] for row in client.get(LIST, params).context["rows"]}

    assert ids(wave=other_wave.pk) == {in_other_wave.pk}
    assert ids(interviewer=other_interviewer.pk) == {by_other.pk}
    assert ids(street=world.other_street.pk) == {on_other_street.pk}
    assert ids(wave=world.wave.pk, interviewer=interviewer.pk, street=world.street.pk) == {base.pk}
    counts = {
        c["state"]: c["n"] for c in client.get(LIST, {"wave": other_wave.pk}).context["counts"]
    }
    assert counts == {
        "flagged": 0,
        "clean": 1,
        "proposed_reject": 0,
        "proposed_approve": 0,
        "returned": 0,
        "rejected": 0,
        "approved": 0,
    }


def test_list_query_count_does_not_grow_with_rows(
    client, world, interviewer, supervisor, django_assert_max_num_queries
):
    for i in range(12):
        answers = straight_answers("4") if i % 2 else varied_answers()
        world.interview(interviewer, answers=answers, duration=45 if i % 3 else 400)
    check_interviews(interviews=Interview.objects.all())
    login(client, supervisor)
    # session, user, their second factor, the teams they lead, 3 filter option lists, page
    # count, page rows, flags, state counts, the session's new idle expiry (an update between
    # savepoints)
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 12


def test_list_paginates_by_fifty(client, world, interviewer, supervisor):
    for _ in range(51):
        world.interview(interviewer)
    check_interviews(interviews=Interview.objects.all())
    login(client, supervisor)
    assert len(client.get(LIST).context["rows"]) == 50
    assert len(client.get(LIST, {"page": 2}).context["rows"]) == 1


def test_detail_shows_answers_flags_time_history_and_masked_phone(
    client, world, interviewer, supervisor
):
    paradata = [
        {"event": "started", "mode": "phone", "at": "2025-03-01T10:00:00+08:00"},
        {"event": "page_shown", "step": "satisfaction", "at": "2025-03-01T10:00:00+08:00"},
        {"event": "page_submitted", "step": "satisfaction", "at": "2025-03-01T10:01:05+08:00"},
    ]
    interview = world.interview(
        interviewer,
        answers=straight_answers("4"),
        duration=45,
        paradata=paradata,
        phone="13812345678",
    )
    check_completed_interview(interview)
    login(client, supervisor)
    response = client.get(detail_url(interview), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = response.text
    assert response.status_code == 200
    assert "满意度第1题" in text and "满意" in text  # labels from the definition, in Chinese
    assert "10 项量表题中 10 项回答「满意」" in text
    assert "01:05" in text  # time on the satisfaction page
    assert "138****5678" in text and "13812345678" not in text


def test_a_number_given_in_an_answer_is_masked_on_the_review_page(
    client, world, interviewer, supervisor
):
    # an open answer naming a number to call back (typed in full width), and an answer kept
    # under a name the questionnaire no longer has
    comment = "路灯太少，有事打１３９ 1234 5678"
    answers = varied_answers(comment=comment, old_contact="+86 13812345678")
    interview = world.interview(interviewer, answers=answers)
    check_completed_interview(interview)
    login(client, supervisor)
    response = client.get(detail_url(interview))
    shown = {
        row["name"]: row["answer"] for s in response.context["sections"] for row in s["answers"]
    }
    assert shown["comment"] == "路灯太少，有事打139****5678"
    assert shown["old_contact"] == "138****5678"
    assert "１３９ 1234" not in response.text and "13812345678" not in response.text


def test_detail_labels_follow_english_ui(client, world, interviewer, supervisor):
    interview = world.interview(interviewer, answers=varied_answers(sat_1="4"))
    check_completed_interview(interview)
    login(client, supervisor)
    client.cookies["django_language"] = "en"
    text = client.get(detail_url(interview)).text
    assert "Satisfaction 1" in text and "Satisfied" in text
    assert "满意度第1题" not in text


def test_detail_shows_answers_by_label_never_by_raw_value(client, world, interviewer, supervisor):
    interview = world.interview(interviewer, answers=varied_answers(sat_1="4"))
    check_completed_interview(interview)
    login(client, supervisor)
    sections = client.get(detail_url(interview)).context["sections"]
    answers = {row["name"]: row for section in sections for row in section["answers"]}
    # a named value is shown by its label alone; a scale's number may stay beside its label
    assert (answers["consent"]["answer"], answers["consent"]["code"]) == ("是", "")
    assert (answers["sat_1"]["answer"], answers["sat_1"]["code"]) == ("满意", "4")


def test_detail_of_unreviewed_interview_is_404(client, world, interviewer, supervisor):
    interview = world.interview(interviewer)
    login(client, supervisor)
    assert client.get(detail_url(interview)).status_code == 404


def test_approve_via_post(client, flagged, supervisor):
    login(client, supervisor)
    response = client.post(
        reverse("qc:review_approve", args=[flagged.pk]), {"approve-reason": "录音复核无误"}
    )
    assert response.status_code == 302 and response.url == detail_url(flagged)
    review = Review.objects.get(interview=flagged)
    assert review.state == Review.State.PROPOSED_APPROVE and review.proposed_by == supervisor
    event = review.events.last()
    assert event.actor == supervisor and event.reason == "录音复核无误"


def test_reject_via_post(client, flagged, analyst):
    login(client, analyst)
    response = client.post(
        reverse("qc:review_reject", args=[flagged.pk]), {"reject-reason": "回访不符"}
    )
    assert response.status_code == 302
    review = Review.objects.get(interview=flagged)
    assert review.state == Review.State.PROPOSED_REJECT and review.reason == "回访不符"
    page = client.get(response.url).text
    assert "回访不符" in page


def test_reject_without_reason_shows_the_error_and_changes_nothing(client, flagged, supervisor):
    login(client, supervisor)
    response = client.post(reverse("qc:review_reject", args=[flagged.pk]), {"reject-reason": ""})
    assert response.status_code == 200
    assert response.context["reject_form"].errors
    assert Review.objects.get(interview=flagged).state == Review.State.FLAGGED


def test_decisions_refuse_get(client, flagged, supervisor):
    login(client, supervisor)
    assert client.get(reverse("qc:review_approve", args=[flagged.pk])).status_code == 405


def test_repeated_approval_shows_a_message_instead_of_a_second_event(client, flagged, supervisor):
    login(client, supervisor)
    url = reverse("qc:review_approve", args=[flagged.pk])
    client.post(url, {})
    response = client.post(url, {}, follow=True)
    assert Review.objects.get(interview=flagged).events.count() == 2
    assert any(m.level_tag == "error" for m in response.context["messages"])
