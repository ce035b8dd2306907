"""Rosters nested in roster rows, asked through the wizard: the committed hand-written XLSForm
tests/questionnaires/forms/nested_household.xlsx (members → children → vaccines, Chinese and
English), imported as an analyst would, then driven by HTTP as the browser posts."""

import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from fieldwork.models import Interview
from fieldwork.services import waves
from questionnaires import answers as A
from questionnaires.services import import_questionnaire_version
from tests.factories import make_organisation, start_first_interview
from tests.fieldwork.wizard_driver import page_of

FORM = Path(__file__).resolve().parents[2] / "questionnaires" / "forms" / "nested_household.xlsx"


@pytest.fixture
def nested_interview(draw, interviewer):
    version = import_questionnaire_version(data=FORM.read_bytes(), source_name=FORM.name)
    wave = waves.create_wave(
        name="家庭问卷",
        client=make_organisation("平安市"),
        questionnaire_version=version,
        draw=draw,
    )
    return start_first_interview(wave=wave, interviewer=interviewer, mode="door")


def url_of(interview) -> str:
    return reverse("fieldwork:interview", args=[interview.pk])


def post(browser, interview, step: str, fields: dict, **extra):
    prefix = f"interview_{interview.pk}"
    data = {f"{prefix}-current_step": step, **extra}
    data.update({f"{step}-{name}": value for name, value in fields.items()})
    return browser.post(url_of(interview), data)


MEMBERS = {
    "name__0": "李华", "age__0": "40", "sex__0": "1", "occupation__0": "教师",
    "has_children__0": "yes", "roster_rows.children__0": "2",
    "children.child_name__0_0": "小明", "children.child_age__0_0": "4",
    "roster_rows.children.vaccines__0_0": "2",
    "children.vaccines.vaccine__0_0_0": "卡介苗", "children.vaccines.vaccine__0_0_1": "麻疹",
    "children.child_name__0_1": "小红", "children.child_age__0_1": "8",
    "children.in_school__0_1": "yes",
    "name__1": "王芳", "age__1": "12", "sex__1": "2",
}  # fmt: skip


def to_members(browser, interview):
    browser.get(url_of(interview))
    response = post(browser, interview, "intro", {"consent": "yes", "n_members": "2"})
    assert page_of(response)[0] == "members", page_of(response)[1].errors
    return response


def element(interview, path: str) -> dict:
    definition = interview.questionnaire_version.definition
    found = {A.key(e): e for e in A.elements(definition)}
    return found[path]


def stored(interview) -> dict:
    interview.refresh_from_db()
    return interview.answers


def test_nested_rosters_are_stored_as_rows_within_rows_by_path(browser, nested_interview):
    to_members(browser, nested_interview)
    response = post(browser, nested_interview, "members", MEMBERS)
    assert page_of(response)[0] == "rating", page_of(response)[1].errors
    saved = stored(nested_interview)
    members = A.rows(saved, element(nested_interview, "/members"))
    assert [m["/members/name"] for m in members] == ["李华", "王芳"]
    assert members[0]["/members/occupation"] == "教师"
    assert members[0]["/members/first_name"] == "李华"  # a row's calculate, its own row's name
    children = A.rows(members[0], element(nested_interview, "/members/children"))
    assert [c["/members/children/child_name"] for c in children] == ["小明", "小红"]
    vaccines = A.rows(children[0], element(nested_interview, "/members/children/vaccines"))
    assert [v["/members/children/vaccines/vaccine"] for v in vaccines] == ["卡介苗", "麻疹"]
    # a child of school age has no vaccines roster (its relevance), a 12-year-old no children
    assert "/members/children/vaccines" not in children[1]
    assert children[1]["/members/children/in_school"] == "yes"
    assert "/members/children" not in members[1] and "/members/has_children" not in members[1]


def test_position_in_a_rows_relevance_asks_only_the_first_row(browser, nested_interview):
    response = to_members(browser, nested_interview)
    form = page_of(response)[1]
    assert "occupation__0" in form.fields and "occupation__1" not in form.fields
    # a crafted answer for the second row's occupation is not stored
    post(browser, nested_interview, "members", {**MEMBERS, "occupation__1": "学生"})
    members = A.rows(stored(nested_interview), element(nested_interview, "/members"))
    assert "/members/occupation" not in members[1]


