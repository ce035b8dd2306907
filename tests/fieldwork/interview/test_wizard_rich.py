"""The wizard on the richer questionnaire: dates, calculates, defaults, choice filters, grids,
rosters and the questionnaire-language switch, enforced on the server against crafted POSTs."""

import copy
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from fieldwork.models import Interview
from fieldwork.services import waves
from questionnaires.models import Questionnaire, QuestionnaireVersion
from tests.factories import (
    choice,
    make_organisation,
    question,
    question_group,
    start_first_interview,
)
from tests.fieldwork.wizard_driver import page_of

CONSENTED = "${consent} = 'yes'"
RICH = {
    "form_id": "rich",
    "title": {"zh": "丰富问卷"},
    "languages": ["zh", "en"],
    "dimensions": {"public_order": {"zh": "社会治安", "en": "Public order"}},
    "choice_lists": {
        "yes_no": [choice("yes", "是", "Yes"), choice("no", "否", "No")],
        "sat3": [
            choice("5", "满意", "Satisfied", 100.0),
            choice("3", "一般", "Neutral", 60.0),
            choice("1", "不满意", "Dissatisfied", 0.0),
        ],
        "regions": [choice("north", "北区", "North"), choice("south", "南区", "South")],
        "towns": [
            choice("n1", "北一镇", "North One", region="north"),
            choice("n2", "北二镇", "North Two", region="north"),
            choice("s1", "南一镇", "South One", region="south"),
        ],
        "sex": [choice("1", "男", "Male"), choice("2", "女", "Female")],
    },
    "groups": [
        question_group(
            "intro",
            [
                question(
                    "consent",
                    "select_one",
                    "yes_no",
                    required=True,
                    required_message={"zh": "请先问是否同意", "en": "Ask for consent first"},
                )
            ],
        ),
        question_group(
            "person",
            [
                question(
                    "age",
                    "integer",
                    required=True,
                    constraint=". >= 16 and . <= 99",
                    constraint_message={"zh": "年龄须在16到99之间", "en": "Age must be 16 to 99"},
                ),
                question("birthday", "date", constraint=". <= today()"),
                question("household_size", "integer", default="3", constraint=". <= 10"),
                question("has_car", "select_one", "yes_no"),
                question("car_count", "integer", relevant="${has_car} = 'yes'", required=True),
                question("age_group", "calculate", calculation="if(${age} >= 60, 'old', 'young')"),
            ],
            relevant=CONSENTED,
        ),
        question_group(
            "place", [question("region", "select_one", "regions", required=True)], CONSENTED
        ),
        question_group(
            "town_page",
            [
                question(
                    "town", "select_one", "towns", required=True, choice_filter="region = ${region}"
                )
            ],
            CONSENTED,
        ),
        question_group(
            "household",
            [
                question("member_age", "integer", required=True, constraint=". <= 120"),
                question("member_sex", "select_one", "sex"),
                question("member_job", "text", relevant="${member_age} >= 16"),
            ],
            CONSENTED,
            repeat={"count": "${household_size}", "max": 10},
        ),
        question_group(
            "friends",
            [question("friend_name", "text", required=True)],
            CONSENTED,
            repeat={"count": None, "max": 3},
        ),
        question_group(
            "ratings",
            [
                question("sat_a", "select_one", "sat3", required=True, dimension="public_order"),
                question("sat_b", "select_one", "sat3", required=True, dimension="public_order"),
                question("sat_c", "select_one", "sat3", required=True, dimension="public_order"),
            ],
            CONSENTED,
            appearance="table-list",
        ),
    ],
}


def make_version(definition: dict, number: int = 1, code: str = "rich") -> QuestionnaireVersion:
    questionnaire, _ = Questionnaire.objects.get_or_create(code=code, defaults={"title": code})
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=number,
        title="丰富问卷",
        definition=copy.deepcopy(definition),
        source_name=f"{code}.xlsx",
        source_xlsx=b"",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        xform_xml="",
    )


@pytest.fixture
def rich_interview(draw, interviewer):
    version = make_version(RICH)
    wave = waves.create_wave(
        name="丰富问卷测试",
        client=make_organisation("平安市"),
        questionnaire_version=version,
        draw=draw,
    )
    return start_first_interview(wave=wave, interviewer=interviewer, mode="door")


