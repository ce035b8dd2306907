import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter

from questionnaires.standard import build_standard_xlsx
from questionnaires.xlsform import XLSFormError, parse_xlsform
from questionnaires.xpath import evaluate, is_relevant
from tests.questionnaires.workbooks import (
    SURVEY_HEADER,
    make_xlsx,
    survey_row,
    valid_choices,
    valid_survey,
)

STANDARD = Path(build_standard_xlsx.__file__).with_name("standard_questionnaire.xlsx")
SATISFACTION_DIMENSIONS = {
    "public_order",
    "dispute_resolution",
    "traffic_order",
    "info_protection",
    "police_conduct",
    "grassroots_governance",
}
ELIGIBLE = {"consent": "yes", "age": 30, "resident_6m": "yes"}


@pytest.fixture(scope="module")
def standard() -> dict:
    return parse_xlsform(STANDARD.read_bytes(), STANDARD.name).definition


def questions(definition: dict) -> dict[str, dict]:
    return {q["name"]: q for group in definition["groups"] for q in group["questions"]}


def errors_of(data: bytes, filename: str = "form.xlsx") -> list[str]:
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(data, filename)
    return caught.value.errors


# --- the shipped standard questionnaire ------------------------------------------------------


def test_standard_groups_are_pages_in_order(standard):
    assert [group["name"] for group in standard["groups"]] == [
        "opening",
        "screening",
        "locality",
        "safety",
        "satisfaction",
        "victimisation",
        "victimisation_detail",
        "suggestions",
        "demographics",
    ]


def test_standard_has_the_stable_question_names(standard):
    names = set(questions(standard))
    assert {
        "intro", "consent", "age", "resident_6m", "district", "street", "community",
        "safety_overall", "safety_night", "victim_past_year", "victim_type",
        "reported_to_police", "suggestion", "sex", "years_residence", "occupation", "hukou",
    } <= names  # fmt: skip


def test_standard_metadata_and_languages(standard):
    assert standard["form_id"] == "safety_standard"
    assert standard["languages"] == ["zh", "en"]
    assert standard["title"]["zh"].startswith("群众安全感满意度调查")
    consent = questions(standard)["consent"]
    assert consent["label"]["zh"] == "您是否愿意接受访问？"
    assert consent["label"]["en"] == "Are you willing to take part?"
    assert questions(standard)["intro"]["type"] == "note"
    assert questions(standard)["intro"]["label"]["zh"].startswith("您好，我们受XX市委政法委委托")


def test_standard_satisfaction_items_cover_every_dimension_twice(standard):
    items = standard["groups"][4]["questions"]
    assert len(items) >= 12
    by_dimension: dict[str, int] = {}
    for item in items:
        assert item["type"] == "select_one" and item["list"] == "sat5"
        assert item["indicator"], item["name"]
        by_dimension[item["dimension"]] = by_dimension.get(item["dimension"], 0) + 1
    assert set(by_dimension) == SATISFACTION_DIMENSIONS
    assert min(by_dimension.values()) >= 2


def test_standard_dimension_tags(standard):
    q = questions(standard)
    assert q["safety_overall"]["dimension"] == "sense_of_safety"
    assert q["safety_night"]["list"] == "safe5"
    assert q["victim_past_year"]["dimension"] is None
    assert q["age"]["dimension"] is None
    assert standard["dimensions"]["public_order"] == {"zh": "社会治安", "en": "Public order"}
    assert set(standard["dimensions"]) == SATISFACTION_DIMENSIONS | {"sense_of_safety"}
    tagged = {item["dimension"] for item in q.values() if item["dimension"]}
    assert tagged == set(standard["dimensions"])
    assert "dimensions" not in standard["choice_lists"]


def test_standard_score_maps(standard):
    lists = standard["choice_lists"]
    assert {c["value"]: c["score"] for c in lists["sat5"]} == {
        "5": 100.0, "4": 80.0, "3": 60.0, "2": 40.0, "1": 0.0, "9": None,
    }  # fmt: skip
    assert {c["value"]: c["positive"] for c in lists["sat5"]} == {
        "5": True, "4": True, "3": False, "2": False, "1": False, "9": None,
    }  # fmt: skip
    assert [c["label"]["zh"] for c in lists["safe5"]] == [
        "很安全", "安全", "基本安全", "不太安全", "不安全", "不知道",
    ]  # fmt: skip
    assert [c["score"] for c in lists["safe5"]] == [100.0, 80.0, 60.0, 40.0, 0.0, None]
    assert lists["yes_no"][0] == {
        "value": "yes", "label": {"zh": "是", "en": "Yes"}, "score": None, "positive": None,
        "media": None, "extra": {},
    }  # fmt: skip


