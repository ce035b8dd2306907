"""PageForm on its own: fields, defaults, filters, grids and same-page logic of one page."""

import json
from datetime import date

from django.http import QueryDict
from django.utils import translation

from fieldwork.interview.forms import PageForm
from tests.factories import choice, question, question_group
from tests.fieldwork.interview.test_wizard_rich import RICH

LISTS = {
    **RICH["choice_lists"],
    "colours": [choice("r", "红", "Red"), choice("g", "绿", "Green"), choice("b", "蓝", "Blue")],
}


def form_for(group: dict, answers: dict | None = None, data: dict | None = None, **kwargs):
    if data is not None:
        query = QueryDict(mutable=True)
        for key, value in data.items():
            query.setlist(f"p-{key}", value if isinstance(value, list) else [value])
        data = query
    return PageForm(
        data=data,
        prefix="p",
        page={"group": group, "choice_lists": LISTS, "locality_questions": {}},
        answers=answers or {},
        language=kwargs.pop("language", "zh-hans"),
        today=kwargs.pop("today", date(2026, 11, 22)),
        **kwargs,
    )


def test_a_date_question_is_a_date_input_and_is_stored_as_iso():
    group = question_group("g", [question("visit_day", "date", required=True)])
    assert 'type="date"' in str(form_for(group)["visit_day"])
    form = form_for(group, data={"visit_day": "2026-03-09"})
    assert form.is_valid()
    assert form.page_answers() == {"visit_day": "2026-03-09"}
    assert not form_for(group, data={"visit_day": "2026-13-01"}).is_valid()


def test_today_in_a_constraint_is_the_day_given_to_the_form():
    group = question_group("g", [question("visit_day", "date", constraint=". <= today()")])
    today = date(2020, 1, 1)
    assert form_for(group, data={"visit_day": "2020-01-01"}, today=today).is_valid()
    assert not form_for(group, data={"visit_day": "2020-01-02"}, today=today).is_valid()


def test_defaults_fill_unanswered_questions_only():
    group = question_group(
        "g",
        [
            question("size", "integer", default="3"),
            question("colours", "select_multiple", "colours", default="r b"),
            question("twice", "integer", default="${size} * 2"),
        ],
    )
    fresh = form_for(group)
    assert (fresh.initial["size"], fresh.initial["twice"]) == ("3", "6")
    assert fresh.initial["colours"] == ["r", "b"]
    # Answered already: the answer stands, and a dynamic default is computed from it
    answered = form_for(group, answers={"size": 4}, initial={"size": 4})
    assert (answered.initial["size"], answered.initial["twice"]) == (4, "8")


def test_choice_filter_offers_and_accepts_only_the_allowed_choices():
    group = question_group(
        "g", [question("town", "select_one", "towns", choice_filter="region = ${region}")]
    )
    form = form_for(group, answers={"region": "south"})
    assert [value for value, _ in form.fields["town"].choices] == ["s1"]
    assert not form_for(group, answers={"region": "south"}, data={"town": "n1"}).is_valid()
    assert form_for(group, answers={"region": "south"}, data={"town": "s1"}).is_valid()


def test_required_message_follows_the_questionnaire_language():
    group = RICH["groups"][0]
    errors = {
        language: form_for(group, data={}, language=language).errors["consent"]
        for language in ("zh", "en")
    }
    assert errors == {"zh": ["请先问是否同意"], "en": ["Ask for consent first"]}


def test_a_question_depending_on_the_same_page_appears_once_its_trigger_is_answered():
    group = question_group(
        "g",
        [
            question("pet", "select_one", "yes_no"),
            question("pet_name", "text", relevant="${pet} = 'yes'"),
        ],
    )
    assert list(form_for(group).fields) == ["pet"]
    # The page was shown with `pet` only; answering yes brings the optional pet_name in
    form = form_for(group, data={"pet": "yes", "shown": "pet"})
    assert not form.is_valid()
    assert list(form.fields) == ["pet", "pet_name"]
    assert form.non_field_errors()
    # Shown and answered, the page is accepted; answered "no", pet_name is dropped
    form = form_for(group, data={"pet": "yes", "pet_name": "旺财", "shown": "pet pet_name"})
    assert form.is_valid() and form.page_answers() == {"pet": "yes", "pet_name": "旺财"}
    form = form_for(group, data={"pet": "no", "pet_name": "旺财", "shown": "pet pet_name"})
    assert form.is_valid() and form.page_answers() == {"pet": "no"}
    assert form.use_required_attribute is False  # the browser cannot know the logic