def url_of(interview) -> str:
    return reverse("fieldwork:interview", args=[interview.pk])


def post(browser, interview, step: str, fields: dict, **extra):
    """A POST crafted by hand: the step and the named fields, nothing the page offered."""
    prefix = f"interview_{interview.pk}"
    data = {f"{prefix}-current_step": step, **extra}
    data.update({f"{step}-{name}": value for name, value in fields.items()})
    return browser.post(url_of(interview), data)


PERSON = {"age": "45", "birthday": "1980-05-17", "household_size": "2", "has_car": "no"}


def advance_to(browser, interview, step: str) -> None:
    """Submit the pages before `step` with valid answers."""
    pages = [
        ("intro", {"consent": "yes"}),
        ("person", PERSON),
        ("place", {"region": "north"}),
        ("town_page", {"town": "n1"}),
        (
            "household",
            {
                "roster_rows": "2",
                "member_age__0": "45",
                "member_sex__0": "1",
                "member_job__0": "教师",
                "member_age__1": "8",
                "member_sex__1": "2",
            },
        ),
        ("friends", {"roster_rows": "1", "friend_name__0": "老王"}),
        ("ratings", None),
    ]
    browser.get(url_of(interview))
    for name, fields in pages:
        if name == step:
            return
        response = post(browser, interview, name, fields)
        assert response.status_code == 200, response.status_code
        assert not page_of(response)[1].errors, page_of(response)[1].errors
    raise AssertionError(f"no page {step}")


def saved_answers(interview) -> dict:
    interview.refresh_from_db()
    return interview.answers


# --- server-side enforcement ----------------------------------------------------------------


def test_answer_to_an_irrelevant_question_is_never_stored(browser, rich_interview):
    advance_to(browser, rich_interview, "person")
    # When a crafted POST answers car_count although has_car says no
    response = post(browser, rich_interview, "person", {**PERSON, "car_count": "2"})
    # Then the page is accepted and the hidden question's answer is not stored
    assert page_of(response)[0] == "place"
    answers = saved_answers(rich_interview)
    assert answers["has_car"] == "no"
    assert "car_count" not in answers


def test_answer_to_a_question_of_another_page_is_ignored(browser, rich_interview):
    browser.get(url_of(rich_interview))
    prefix = f"interview_{rich_interview.pk}"
    browser.post(
        url_of(rich_interview),
        {f"{prefix}-current_step": "intro", "intro-consent": "yes", "intro-age": "50"},
    )
    answers = saved_answers(rich_interview)
    assert answers["consent"] == "yes"
    assert "age" not in answers


def test_going_back_and_hiding_a_question_removes_its_stored_answer(browser, rich_interview):
    advance_to(browser, rich_interview, "person")
    post(browser, rich_interview, "person", {**PERSON, "has_car": "yes", "car_count": "2"})
    assert saved_answers(rich_interview)["car_count"] == 2
    prefix = f"interview_{rich_interview.pk}"
    browser.post(
        url_of(rich_interview), {"wizard_goto_step": "person", f"{prefix}-current_step": "place"}
    )
    post(browser, rich_interview, "person", {**PERSON, "has_car": "no", "car_count": "2"})
    assert "car_count" not in saved_answers(rich_interview)


def test_a_question_made_relevant_on_the_same_page_must_be_answered(browser, rich_interview):
    advance_to(browser, rich_interview, "person")
    response = post(browser, rich_interview, "person", {**PERSON, "has_car": "yes"})
    step, form = page_of(response)
    assert step == "person"
    assert "car_count" in form.errors
    assert "age" not in saved_answers(rich_interview)


def test_missing_required_answer_is_refused_with_the_questionnaires_message(
    browser, rich_interview
):
    browser.get(url_of(rich_interview))
    response = post(browser, rich_interview, "intro", {})
    step, form = page_of(response)
    assert step == "intro"
    assert form.errors["consent"] == ["请先问是否同意"]
    assert saved_answers(rich_interview) == {}