def test_standard_locality_questions_cascade(standard):
    locality = standard["groups"][2]["questions"]
    assert [(q["name"], q["type"], q["locality_level"]) for q in locality] == [
        ("district", "locality", "district"),
        ("street", "locality", "street"),
        ("community", "locality", "community"),
    ]
    assert all(q["list"] is None for q in locality)


def test_standard_demographics_choices(standard):
    lists = standard["choice_lists"]
    assert [c["value"] for c in lists["sex"]] == ["male", "female"]
    assert [c["value"] for c in lists["hukou"]] == ["local", "migrant"]
    assert len(lists["years_residence"]) == 4
    assert 7 <= len(lists["occupation"]) <= 10
    assert [c["value"] for c in lists["victim_type"]] == [
        "theft", "fraud", "robbery", "assault", "other",
    ]  # fmt: skip
    q = questions(standard)
    assert q["victim_type"]["type"] == "select_multiple"
    assert q["suggestion"]["type"] == "text" and q["suggestion"]["required"] is False
    assert q["sex"]["required"] is True


def test_standard_relevance_screens_out_the_ineligible(standard):
    groups = {group["name"]: group for group in standard["groups"]}
    assert groups["opening"]["relevant"] is None
    assert is_relevant(groups["screening"], {"consent": "yes"})
    assert not is_relevant(groups["screening"], {"consent": "no"})
    for name in ("locality", "safety", "satisfaction", "demographics"):
        assert is_relevant(groups[name], ELIGIBLE)
        assert not is_relevant(groups[name], ELIGIBLE | {"age": 15})
        assert not is_relevant(groups[name], ELIGIBLE | {"resident_6m": "no"})
        assert not is_relevant(groups[name], {"consent": "yes"})
    detail = groups["victimisation_detail"]
    assert is_relevant(detail, ELIGIBLE | {"victim_past_year": "yes"})
    assert not is_relevant(detail, ELIGIBLE | {"victim_past_year": "no"})
    assert not is_relevant(detail, ELIGIBLE)


def test_standard_age_constraint(standard):
    age = questions(standard)["age"]
    assert evaluate(age["constraint"], {}, current=30)
    assert evaluate(age["constraint"], {}, current=0)
    assert not evaluate(age["constraint"], {}, current=121)
    assert age["constraint_message"]["zh"] == "年龄应在0到120岁之间"


def test_standard_xform_is_xml_with_both_languages():
    parsed = parse_xlsform(STANDARD.read_bytes(), STANDARD.name)
    root = ET.fromstring(parsed.xform_xml)
    langs = {t.get("lang") for t in root.iter("{http://www.w3.org/2002/xforms}translation")}
    assert langs == {"中文 (zh)", "English (en)"}
    assert "sat_public_order" in parsed.xform_xml


def test_build_script_reproduces_the_committed_spreadsheet(tmp_path, standard):
    built = build_standard_xlsx.build(tmp_path / "standard.xlsx")
    assert parse_xlsform(built.read_bytes(), built.name).definition == standard


# --- small forms -----------------------------------------------------------------------------


def test_valid_small_form_parses():
    definition = parse_xlsform(make_xlsx(), "form.xlsx").definition
    # no language columns: the form's default language, named "default" as pyxform does
    assert definition["languages"] == ["default"]
    assert definition["title"] == {"default": "测试问卷"}
    [group] = definition["groups"]
    assert group["label"] == {"default": "第一页"}
    assert group["path"] == "/page1" and group["breadcrumbs"] == [
        {"path": "/page1", "label": {"default": "第一页"}}
    ]
    q1, age = group["questions"]
    assert (q1["dimension"], q1["indicator"], q1["list"]) == ("public_order", "order", "sat5")
    assert age["type"] == "integer" and age["constraint"] == ". >= 0 and . <= 120"


def test_default_language_from_settings_names_plain_labels():
    data = make_xlsx(settings={"form_title": "T", "default_language": "English (en)"})
    assert parse_xlsform(data, "form.xlsx").definition["languages"] == ["en"]