def test_a_grid_page_groups_runs_of_items_on_one_list():
    group = question_group(
        "g",
        [
            question("a", "select_one", "sat3"),
            question("b", "select_one", "sat3"),
            question("colour", "select_one", "colours"),
            question("c", "select_one", "sat3"),
            question("d", "select_one", "sat3"),
            question("why", "text"),
        ],
        appearance="table-list",
    )
    blocks = form_for(group, answers={"b": "3"}, initial={"b": "3"}).blocks()
    assert [(b["kind"], [r["question"]["name"] for r in b.get("rows", [])]) for b in blocks] == [
        ("grid", ["a", "b"]),
        ("question", []),
        ("grid", ["c", "d"]),
        ("question", []),
    ]
    checked = [[cell["checked"] for cell in row["cells"]] for row in blocks[0]["rows"]]
    assert checked == [[False, False, False], [False, True, False]]


def test_a_page_without_a_grid_appearance_lists_its_questions():
    group = question_group(
        "g", [question("a", "select_one", "sat3"), question("b", "select_one", "sat3")]
    )
    assert [b["kind"] for b in form_for(group).blocks()] == ["question", "question"]


def test_a_roster_without_count_starts_with_its_saved_rows_and_refuses_too_many():
    group = question_group(
        "friends", [question("friend", "text", required=True)], repeat={"count": None, "max": 2}
    )
    saved = {"friends": [{"friend": "甲"}, {"friend": "乙"}]}
    form = form_for(group, answers=saved)
    assert form.row_count == 2
    assert form.initial == {"friend__0": "甲", "friend__1": "乙"}
    rows = {"roster_rows": "3", "friend__0": "甲", "friend__1": "乙", "friend__2": "丙"}
    form = form_for(group, data=rows)
    assert not form.is_valid()
    assert form.non_field_errors()


def test_redisplay_keeps_what_was_typed_in_another_language():
    group = RICH["groups"][1]
    form = form_for(group, data={"age": "33", "has_car": "yes"}).redisplayed(language="en")
    assert not form.is_bound
    assert form.initial["age"] == "33" and form.initial["has_car"] == "yes"
    assert form.fields["age"].label == "age (en)"


def test_a_roster_cell_brought_in_by_its_row_is_shown_before_the_row_is_accepted():
    household = RICH["groups"][4]
    answers = {"household_size": 1}
    shown = form_for(household, answers=answers).shown_value
    assert shown == "member_age__0 member_sex__0"  # age unknown: no job question yet
    form = form_for(household, answers=answers, data={"member_age__0": "40", "shown": shown})
    assert not form.is_valid() and "member_job__0" in form.fields
    data = {"member_age__0": "40", "member_job__0": "教师", "shown": form.shown_value}
    form = form_for(household, answers=answers, data=data)
    assert form.is_valid()
    assert form.page_answers() == {"household": [{"member_age": 40, "member_job": "教师"}]}


def test_a_required_expression_is_enforced_on_the_server_when_it_holds():
    # XLSForm `required` written as an expression (ODK: conditional required), with the
    # form's own message; it reads this page's answers and the saved ones.
    message = {"zh": "请填写年龄", "en": "Give the age"}
    group = question_group("g", [
        question("lives_here", "text"),
        question("age", "integer", required_if="${lives_here} = 'yes' or ${adult} = 'y'",
                 required_message=message),
    ])  # fmt: skip
    form = form_for(group, data={"lives_here": "yes", "age": ""}, language="en")
    assert not form.is_valid() and form.errors["age"] == ["Give the age"]
    assert form_for(group, data={"lives_here": "no", "age": ""}).is_valid()
    saved = form_for(group, answers={"adult": "y"}, data={"lives_here": "no", "age": ""})
    assert not saved.is_valid() and saved.errors["age"] == ["请填写年龄"]
    assert form_for(group, data={"lives_here": "yes", "age": "40"}).is_valid()