def test_constraint_violation_is_refused_with_its_message(browser, rich_interview):
    advance_to(browser, rich_interview, "person")
    response = post(browser, rich_interview, "person", {**PERSON, "age": "12"})
    step, form = page_of(response)
    assert step == "person"
    assert form.errors["age"] == ["年龄须在16到99之间"]
    assert "age" not in saved_answers(rich_interview)


def test_a_date_in_the_future_breaks_the_constraint_and_a_bad_date_is_refused(
    browser, rich_interview
):
    advance_to(browser, rich_interview, "person")
    for bad in ("2999-01-01", "1980-02-30", "17/05/1980"):
        response = post(browser, rich_interview, "person", {**PERSON, "birthday": bad})
        assert "birthday" in page_of(response)[1].errors, bad
    post(browser, rich_interview, "person", PERSON)
    assert saved_answers(rich_interview)["birthday"] == "1980-05-17"


def test_a_choice_outside_the_choice_filter_is_refused_and_not_offered(browser, rich_interview):
    advance_to(browser, rich_interview, "town_page")
    # The page offers only the towns of the region answered on an earlier page
    response = browser.get(url_of(rich_interview))
    step, form = page_of(response)
    assert step == "town_page"
    assert [value for value, _ in form.fields["town"].choices] == ["n1", "n2"]
    # A crafted POST with a southern town is refused
    response = post(browser, rich_interview, "town_page", {"town": "s1"})
    assert "town" in page_of(response)[1].errors
    assert "town" not in saved_answers(rich_interview)


def test_a_roster_with_too_many_rows_is_refused(browser, rich_interview):
    advance_to(browser, rich_interview, "friends")
    rows = {f"friend_name__{i}": f"朋友{i}" for i in range(4)}
    response = post(browser, rich_interview, "friends", {"roster_rows": "4", **rows})
    step, form = page_of(response)
    assert step == "friends"
    assert form.non_field_errors()
    assert "friends" not in saved_answers(rich_interview)


def test_a_roster_row_is_validated_like_a_page(browser, rich_interview):
    advance_to(browser, rich_interview, "household")
    fields = {"roster_rows": "2", "member_age__0": "130", "member_age__1": ""}
    response = post(browser, rich_interview, "household", fields)
    form = page_of(response)[1]
    assert set(form.errors) == {"member_age__0", "member_age__1"}
    assert "household" not in saved_answers(rich_interview)


# --- what the page offers and stores --------------------------------------------------------


def test_roster_rows_follow_the_count_and_are_stored_as_row_dicts(browser, rich_interview):
    advance_to(browser, rich_interview, "household")
    response = browser.get(url_of(rich_interview))
    form = page_of(response)[1]
    assert form.row_count == 2  # household_size
    # A crafted third row is not part of a roster whose size the answers fix
    response = post(
        browser,
        rich_interview,
        "household",
        {
            "roster_rows": "3",
            "member_age__0": "45",
            "member_job__0": "教师",
            "member_age__1": "8",
            "member_job__1": "学生",  # irrelevant for an 8-year-old: dropped
            "member_age__2": "30",
        },
    )
    assert page_of(response)[0] == "friends"
    assert saved_answers(rich_interview)["household"] == [
        {"member_age": 45, "member_job": "教师"},
        {"member_age": 8},
    ]


def test_adding_a_roster_row_redisplays_the_page_and_saves_nothing(browser, rich_interview):
    advance_to(browser, rich_interview, "friends")
    rich_interview.refresh_from_db()
    shown_before = len(rich_interview.paradata)
    response = post(
        browser,
        rich_interview,
        "friends",
        {"roster_rows": "1", "friend_name__0": "老王"},
        roster_resize="2",
    )
    step, form = page_of(response)
    assert step == "friends"
    assert form.row_count == 2 and not form.is_bound
    assert form.initial["friend_name__0"] == "老王"  # what was typed stays
    rich_interview.refresh_from_db()
    assert "friends" not in rich_interview.answers
    assert len(rich_interview.paradata) == shown_before  # not a new showing of the page


def test_calculate_is_stored_and_recomputed_when_an_answer_changes(browser, rich_interview):
    advance_to(browser, rich_interview, "person")
    post(browser, rich_interview, "person", PERSON)
    assert saved_answers(rich_interview)["age_group"] == "young"
    prefix = f"interview_{rich_interview.pk}"
    browser.post(
        url_of(rich_interview), {"wizard_goto_step": "person", f"{prefix}-current_step": "place"}
    )
    response = post(browser, rich_interview, "person", {**PERSON, "age": "70"})
    assert "age_group" not in page_of(response)[1].fields  # never a form field
    assert saved_answers(rich_interview)["age_group"] == "old"