def test_a_form_without_a_title_has_only_its_tagged_languages():
    # given labels only in label::zh and label::en and no form_title (pyxform then titles the
    # form after the file)
    def both(row, zh, en):
        return {**row, "label::zh": zh, "label::en": en}

    survey = [
        both(survey_row("begin group", "page1"), "第一页", "Page 1"),
        both(survey_row("select_one sat5", "q1", dimension="public_order"), "满意吗", "Happy?"),
        both(survey_row("integer", "age"), "年龄", "Age"),
        survey_row("end group"),
    ]
    choices = [
        {"list_name": "sat5", "name": "5", "label::zh": "满意", "label::en": "Yes", "score": 100},
        {"list_name": "sat5", "name": "1", "label::zh": "不满意", "label::en": "No", "score": 0},
        {"list_name": "dimensions", "name": "public_order", "label::zh": "治安",
         "label::en": "Order"},
    ]  # fmt: skip
    data = make_xlsx(
        survey,
        choices,
        settings={"form_id": "safety"},
        survey_header=["type", "name", "label::zh", "label::en", "dimension"],
        choices_header=["list_name", "name", "label::zh", "label::en", "score"],
    )
    # when
    parsed = parse_xlsform(data, "safety.xlsx")
    # then the languages are pyxform's, with no phantom "default" and no warning about it
    assert parsed.definition["languages"] == ["zh", "en"]
    assert set(parsed.definition["title"]) == {"zh", "en"}
    assert parsed.definition["translation_gaps"] == {}
    assert not any("default" in str(warning) for warning in parsed.warnings)


def test_extra_choice_columns_are_kept_as_strings():
    choices = [c | {"weight": 2} for c in valid_choices()]
    data = make_xlsx(choices=choices, choices_header=["list_name", "name", "label", "score",
                                                      "positive", "weight"])  # fmt: skip
    sat5 = parse_xlsform(data, "form.xlsx").definition["choice_lists"]["sat5"]
    assert sat5[0]["extra"] == {"weight": "2"}


def test_form_id_falls_back_to_the_file_name():
    data = make_xlsx(settings={"form_title": "T"})
    assert parse_xlsform(data, "my form.xlsx").definition["form_id"] == "my_form"


# --- bad input: every message names sheet, row and column ------------------------------------


def test_unknown_dimension_names_row_and_column():
    survey = valid_survey()
    survey[1]["dimension"] = "nope"
    [error] = errors_of(make_xlsx(survey=survey))
    assert error.startswith("survey sheet, row 3, column dimension:")
    assert "unknown dimension 'nope'" in error and "public_order" in error


def test_dimension_without_dimensions_list_is_refused():
    choices = [c for c in valid_choices() if c["list_name"] != "dimensions"]
    [error] = errors_of(make_xlsx(choices=choices))
    assert "row 3, column dimension" in error and "no 'dimensions' list" in error


def test_dimension_on_unscored_question_is_refused():
    survey = valid_survey()
    survey[2]["dimension"] = "public_order"  # the integer age question
    [error] = errors_of(make_xlsx(survey=survey))
    assert "row 4, column dimension" in error and "scores" in error


@pytest.mark.parametrize("score", [120, -1, "abc", "NaN"])
def test_bad_score_names_row_and_column(score):
    choices = valid_choices()
    choices[1]["score"] = score
    [error] = errors_of(make_xlsx(choices=choices))
    assert error.startswith("choices sheet, row 3, column score:")
    assert f"'{score}' is not a number from 0 to 100" in error


def test_bad_positive_names_row_and_column():
    choices = valid_choices()
    choices[0]["positive"] = 2
    [error] = errors_of(make_xlsx(choices=choices))
    assert error.startswith("choices sheet, row 2, column positive:") and "'2'" in error


def test_duplicate_question_name_names_both_rows():
    survey = valid_survey()
    survey.insert(3, survey_row("text", "age", "again"))
    [error] = errors_of(make_xlsx(survey=survey))
    assert error.startswith("survey sheet, row 5, column name:") and "'age'" in error
    assert "is used twice in the same group" in error


def test_duplicate_choice_in_list_is_refused():
    choices = valid_choices()
    choices[1]["name"] = "5"
    [error] = errors_of(make_xlsx(choices=choices))
    assert error.startswith("choices sheet, row 3, column name:")
    assert "used twice in its list" in error


def test_missing_choice_list_names_row_and_column():
    survey = valid_survey()
    survey[1] = survey_row("select_one nowhere", "q1", "Q")
    [error] = errors_of(make_xlsx(survey=survey))
    assert error == (
        "survey sheet, row 3, column type: the choice list 'nowhere' is not on the choices sheet"
    )


def test_bad_locality_level_names_row_and_column():
    survey = valid_survey()
    survey.insert(3, survey_row("text", "village", "村", locality_level="village"))
    [error] = errors_of(make_xlsx(survey=survey))
    assert error.startswith("survey sheet, row 5, column locality_level:") and "'village'" in error


