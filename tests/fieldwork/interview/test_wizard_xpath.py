"""The wizard runs the ODK function library with what the interview knows: the form's choice
lists (instance() lookups, jr:choice-name in the interview's language), the case's id
(SurveyCTO's caseid), random() seeded per interview and kept by once(), a roster row's
position(..), and conditional required, all on the server for every page submitted."""

import pytest

from fieldwork.services import waves
from tests.factories import (
    choice,
    make_organisation,
    question,
    question_group,
    start_first_interview,
)
from tests.fieldwork.interview.test_wizard_rich import make_version, post, saved_answers
from tests.fieldwork.wizard_driver import page_of

ODK = {
    "form_id": "odk",
    "title": {"zh": "函数问卷"},
    "languages": ["zh", "en"],
    "dimensions": {},
    "choice_lists": {
        "safety": [choice("1", "很安全", "Very safe", band="high"),
                   choice("3", "不安全", "Unsafe", band="low")],
    },  # fmt: skip
    "groups": [
        question_group("feel_page", [
            question("feel", "select_one", "safety", required=True),
            question("why", "text", required_if="${feel} = '3'"),
            question("feel_label", "calculate", calculation="jr:choice-name(${feel}, '${feel}')"),
            question("band", "calculate",
                     calculation="instance('safety')/root/item[name = ${feel}]/band"),
            question("case_ref", "calculate", calculation="concat('case-', caseid)"),
            question("draw", "calculate", calculation="once(random())"),
            question("first_feel", "calculate", calculation="once(${feel})"),
        ]),
        question_group("people", [
            question("person", "text", required=True),
            question("row_no", "calculate", calculation="position(..)"),
        ], repeat={"count": "2", "max": 5}),
        question_group("end", [question("done", "text")]),
    ],
}  # fmt: skip


@pytest.fixture
def odk_interview(draw, interviewer):
    version = make_version(ODK, code="odk")
    wave = waves.create_wave(
        name="函数", client=make_organisation("平安市"), questionnaire_version=version, draw=draw
    )
    return start_first_interview(wave=wave, interviewer=interviewer, mode="door")


def test_odk_functions_run_in_the_wizard_with_the_interview_s_context(browser, odk_interview):
    refused = post(browser, odk_interview, "feel_page", {"feel": "3", "why": ""})
    assert page_of(refused)[0] == "feel_page"  # required, because the answer is "unsafe"
    accepted = post(browser, odk_interview, "feel_page", {"feel": "3", "why": "路灯坏了"})
    assert page_of(accepted)[0] == "people"
    answers = saved_answers(odk_interview)
    assert answers["feel_label"] == "不安全"  # the interview's language: Chinese
    assert answers["band"] == "low"
    assert answers["case_ref"] == f"case-{odk_interview.case_id}"
    first_draw = float(answers["draw"])
    assert 0 <= first_draw < 1

    post(
        browser, odk_interview, "people", {"roster_rows": "2", "person__0": "李", "person__1": "王"}
    )
    answers = saved_answers(odk_interview)
    assert [row["row_no"] for row in answers["people"]] == ["1", "2"]
    # once(): the first answer is kept when the page is answered again; the draw is the same
    post(browser, odk_interview, "feel_page", {"feel": "1", "why": ""})
    answers = saved_answers(odk_interview)
    assert answers["feel_label"] == "很安全" and answers["first_feel"] == "3"
    assert float(answers["draw"]) == first_draw