def test_a_calculate_posted_by_hand_is_overwritten_by_the_server(browser, rich_interview):
    advance_to(browser, rich_interview, "person")
    post(browser, rich_interview, "person", {**PERSON, "age_group": "old"})
    assert saved_answers(rich_interview)["age_group"] == "young"


def test_default_is_offered_until_answered(browser, rich_interview):
    advance_to(browser, rich_interview, "person")
    form = page_of(browser.get(url_of(rich_interview)))[1]
    assert form.initial["household_size"] == "3"
    post(browser, rich_interview, "person", {**PERSON, "household_size": "5"})
    prefix = f"interview_{rich_interview.pk}"
    response = browser.post(
        url_of(rich_interview), {"wizard_goto_step": "person", f"{prefix}-current_step": "place"}
    )
    assert str(page_of(response)[1]["household_size"].value()) == "5"


def test_grid_page_renders_one_row_per_item_and_one_radio_column_per_choice(
    browser, rich_interview
):
    advance_to(browser, rich_interview, "friends")
    response = post(
        browser, rich_interview, "friends", {"roster_rows": "1", "friend_name__0": "甲"}
    )
    assert page_of(response)[0] == "ratings"
    body = response.content.decode()
    assert body.count('class="grid"') == 1
    for name in ("sat_a", "sat_b", "sat_c"):
        assert body.count(f'name="ratings-{name}"') == 3
    [block] = page_of(response)[1].blocks()
    assert block["kind"] == "grid"
    assert block["choices"] == ["满意", "一般", "不满意"]


def test_language_switch_changes_labels_only_and_is_kept_for_the_interview(browser, rich_interview):
    advance_to(browser, rich_interview, "person")
    response = browser.get(url_of(rich_interview))
    assert "age（中）" in response.content.decode()
    # When the interviewer switches to English with an age typed in
    response = post(
        browser,
        rich_interview,
        "person",
        {"age": "33"},
        switch_language="1",
        questionnaire_language="en",
    )
    # Then the same page shows English labels, the typed value, and nothing is saved
    body = response.content.decode()
    step, form = page_of(response)
    assert step == "person"
    assert "age (en)" in body and "age（中）" not in body
    assert form.initial["age"] == "33"
    assert "age" not in saved_answers(rich_interview)
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hans"  # the interface stays Chinese
    # and messages follow the questionnaire language from then on
    response = post(browser, rich_interview, "person", {**PERSON, "age": "12"})
    assert page_of(response)[1].errors["age"] == ["Age must be 16 to 99"]
    assert "age (en)" in browser.get(url_of(rich_interview)).content.decode()


def test_an_unknown_questionnaire_language_is_ignored(browser, rich_interview):
    browser.get(url_of(rich_interview))
    response = post(
        browser, rich_interview, "intro", {}, switch_language="1", questionnaire_language="fr"
    )
    assert "consent（中）" in response.content.decode()


def test_resuming_after_a_get_keeps_rosters_and_calculates_and_finishes(
    browser, rich_interview, client
):
    advance_to(browser, rich_interview, "ratings")
    # When the interviewer opens the interview afresh (storage rebuilt from the database)
    response = browser.get(url_of(rich_interview))
    assert page_of(response)[0] == "ratings"
    # and finishes: the wizard re-validates every page, rosters included, from the database
    response = post(browser, rich_interview, "ratings", {"sat_a": "5", "sat_b": "3", "sat_c": "1"})
    assert response.status_code == 302
    rich_interview.refresh_from_db()
    assert rich_interview.status == Interview.Status.COMPLETED
    answers = rich_interview.answers
    assert answers["household"] == [
        {"member_age": 45, "member_sex": "1", "member_job": "教师"},
        {"member_age": 8, "member_sex": "2"},
    ]
    assert answers["friends"] == [{"friend_name": "老王"}]
    assert answers["age_group"] == "young"
    assert answers["town"] == "n1"