def test_locality_levels_must_be_asked_top_down():
    survey = valid_survey()
    survey.insert(3, survey_row("text", "street", "街道", locality_level="street"))
    [error] = errors_of(make_xlsx(survey=survey))
    assert "row 5, column locality_level" in error and "needs a district question" in error


def test_locality_on_a_select_one_is_refused():
    survey = valid_survey()
    survey.insert(3, survey_row("select_one sat5", "district", "区", locality_level="district"))
    [error] = errors_of(make_xlsx(survey=survey))
    assert "row 5, column locality_level" in error and "select_one_from_file" in error


def test_all_problems_are_reported_together():
    survey = valid_survey()
    survey[1]["dimension"] = "nope"
    choices = valid_choices()
    choices[0]["score"] = 101
    choices[1]["positive"] = "yes"
    errors = errors_of(make_xlsx(survey=survey, choices=choices))
    assert len(errors) == 3
    assert any("column score" in e for e in errors)
    assert any("column positive" in e for e in errors)
    assert any("column dimension" in e for e in errors)


def test_an_expression_the_interview_does_not_run_yet_imports_with_a_warning():
    survey = valid_survey()
    survey[2]["relevant"] = "device-info('imei') != ''"
    parsed = parse_xlsform(make_xlsx(survey=survey), "form.xlsx")
    assert questions(parsed.definition)["age"]["relevant"] == "device-info('imei') != ''"
    expected = "survey sheet, row 4, column relevant: functions the interview does not run: "
    assert any(f"{expected}device-info()" in str(warning) for warning in parsed.warnings)


def test_reference_to_unknown_question_is_refused():
    survey = valid_survey()
    survey[2]["relevant"] = "${q1} = '5' and ${ghost} = 1"
    [error] = errors_of(make_xlsx(survey=survey))
    assert error.startswith("survey sheet, row 4, column relevant:")
    assert "refers to ${ghost}, but no question" in error


def test_question_outside_a_group_is_a_page_of_its_own():
    survey = valid_survey() + [survey_row("text", "loose", "Loose")]
    groups = parse_xlsform(make_xlsx(survey=survey), "form.xlsx").definition["groups"]
    assert [g["name"] for g in groups] == ["page1", "page_loose"]
    assert [q["name"] for q in groups[1]["questions"]] == ["loose"]
    assert groups[1]["label"] == {} and groups[1]["repeat"] is None


def test_nested_groups_keep_their_paths_and_flatten_into_pages():
    survey = valid_survey()
    survey.insert(1, survey_row("begin group", "inner", "Inner"))
    survey.insert(3, survey_row("end group"))
    definition = parse_xlsform(make_xlsx(survey=survey), "form.xlsx").definition
    [outer] = definition["tree"]
    assert outer["path"] == "/page1" and outer["children"][0]["path"] == "/page1/inner"
    assert [(page["path"], [q["path"] for q in page["questions"]]) for page in
            definition["groups"]] == [("/page1/inner", ["/page1/inner/q1"]),
                                      ("/page1", ["/page1/age"])]  # fmt: skip
    assert [crumb["path"] for crumb in definition["groups"][0]["breadcrumbs"]] == [
        "/page1", "/page1/inner"
    ]  # fmt: skip


def test_a_field_list_group_is_one_page_and_a_roster_in_it_a_page_of_its_own():
    survey = [
        survey_row("integer", "q0", "人数"),
        survey_row("begin group", "hh", "住户", appearance="field-list", relevant="${q0} > 0"),
        survey_row("begin group", "inner", "细节", relevant="${q0} > 1"),
        survey_row("text", "q1", "说明"),
        survey_row("end group"),
        survey_row("begin repeat", "people", "成员"),
        survey_row("text", "who", "姓名"),
        survey_row("begin repeat", "jobs", "工作"),
        survey_row("text", "job", "职业"),
        survey_row("end repeat"),
        survey_row("end repeat"),
        survey_row("end group"),
    ]
    header = ["type", "name", "label", "relevant", "appearance"]
    data = make_xlsx(survey=survey, choices=[], survey_header=header,
                     choices_header=["list_name", "name", "label"])  # fmt: skip
    pages = parse_xlsform(data, "f.xlsx").definition["groups"]
    assert [(p["path"], p["relevant"]) for p in pages] == [
        ("/q0", None), ("/hh", "${q0} > 0"), ("/hh/people", "${q0} > 0"),
    ]  # fmt: skip
    pages = pages[1:]
    assert [q["path"] for q in pages[0]["questions"]] == ["/hh/inner/q1"]
    assert pages[0]["questions"][0]["relevant"] == "${q0} > 1"  # its group's condition
    who, jobs = pages[1]["questions"]
    assert who["path"] == "/hh/people/who" and jobs["type"] == "repeat"
    assert [q["path"] for q in jobs["questions"]] == ["/hh/people/jobs/job"]
    assert [c["path"] for c in pages[1]["breadcrumbs"]] == ["/hh", "/hh/people"]