def test_a_required_expression_the_interview_cannot_run_is_not_bypassed():
    group = question_group("g", [question("age", "integer", required_if="device-info('x')")])
    for language, message in (("en", "This field is required."), ("zh-hans", "此题必答。")):
        with translation.override(language):
            form = form_for(group, data={"age": ""})
            assert not form.is_valid() and form.errors["age"] == [message]
    assert form_for(group, data={"age": "3"}).is_valid()


def test_a_constraint_with_odk_functions_is_checked_on_the_server():
    group = question_group("g", [question(
        "phone_tail", "text", constraint="regex(., '^[0-9]{4}$') and string-length(.) = 4",
    )])  # fmt: skip
    assert form_for(group, data={"phone_tail": "0421"}).is_valid()
    assert not form_for(group, data={"phone_tail": "04a1"}).is_valid()


def test_rosters_within_rosters_are_capped_per_page_whatever_a_post_asks():
    # 200 rows, each holding up to 200 rows: a crafted POST may ask for 40,200 rows
    inner = {"type": "repeat", "kind": "repeat", "name": "kids", "path": "/hh/kids",
             "label": {"zh": "子女"}, "relevant": None, "repeat": {"count": None, "max": 200},
             "questions": [question("kid", "text")]}  # fmt: skip
    group = question_group("hh", [question("member", "text"), inner],
                           repeat={"count": None, "max": 200})  # fmt: skip
    counts = {"roster_rows": "200", **{f"roster_rows.kids__{i}": "200" for i in range(200)}}
    form = form_for(group, data=counts)
    assert len(form.fields) == 1000  # every row is one field here: the page's cap
    assert not form.is_valid()
    assert form.non_field_errors() == ["每页最多 1000 行。"]


# --- the page recomputed in the browser (static/js/live.js) --------------------------------


def _live_page():
    group = {
        "name": "car", "label": {"zh": "出行"}, "relevant": None, "repeat": None,
        "questions": [
            question("has_car", "select_one", "yn"),
            question("cars", "integer", relevant="${has_car} = 'yes'"),
            question("many", "calculate", calculation="if(${cars} > 2, 'yes', 'no')"),
            question("parking", "text", relevant="${many} = 'yes'"),
            question("when", "date", relevant="${visited} = 'yes'"),  # reads an earlier page
        ],
    }  # fmt: skip
    lists = {"yn": [choice("yes", "是", "Yes"), choice("no", "否", "No")]}
    return {"group": group, "choice_lists": lists, "locality_questions": {}}


def test_a_question_not_relevant_yet_is_rendered_hidden_for_the_browser_to_show():
    form = PageForm(page=_live_page(), answers={"visited": "yes"}, language="zh")
    assert set(form.fields) == {"has_car", "when"}  # only these are validated and saved
    blocks = {b["question"]["name"]: b for b in form.blocks()}
    assert blocks["cars"]["dormant"] and blocks["parking"]["dormant"]
    assert not blocks["has_car"]["live"] and not blocks["when"]["live"]  # nothing on the page
    assert json.loads(blocks["cars"]["live"]) == ["cmp", "=", ["ref", "has_car"], ["lit", "yes"]]
    data = form.live_data
    assert data["context"] == {} and [name for name, _ in data["calculates"]] == ["many"]


def test_the_server_computes_the_pages_calculate_before_the_question_it_governs():
    data = {"car-has_car": "yes", "car-cars": "3", "car-parking": "很难",
            "car-shown": "has_car cars parking when"}  # fmt: skip
    form = PageForm(data, prefix="car", page=_live_page(), answers={"visited": "no"},
                    language="zh")  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.page_answers() == {"has_car": "yes", "cars": 3, "parking": "很难"}


def test_a_question_the_browser_did_not_show_is_asked_for_by_the_server():
    data = {"car-has_car": "yes", "car-cars": "3", "car-shown": "has_car cars"}
    form = PageForm(data, prefix="car", page=_live_page(), answers={}, language="zh")
    assert not form.is_valid()
    assert "parking" in form.fields and form.non_field_errors()
