"""The review page's per-question timeline (qc.presenters.timeline), in Chinese and English."""

from django.urls import reverse

from fieldwork.interview.item_events import MASK
from qc.services.checks import check_completed_interview
from tests.factories import PASSWORD
from tests.qc.conftest import varied_answers

AT = "2025-03-01T10:{:02d}:00+08:00"
PARADATA = [
    {"event": "page_shown", "step": "satisfaction", "at": AT.format(0)},
    {"event": "items", "step": "satisfaction", "at": AT.format(1), "end": "next", "ms": 61_500,
     "gap": 42_000, "bg": 5_000, "lang": "zh",
     "q": {"sat_1": [0, 1200, 1500, 9000, 1], "comment": [0, 20_000, 30_000, 47_500, 1]},
     "ch": [[4000, "sat_1", "2", "4"], [50_000, "comment", MASK, MASK]]},
    {"event": "page_submitted", "step": "satisfaction", "at": AT.format(1)},
    {"event": "went_back", "step": "satisfaction", "to": "screen", "at": AT.format(2)},
    {"event": "items_refused", "step": "screen", "reason": "events out of order",
     "at": AT.format(3)},
]  # fmt: skip


def test_the_timeline_shows_each_question_and_change_with_labels_and_masks(
    client, world, interviewer, supervisor
):
    interview = world.interview(interviewer, answers=varied_answers(sat_1="4"), paradata=PARADATA)
    check_completed_interview(interview)
    assert client.login(username=supervisor.username, password=PASSWORD)
    url = reverse("qc:review_detail", args=[interview.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    timeline = response.context["timeline"]
    assert timeline["changes"] == 2 and timeline["back"] == 1 and timeline["refused"] == 1
    visit = timeline["visits"][0]
    assert visit["page"] == "满意度" and visit["length"] == "61.5 秒"
    assert [(r["label"], r["first"], r["time"], r["changes"]) for r in visit["questions"]] == [
        ("满意度第1题", "1.5 秒", "9.0 秒", 1),
        ("意见建议", "30.0 秒", "47.5 秒", 1),
    ]
    text = response.text
    assert "满意度第1题: 不满意 → 满意" in text  # codes named by their labels
    assert "意见建议: （已隐藏：个人信息） → （已隐藏：个人信息）" in text
    assert "1 个页面记录因不合理被拒收" in text

    client.cookies["django_language"] = "en"
    english = client.get(url).text
    assert "Satisfaction 1: Dissatisfied → Satisfied" in english
    assert "Question by question" in english and "left by Next" in english


def test_an_interview_without_per_question_logs_has_no_timeline(
    client, world, interviewer, supervisor
):
    interview = world.interview(interviewer, answers=varied_answers())
    check_completed_interview(interview)
    assert client.login(username=supervisor.username, password=PASSWORD)
    response = client.get(reverse("qc:review_detail", args=[interview.pk]))
    assert response.context["timeline"] == {}
    assert 'id="item-timeline"' not in response.text