def test_pyxform_errors_are_reported_with_the_file_name():
    survey = valid_survey()
    survey[2]["name"] = "1age"  # not an XML name: only pyxform checks this
    [error] = errors_of(make_xlsx(survey=survey), "mine.xlsx")
    assert error.startswith("survey sheet, row 4, column name: not a valid name")


def test_not_a_workbook_is_refused():
    [error] = errors_of(b"not a spreadsheet", "form.xlsx")
    # our words, never the library's ("File is not a zip file")
    assert error == "form.xlsx: the file is not an Excel workbook (.xlsx), or it is damaged"


def test_a_column_name_used_twice_is_named_by_sheet_and_column():
    header = [*SURVEY_HEADER, SURVEY_HEADER[1]]

    [error] = errors_of(make_xlsx(survey_header=header))

    name, letter = SURVEY_HEADER[1], get_column_letter(len(header))
    assert error == (
        f"survey sheet, row 1, column {letter}: the column name “{name}” is used twice "
        "(also column B)"
    )


def test_wrong_extension_is_refused():
    [error] = errors_of(make_xlsx(), "form.csv")
    assert "form.csv: not an .xlsx or .xls file" in error


def test_dimension_order_follows_the_questions_not_the_stored_key_order():
    # given the key order PostgreSQL's jsonb gives back (shortest keys first)
    from questionnaires.xlsform import dimension_order

    definition = {
        "dimensions": {"unused": {}, "police": {}, "public_order": {}, "sense_of_safety": {}},
        "groups": [
            {"questions": [{"name": "s", "dimension": "sense_of_safety"}, {"name": "x"}]},
            {"questions": [{"name": "o", "dimension": "public_order"}]},
            {
                "questions": [
                    {"name": "p", "dimension": "police"},
                    {"name": "o2", "dimension": "public_order"},
                ]
            },
        ],
    }
    # when / then
    assert dimension_order(definition) == ["sense_of_safety", "public_order", "police", "unused"]


def test_select_one_external_takes_its_choices_from_the_external_choices_sheet():
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for row in (["type", "name", "label", "choice_filter"], ["select_one c", "county", "县", None],
                ["select_one_external city", "city", "市", "county=${county}"]):  # fmt: skip
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in (["list_name", "name", "label"], ["c", "a", "甲县"], ["c", "b", "乙县"]):
        choices.append(row)
    external = book.create_sheet("external_choices")
    for row in (["list_name", "name", "label", "county"], ["city", "x", "西市", "a"],
                ["city", "y", "东市", "b"]):  # fmt: skip
        external.append(row)
    out = BytesIO()
    book.save(out)
    definition = parse_xlsform(out.getvalue(), "external.xlsx").definition
    city = questions(definition)["city"]
    assert (city["type"], city["list"]) == ("select_one_external", "city")
    assert definition["external_lists"] == ["city"]
    assert [(c["value"], c["label"], c["extra"]) for c in definition["choice_lists"]["city"]] == [
        ("x", {"default": "西市"}, {"county": "a"}),
        ("y", {"default": "东市"}, {"county": "b"}),
    ]
    from questionnaires.xlsform_export import export_workbook

    again = parse_xlsform(export_workbook(definition), "again.xlsx").definition
    assert again["choice_lists"] == definition["choice_lists"]
    assert again["external_lists"] == ["city"]


def test_curly_quotes_and_language_columns_are_read_as_pyxform_reads_them():
    survey = [
        {"type": "select_one sat5", "name": "q1", "label": "满意吗", "label::English (en)": "OK?",
         "label::French": "Content?"},
        {"type": "integer", "name": "age", "label": "年龄", "relevant": "${q1} = ‘5’"},
    ]  # fmt: skip
    header = ["type", "name", "label", "label::English (en)", "label::French", "relevant"]
    data = make_xlsx(survey=survey, survey_header=header,
                     settings={"form_title": "T", "default_language": "中文 (zh)"})  # fmt: skip
    definition = parse_xlsform(data, "f.xlsx").definition
    by_name = questions(definition)
    assert by_name["age"]["relevant"] == "${q1} = '5'"
    # untagged columns are the default language; a name without a code is kept as given
    assert definition["languages"] == ["zh", "en", "French"]
    assert by_name["q1"]["label"] == {"zh": "满意吗", "en": "OK?", "French": "Content?"}
