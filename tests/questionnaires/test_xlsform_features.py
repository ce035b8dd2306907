"""Issue 5 parser features on a rich two-language form, a Kobo-style form and the standard one."""

from datetime import date
from pathlib import Path

import pytest

from questionnaires.standard import build_standard_xlsx
from questionnaires.xlsform import parse_xlsform
from questionnaires.xpath import compute, default_value, evaluate, filter_choices, row_scope
from tests.questionnaires.workbooks import kobo_xlsx, make_xlsx, rich_xlsx

STANDARD = Path(build_standard_xlsx.__file__).with_name("standard_questionnaire.xlsx")
NEW_QUESTION_KEYS = {
    "calculation": None, "default": None, "choice_filter": None, "required_message": None,
    "qc_check": None, "qc_check_message": None, "backcheck": False, "score_map": None,
    "positive_values": None,
}  # fmt: skip


@pytest.fixture(scope="module")
def rich() -> dict:
    return parse_xlsform(rich_xlsx(), "rich.xlsx").definition


def by_name(definition: dict) -> dict[str, dict]:
    return {q["name"]: q for group in definition["groups"] for q in group["questions"]}


def test_standard_form_gets_the_new_keys_empty():
    definition = parse_xlsform(STANDARD.read_bytes(), STANDARD.name).definition
    for group in definition["groups"]:
        assert group["appearance"] is None and group["repeat"] is None
        for question in group["questions"]:
            assert {key: question[key] for key in NEW_QUESTION_KEYS} == NEW_QUESTION_KEYS
    # the locality cascade stays implied by the levels, not a choice_filter
    assert by_name(definition)["street"]["choice_filter"] is None


def test_rich_form_pages_in_order(rich):
    assert [g["name"] for g in rich["groups"]] == [
        "page_welcome", "household_page", "household", "opinions",
    ]  # fmt: skip
    assert rich["languages"] == ["zh", "en"]
    assert rich["form_id"] == "rich_form"


def test_question_outside_groups_gets_its_own_unlabelled_page(rich):
    page = rich["groups"][0]
    assert page["label"] == {} and page["relevant"] is None
    assert [q["name"] for q in page["questions"]] == ["welcome"]


def test_group_appearance_is_kept_and_table_list_survives_pyxform(rich):
    groups = {g["name"]: g for g in rich["groups"]}
    assert groups["household_page"]["appearance"] == "field-list"
    assert groups["opinions"]["appearance"] == "table-list"
    # pyxform's generated label row and list-nolabel appearances do not leak in
    assert [q["name"] for q in groups["opinions"]["questions"]] == [
        "sat_police", "sat_night", "oldest",
    ]  # fmt: skip
    assert by_name(rich)["sat_police"]["appearance"] is None


def test_repeat_group_has_count_and_max(rich):
    household = rich["groups"][2]
    assert household["repeat"] == {"count": "${household_size}", "max": 10}
    assert [q["name"] for q in household["questions"]] == ["member_age", "member_sex"]
    assert household["label"] == {"zh": "家庭成员", "en": "Household members"}


def test_repeat_max_defaults_to_twenty():
    survey = [
        {"type": "begin repeat", "name": "kids", "label": "孩子"},
        {"type": "integer", "name": "kid_age", "label": "年龄"},
        {"type": "end repeat"},
    ]
    [group] = parse_xlsform(make_xlsx(survey=survey), "f.xlsx").definition["groups"]
    assert group["repeat"] == {"count": None, "max": 20}


def test_required_message_and_hint_in_each_language(rich):
    size = by_name(rich)["household_size"]
    assert size["required"] is True
    assert size["required_message"] == {"zh": "请填写人数", "en": "Required"}
    assert size["hint"] == {"zh": "包括您自己"}
    assert size["constraint_message"] == {"zh": "1到10人"}


def test_calculate_questions_carry_their_expression(rich):
    questions = by_name(rich)
    hint = questions["adults_hint"]
    assert hint["type"] == "calculate" and hint["label"] == {}
    assert hint["calculation"] == "if(${household_size} > 1, 'many', 'one')"
    assert compute(hint["calculation"], {"household_size": "3"}) == "many"
    # a calculate outside any group joins the page before it
    assert rich["groups"][3]["questions"][-1]["name"] == "oldest"
    assert compute(questions["oldest"]["calculation"], {"household": [
        {"member_age": "40"}, {"member_age": "71"},
    ]}) == 71.0  # fmt: skip


def test_date_question_and_dynamic_default(rich):
    visit = by_name(rich)["visit_date"]
    assert visit["type"] == "date" and visit["default"] == "today()"
    assert default_value(visit, {}, today=date(2026, 11, 22)) == "2026-11-22"
    assert not evaluate(visit["constraint"], {}, current="2026-11-23", today=date(2026, 11, 22))


