"""Two questions named q1 in different groups: two answers from the wizard through QC, scoring
and the report, never one overwriting the other."""

import pytest
from django.urls import reverse

from fieldwork.models import Case, Interview
from qc.loaders import interview_frame
from qc.models import Review
from qc.presenters.reviews import answer_sections
from questionnaires.services import import_questionnaire_version
from scoring.loaders import approved_answers
from scoring.report.tables import dimension_table
from scoring.results import wave_results
from tests.factories import make_wave, start_first_interview
from tests.fieldwork.wizard_driver import page_of
from tests.questionnaires.workbooks import CHOICES_HEADER, SURVEY_HEADER, make_xlsx

SURVEY = [
    {"type": "begin group", "name": "opening", "label": "开场"},
    {"type": "select_one yes_no", "name": "consent", "label": "愿意吗", "consent": "yes"},
    {"type": "end group"},
    {"type": "begin group", "name": "police", "label": "派出所"},
    {"type": "select_one sat5", "name": "q1", "label": "对派出所满意吗", "dimension": "order"},
    {"type": "end group"},
    {"type": "begin group", "name": "courts", "label": "法院"},
    {"type": "select_one sat5", "name": "q1", "label": "对法院满意吗", "dimension": "order"},
    {"type": "end group"},
]
CHOICES = [
    {"list_name": "yes_no", "name": "yes", "label": "是"},
    {"list_name": "yes_no", "name": "no", "label": "否"},
    {"list_name": "sat5", "name": "5", "label": "满意", "score": 100, "positive": 1},
    {"list_name": "sat5", "name": "1", "label": "不满意", "score": 0, "positive": 0},
    {"list_name": "dimensions", "name": "order", "label": "社会治安"},
]


@pytest.fixture
def twin_interview(draw, interviewer):
    data = make_xlsx(survey=SURVEY, choices=CHOICES, survey_header=[*SURVEY_HEADER, "consent"],
                     choices_header=CHOICES_HEADER,
                     settings={"form_title": "双q1", "form_id": "twin"})  # fmt: skip
    version = import_questionnaire_version(data=data, source_name="twin.xlsx")
    wave = make_wave(draw=draw, version=version)
    return start_first_interview(wave=wave, interviewer=interviewer, mode="phone")


def answer_page(browser, interview, response, value: str):
    step, form = page_of(response)
    prefix = response.context["wizard"]["management_form"].prefix
    [name] = list(form.fields)
    data = {f"{prefix}-current_step": step, form.add_prefix(name): value}
    return browser.post(reverse("fieldwork:interview", args=[interview.pk]), data)


def test_two_q1_questions_stay_two_answers_from_the_wizard_to_the_report(
    browser, twin_interview, django_capture_on_commit_callbacks
):
    # when the interviewer answers 5 to the police's q1 and 1 to the courts'
    url = reverse("fieldwork:interview", args=[twin_interview.pk])
    response = browser.get(url)
    assert page_of(response)[0] == "opening"
    response = answer_page(browser, twin_interview, response, "yes")
    assert page_of(response)[0] == "police"
    response = answer_page(browser, twin_interview, response, "5")
    assert page_of(response)[0] == "courts"
    with django_capture_on_commit_callbacks(execute=True):  # QC checks it once committed
        response = answer_page(browser, twin_interview, response, "1")
    assert response.status_code == 302

    # then the wizard stored both, by path
    twin_interview.refresh_from_db()
    assert twin_interview.status == Interview.Status.COMPLETED
    assert twin_interview.case.status == Case.Status.COMPLETED
    assert twin_interview.answers == {
        "/opening/consent": "yes",
        "/police/q1": "5",
        "/courts/q1": "1",
    }

    # QC reads both as two scale items, and the reviewer sees both with their own labels
    frame = interview_frame(twin_interview).df
    assert frame.loc[twin_interview.pk, "/police/q1"] == "5"
    assert frame.loc[twin_interview.pk, "/courts/q1"] == "1"
    shown = {
        (section["label"], row["label"], row["answer"])
        for section in answer_sections(twin_interview, "zh")
        for row in section["answers"]
    }
    assert {("派出所", "对派出所满意吗", "满意"), ("法院", "对法院满意吗", "不满意")} <= shown

    # scoring scores each through its own item
    Review.objects.filter(interview=twin_interview).update(state=Review.State.APPROVED)
    long, meta = approved_answers(twin_interview.case.wave)
    scores = dict(zip(long["item"], long["score"], strict=True))
    assert scores == {"/police/q1": 100.0, "/courts/q1": 0.0}
    assert meta.items["/police/q1"]["label"]["default"] == "对派出所满意吗"
    assert meta.items["/courts/q1"]["label"]["default"] == "对法院满意吗"

    # and the report's dimension table averages the two (one answer lost would give 100 or 0)
    table = dimension_table(wave_results(twin_interview.case.wave))
    [row] = [row for row in table["rows"] if "社会治安" in row]
    assert row[:5] == ["order", "社会治安", "满意度", 1, 50.0]  # one interview, score 50