def test_a_nested_rows_constraint_reads_its_parents_row(browser, nested_interview):
    to_members(browser, nested_interview)
    # a child older than the parent of that row is refused, with the form's own message
    response = post(browser, nested_interview, "members",
                    {**MEMBERS, "children.child_age__0_1": "17", "age__0": "16"})  # fmt: skip
    form = page_of(response)[1]
    assert page_of(response)[0] == "members"
    assert form.errors["children.child_age__0_1"] == ["须小于18岁且小于父母年龄"]
    assert "children.child_age__0_0" not in form.errors  # 4 < 16
    assert "/members" not in stored(nested_interview)


def test_a_required_question_in_a_nested_row_is_required(browser, nested_interview):
    to_members(browser, nested_interview)
    response = post(browser, nested_interview, "members",
                    {**MEMBERS, "children.vaccines.vaccine__0_0_1": ""})  # fmt: skip
    assert list(page_of(response)[1].errors) == ["children.vaccines.vaccine__0_0_1"]


def test_adding_a_nested_row_redisplays_the_page_with_what_was_typed(browser, nested_interview):
    to_members(browser, nested_interview)
    response = post(browser, nested_interview, "members", MEMBERS,
                    roster_resize="roster_rows.children__0=3")  # fmt: skip
    form = page_of(response)[1]
    assert not form.is_bound
    assert "children.child_name__0_2" in form.fields  # the third child of the first member
    assert form.initial["children.child_name__0_0"] == "小明"
    assert "children.vaccines.vaccine__0_0_1" in form.fields  # nested counts kept
    page = response.content.decode()
    assert "家庭成员 1 › 子女" in page and "家庭成员 1 › 子女 1 › 疫苗" in page
    assert 'value="roster_rows.children__0=4"' in page  # the next add button
    assert "/members" not in stored(nested_interview)  # nothing saved


def test_too_many_nested_rows_are_refused(browser, nested_interview):
    to_members(browser, nested_interview)
    response = post(browser, nested_interview, "members",
                    {**MEMBERS, "roster_rows.children.vaccines__0_0": "21"})  # fmt: skip
    form = page_of(response)[1]
    assert page_of(response)[0] == "members"
    assert form.non_field_errors() == ["最多 20 行。"]
    assert "/members" not in stored(nested_interview)


def test_once_in_a_row_keeps_the_value_first_stored(browser, nested_interview):
    to_members(browser, nested_interview)
    post(browser, nested_interview, "members", MEMBERS)
    # back to the roster, the first member's name corrected
    response = post(browser, nested_interview, "members", {**MEMBERS, "name__0": "李明"})
    assert page_of(response)[0] == "rating", page_of(response)[1].errors
    members = A.rows(stored(nested_interview), element(nested_interview, "/members"))
    assert members[0]["/members/name"] == "李明"
    assert members[0]["/members/first_name"] == "李华"


def test_the_nested_roster_page_is_shown_again_in_english(browser, nested_interview):
    to_members(browser, nested_interview)
    response = post(browser, nested_interview, "members", MEMBERS, questionnaire_language="en",
                    switch_language="1")  # fmt: skip
    page = response.content.decode()
    assert "Household members 1 › Children 1 › Vaccines" in page
    assert page_of(response)[1].initial["children.vaccines.vaccine__0_0_1"] == "麻疹"


def test_resuming_refills_nested_rows_and_the_interview_finishes(browser, nested_interview):
    to_members(browser, nested_interview)
    post(browser, nested_interview, "members", MEMBERS)
    # a new visit resumes at the rating page, the roster's rows rebuilt from the database
    response = browser.get(url_of(nested_interview))
    assert page_of(response)[0] == "rating"
    response = post(browser, nested_interview, "rating", {"safety": "5"})
    assert response.status_code == 302, page_of(response)[1].errors
    nested_interview.refresh_from_db()
    assert nested_interview.status == Interview.Status.COMPLETED
    members = A.rows(nested_interview.answers, element(nested_interview, "/members"))
    children = A.rows(members[0], element(nested_interview, "/members/children"))
    assert len(children) == 2


def test_a_nested_page_kept_offline_is_applied_once(browser, nested_interview):
    to_members(browser, nested_interview)
    response = browser.get(url_of(nested_interview))
    key = str(uuid.uuid4())
    extra = {"submission_key": key, "page_version": str(response.context["page_version"])}
    first = post(browser, nested_interview, "members", MEMBERS, **extra)
    changed = {**MEMBERS, "children.child_name__0_0": "小刚"}
    second = post(browser, nested_interview, "members", changed, **extra)
    assert page_of(first)[0] == "rating"
    assert second.status_code == 302 and second["X-Duplicate-Submission"] == "1"
    members = A.rows(stored(nested_interview), element(nested_interview, "/members"))
    children = A.rows(members[0], element(nested_interview, "/members/children"))
    assert children[0]["/members/children/child_name"] == "小明"