def test_literal_defaults(rich):
    questions = by_name(rich)
    assert questions["household_size"]["default"] == "2"
    assert questions["media"]["default"] == "tv web"
    assert default_value(questions["media"], {}) == ["tv", "web"]


def test_choice_filter_cascades_on_a_choices_column(rich):
    city = by_name(rich)["city"]
    assert city["choice_filter"] == "province = ${province}"
    cities = rich["choice_lists"]["city"]
    assert cities[0]["extra"] == {"province": "hn"}
    allowed = filter_choices(city, cities, {"province": "hn"})
    assert [c["value"] for c in allowed] == ["cs", "yy"]
    assert [c["value"] for c in filter_choices(city, cities, {"province": "gd"})] == ["gz"]


def test_score_map_and_satisfied_override_the_list(rich):
    police = by_name(rich)["sat_police"]
    assert police["score_map"] == {
        "5": 100.0, "4": 75.0, "3": 50.0, "2": 25.0, "1": 0.0, "9": None,
    }  # fmt: skip
    assert police["positive_values"] == ["5", "4", "3"]
    assert police["backcheck"] is True
    night = by_name(rich)["sat_night"]
    assert night["score_map"] is None and night["positive_values"] is None
    assert night["backcheck"] is False


def test_qc_check_with_its_messages(rich):
    night = by_name(rich)["sat_night"]
    assert night["qc_check_message"] == {
        "zh": "从不出门却说晚上很安全", "en": "Never goes out but feels safe at night",
    }  # fmt: skip
    assert not evaluate(night["qc_check"], {"goes_out": "never"}, current="5")
    assert evaluate(night["qc_check"], {"goes_out": "often"}, current="5")


def test_relevance_on_a_repeat_count(rich):
    opinions = rich["groups"][3]
    assert evaluate(opinions["relevant"], {"household": [{"member_age": "3"}]})
    assert not evaluate(opinions["relevant"], {"household": []})


def test_row_scope_reads_a_roster_row(rich):
    answers = {"household_size": "2", "household": [{"member_age": "7"}, {"member_age": "70"}]}
    assert evaluate("${member_age} < 18", row_scope(answers, answers["household"][0]))


def test_xform_has_the_repeat_and_the_calculation():
    xml = parse_xlsform(rich_xlsx(), "rich.xlsx").xform_xml
    assert 'jr:count=" /data/household_page/household_size "' in xml
    assert 'calculate="max( /data/household/member_age )"' in xml


# --- a form as KoboToolbox exports it ------------------------------------------------------


def test_kobo_form_imports_unchanged():
    parsed = parse_xlsform(kobo_xlsx(), "aXbCdEf123.xlsx")
    definition = parsed.definition
    assert definition["form_id"] == "aXbCdEf123"
    assert definition["languages"] == ["en", "zh"]  # default_language first
    assert [g["name"] for g in definition["groups"]] == ["page_consent", "about", "more"]
    questions = by_name(definition)
    assert questions["consent"]["required"] is True  # true()
    assert questions["age"]["required"] is True  # yes
    assert questions["comment"]["required"] is False  # false
    assert questions["age"]["hint"] == {"en": "Years"}
    assert questions["consent"]["label"] == {"en": "Do you agree?", "zh": "您同意吗？"}
    assert questions["topics"]["type"] == "select_multiple"
    assert questions["topics"]["appearance"] == "minimal"
    assert questions["age_next"]["calculation"] == "${age} + 1"
    # metadata rows (start, end, today, deviceid) are not questions
    assert not {"start", "end", "today", "deviceid"} & set(questions)
    assert definition["choice_lists"]["yn"][0]["extra"] == {}  # an empty $kuid column


def test_implicit_page_name_never_clashes_with_a_question():
    survey = [
        {"type": "text", "name": "q", "label": "问"},
        {"type": "begin group", "name": "g", "label": "组"},
        {"type": "text", "name": "page_q", "label": "已占用"},
        {"type": "end group"},
    ]
    groups = parse_xlsform(make_xlsx(survey=survey, choices=[]), "f.xlsx").definition["groups"]
    assert [g["name"] for g in groups] == ["_page_q", "g"]


def test_a_form_of_calculations_only_gets_one_page():
    survey = [{"type": "calculate", "name": "two", "calculation": "1 + 1"}]
    data = make_xlsx(survey=survey, choices=[], survey_header=["type", "name", "calculation"])
    [group] = parse_xlsform(data, "f.xlsx").definition["groups"]
    assert group["name"] == "page_calculations"
    assert [q["calculation"] for q in group["questions"]] == ["1 + 1"]
