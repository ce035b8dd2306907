"""Every issue-5 error path: one message per problem, naming sheet, row and column."""

import re

import pytest
from django.utils import translation

from common.translatable import translated
from questionnaires.xlsform import XLSFormError, parse_score_map, parse_xlsform
from tests.questionnaires.workbooks import (
    RICH_SURVEY_HEADER,
    kobo_xlsx,
    make_xlsx,
    rich_choices,
    rich_survey,
    rich_xlsx,
)


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(data, "form.xlsx")
    return caught.value.errors


def row_of(survey: list[dict], name: str) -> int:
    """The sheet row number of a survey row (row 1 is the header)."""
    return next(i for i, row in enumerate(survey) if row.get("name") == name) + 2


def one_error(change, name: str, column: str, **survey_changes) -> str:
    """Apply `change` to the rich form's row `name`; return its only error, checking the place."""
    survey = rich_survey()
    row = survey[row_of(survey, name) - 2]
    change(row)
    [error] = errors_of(rich_xlsx(survey=survey))
    prefix = f"survey sheet, row {row_of(survey, name)}, column {column}: "
    assert error.startswith(prefix), error
    return error[len(prefix) :]


def set_(**values):
    return lambda row: row.update(values)


def test_an_expression_pyxform_cannot_read_names_its_cell():
    message = one_error(set_(calculation="${ghost} * 2"), "adults_hint", "calculation")
    assert "refers to ${ghost}, but no question" in message


def test_unknown_function_in_qc_check():
    check = "device-info('x') = 1 and regex(., '[0-9]') and phone-call-log() = 2"
    message = one_error(set_(qc_check=check), "sat_night", "qc_check")
    assert "unsupported function(s) device-info(), phone-call-log()" in message


def test_a_bare_word_in_qc_check_is_refused():
    message = one_error(set_(qc_check=". = never"), "sat_night", "qc_check")
    assert message == "unknown name 'never' (write ${never} for a question, or quote text: 'never')"


@pytest.mark.parametrize(
    ("name", "column", "text"),
    [("adults_hint", "calculation", "${household_size} +"),
     ("sat_night", "relevant", "${goes_out} = never"),
     ("city", "choice_filter", "region = ${province}")],
)  # fmt: skip
def test_logic_the_interview_cannot_run_yet_imports_with_a_warning(name, column, text):
    survey = rich_survey()
    survey[row_of(survey, name) - 2][column] = text
    parsed = parse_xlsform(rich_xlsx(survey=survey), "form.xlsx")
    [question] = [q for g in parsed.definition["groups"] for q in g["questions"]
                  if q.get("name") == name]  # fmt: skip
    assert question[column] == text
    cell = f"row {row_of(survey, name)}, column {column}: the interview cannot read this"
    unparsed = any(cell in str(w) for w in parsed.warnings)
    assert unparsed == (column == "calculation")  # the others our evaluator reads already


def test_repeat_count_with_unknown_reference():
    message = one_error(set_(repeat_count="${members}"), "household", "repeat_count")
    assert "refers to ${members}, but no question" in message


@pytest.mark.parametrize("value", ["0", "2.5", "many", "1000"])
def test_bad_repeat_max(value):
    message = one_error(set_(repeat_max=value), "household", "repeat_max")
    assert message == f"'{value}' must be a whole number from 1 to 200"


@pytest.mark.parametrize(
    ("score_map", "expected"),
    [
        ("5=100 4=75 3=50 2=25 1=0", "no score for '9' (write code= for don't know)"),
        ("5=100 4=75 3=50 2=25 1=0 9= 7=10", "'7' is not a choice of this question"),
        ("5=100 4=75 3=50 2=25 1=0 9= 5=1", "choice '5' is given twice"),
        ("5=120 4=75 3=50 2=25 1=0 9=", "'5=120': the score must be a number from 0 to 100"),
        ("5:100", "'5:100' is not code=score (e.g. 5=100, or 9= for don't know)"),
    ],
)
def test_bad_score_map(score_map, expected):
    assert one_error(set_(score_map=score_map), "sat_police", "score_map") == expected


def test_score_map_on_a_non_select_one_is_refused():
    message = one_error(set_(score_map="1=100"), "member_age", "score_map")
    assert message == "score_map is only for select_one questions"


def test_satisfied_code_must_be_a_choice():
    message = one_error(set_(satisfied="5 6"), "sat_police", "satisfied")
    assert message == "'6' is not a choice of this question"


def test_score_map_makes_an_unscored_list_feed_a_dimension():
    survey = rich_survey()
    goes_out = survey[row_of(survey, "goes_out") - 2]
    goes_out.update(dimension="public_order", score_map="often=100 never=0")
    assert parse_xlsform(rich_xlsx(survey=survey), "f.xlsx").definition


def test_the_same_name_in_two_groups_is_two_questions_by_path():
    survey = rich_survey()
    for after in ("goes_out", "member_sex"):
        at = row_of(survey, after) - 1
        survey.insert(at, {"type": "text", "name": "q1", "label::中文 (zh)": after})
    definition = parse_xlsform(rich_xlsx(survey=survey), "form.xlsx").definition
    found = {q["path"]: q["label"]["zh"] for g in definition["groups"] for q in g["questions"]
             if q.get("name") == "q1"}  # fmt: skip
    assert found == {"/household_page/q1": "goes_out", "/household/q1": "member_sex"}


def test_the_same_name_twice_in_one_group_is_refused_at_its_row():
    survey = rich_survey()
    second = row_of(survey, "member_sex")
    survey[second - 2]["name"] = "member_age"
    [error] = errors_of(rich_xlsx(survey=survey))
    assert error.startswith(f"survey sheet, row {second}, column name:")
    assert "'member_age'" in error


@pytest.mark.parametrize(
    ("name", "default", "expected"),
    [
        ("household_size", "abc", "'abc' is not a whole number"),
        ("visit_date", "2026/01/01", "'2026/01/01' is not a date written YYYY-MM-DD"),
        ("goes_out", "sometimes", "'sometimes' is not a choice of this question"),
        ("media", "tv radio", "'tv radio' has codes that are not choices of this question: radio"),
    ],
)
def test_a_default_that_cannot_be_an_answer_is_warned_about_and_left_out(name, default, expected):
    survey = rich_survey()
    survey[row_of(survey, name) - 2]["default"] = default
    parsed = parse_xlsform(rich_xlsx(survey=survey), "form.xlsx")
    prefix = f"survey sheet, row {row_of(survey, name)}, column default: "
    assert prefix + expected in [str(warning) for warning in parsed.warnings]
    [question] = [q for g in parsed.definition["groups"] for q in g["questions"]
                  if q.get("name") == name]  # fmt: skip
    assert question["default"] is None


def test_conditional_required_is_kept_as_an_expression():
    survey = rich_survey()
    survey[row_of(survey, "member_age") - 2]["required"] = "${household_size} > 1"
    definition = parse_xlsform(rich_xlsx(survey=survey), "form.xlsx").definition
    [age] = [q for g in definition["groups"] for q in g["questions"] if q["name"] == "member_age"]
    assert (age["required"], age["required_if"]) == (False, "${household_size} > 1")


def test_bad_backcheck_value():
    assert one_error(set_(backcheck="maybe"), "sat_night", "backcheck") == (
        "'maybe' must be yes or no"
    )


def test_question_columns_on_a_group_row_are_refused():
    message = one_error(set_(qc_check=". = 1"), "opinions", "qc_check")
    assert message == "qc_check is for questions, not for a group or repeat row"


def test_a_nested_repeat_is_a_nested_roster():
    survey = rich_survey()
    at = row_of(survey, "member_sex") - 2
    survey[at:at] = [{"type": "begin repeat", "name": "pets", "label::中文 (zh)": "宠物"},
                     {"type": "text", "name": "pet", "label::中文 (zh)": "名字"},
                     {"type": "end repeat"}]  # fmt: skip
    definition = parse_xlsform(rich_xlsx(survey=survey), "form.xlsx").definition
    [roster] = [g for g in definition["groups"] if g["name"] == "household"]
    [pets] = [q for q in roster["questions"] if q["type"] == "repeat"]
    assert pets["path"] == f"{roster['path']}/pets"
    assert [q["path"] for q in pets["questions"]] == [f"{roster['path']}/pets/pet"]
    assert pets["questions"][0]["repeat"] == pets["path"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [("end repeat closes a group", "end repeat without a begin repeat"),
     ("no end repeat", "begin repeat 'household' has no end repeat"),
     ("no end group", "begin group 'opinions' has no end group")],
)  # fmt: skip
def test_unmatched_begin_and_end_rows_are_named_by_row(change, expected):
    survey = rich_survey()
    if change == "end repeat closes a group":
        end = next(i for i, r in enumerate(survey) if r["type"] == "end group")
        survey[end]["type"] = "end repeat"
    elif change == "no end repeat":
        survey = [r for r in survey if r["type"] != "end repeat"]
    else:
        del survey[max(i for i, r in enumerate(survey) if r["type"] == "end group")]
    errors = errors_of(rich_xlsx(survey=survey))
    assert any(re.match(r"survey sheet, row \d+, column type: ", e) and expected in e
               for e in errors), errors  # fmt: skip


# --- ODK/Kobo/SurveyCTO types and columns pyxform accepts ----------------------------------


@pytest.mark.parametrize(
    ("type_", "ours", "kind", "pyxform"),
    [("geopoint", "geopoint", "asked", None), ("image", "image", "asked", "photo"),
     ("audio", "audio", "asked", None), ("gps", "geopoint", "asked", None),
     ("rank goes_out", "rank", "deferred", "rank"), ("time", "time", "asked", None),
     ("datetime", "datetime", "asked", None), ("acknowledge", "acknowledge", "asked", None),
     ("trigger", "trigger", "asked", None), ("string", "text", "asked", None),
     ("int", "integer", "asked", None), ("phone number", "text", "asked", None),
     ("imei", "deviceid", "metadata", "deviceid"),
     ("uri:deviceid", "uri:deviceid", "metadata", None),
     ("select_multiple_from_file towns.csv", "select_multiple_from_file", "asked",
      "select all that apply"),
     ("select_one_from_file towns.xml", "select_one_from_file", "asked", "select one"),
     ("select one from goes_out", "select_one", "asked", "select one")],
)  # fmt: skip
def test_every_type_pyxform_accepts_imports(type_, ours, kind, pyxform):
    survey = rich_survey()
    survey.insert(2, {"type": type_, "name": "odd", "label::中文 (zh)": "奇怪"})
    definition = parse_xlsform(rich_xlsx(survey=survey), "form.xlsx").definition
    found = [q for g in definition["groups"] for q in g["questions"] if q["name"] == "odd"]
    found += [q for q in definition["metadata"] if q["name"] == "odd"]
    [odd] = found
    assert (odd["type"], odd["kind"], odd["xlsform_type"]) == (ours, kind, pyxform or type_)
    if ours.endswith("_from_file"):
        assert odd["file"] == type_.split()[-1] and odd["list"] is None


def test_range_keeps_its_parameters():
    survey = rich_survey()
    survey.insert(2, {"type": "range", "name": "scale", "label::中文 (zh)": "打分",
                      "parameters": "start=0 end=10 step=2"})  # fmt: skip
    data = make_xlsx(survey=survey, choices=rich_choices(),
                     survey_header=[*RICH_SURVEY_HEADER, "parameters"])  # fmt: skip
    definition = parse_xlsform(data, "form.xlsx").definition
    [scale] = [q for g in definition["groups"] for q in g["questions"] if q["name"] == "scale"]
    assert scale["parameters"] == {"start": "0", "end": "10", "step": "2"}


def test_or_other_keeps_the_select_and_its_text_box():
    survey = rich_survey()
    survey[row_of(survey, "goes_out") - 2]["type"] = "select_one goes_out or_other"
    definition = parse_xlsform(rich_xlsx(survey=survey), "form.xlsx").definition
    by_name = {q["name"]: q for g in definition["groups"] for q in g["questions"]}
    assert by_name["goes_out"]["or_other"] is True
    assert "other" in [c["value"] for c in definition["choice_lists"]["goes_out"]]
    other = by_name["goes_out_other"]
    assert other["type"] == "text" and other["other_of"] == by_name["goes_out"]["path"]
    assert other["relevant"] == "selected(${goes_out}, 'other')"


def test_a_note_without_a_name_is_kept():
    survey = rich_survey()
    survey.insert(2, {"type": "note", "label::中文 (zh)": "请注意"})
    definition = parse_xlsform(rich_xlsx(survey=survey), "form.xlsx").definition
    notes = [q for g in definition["groups"] for q in g["questions"]
             if q["type"] == "note" and q["label"] == {"zh": "请注意"}]  # fmt: skip
    assert len(notes) == 1 and notes[0]["name"]


def test_read_only_no_is_accepted():
    survey = [
        {"type": "begin group", "name": "p", "label": "P"},
        {"type": "integer", "name": "age", "label": "Age", "read_only": "no"},
        {"type": "end group"},
    ]
    data = make_xlsx(survey=survey, choices=[],
                     survey_header=["type", "name", "label", "read_only"])  # fmt: skip
    assert parse_xlsform(data, "f.xlsx").definition["groups"][0]["questions"][0]["name"] == "age"


def test_media_on_choices_is_kept():
    data = make_xlsx(choices_header=["list_name", "name", "label", "score", "positive", "image"],
                     choices=[{"list_name": "sat5", "name": "5", "label": "满意", "score": 100,
                               "positive": 1, "image": "smile.png"},
                              {"list_name": "dimensions", "name": "public_order",
                               "label": "社会治安"}])  # fmt: skip
    [five] = parse_xlsform(data, "form.xlsx").definition["choice_lists"]["sat5"]
    assert five["media"] == {"image": "smile.png"}


def test_kobo_form_with_a_location_imports():
    assert parse_xlsform(kobo_xlsx(), "k.xlsx")  # the unchanged export imports
    survey_with_gps = [
        {"type": "geopoint", "name": "where", "label::English (en)": "Where?"},
    ]
    definition = parse_xlsform(kobo_xlsx(survey=survey_with_gps), "k.xlsx").definition
    assert [q["path"] for g in definition["groups"] for q in g["questions"]] == ["/where"]


def test_rich_header_has_every_issue_five_column():
    assert {"score_map", "satisfied", "qc_check", "backcheck", "repeat_max"} <= set(
        RICH_SURVEY_HEADER
    )


# --- parse_score_map -------------------------------------------------------------------------


def test_parse_score_map_reads_blanks_as_dont_know():
    assert parse_score_map("5=100 4=80, 3=62.5; 9=") == {
        "5": 100.0,
        "4": 80.0,
        "3": 62.5,
        "9": None,
    }


def test_parse_score_map_refuses_empty():
    with pytest.raises(ValueError, match="empty score map"):
        parse_score_map("  ")


# --- expressions too deep or too long, and circular logic (issue 14) -------------------------


@pytest.mark.parametrize(
    ("name", "column"),
    [("sat_night", "relevant"), ("adults_hint", "calculation"), ("sat_night", "qc_check"),
     ("city", "choice_filter"), ("household_size", "constraint"), ("visit_date", "default")],
)  # fmt: skip
def test_the_audits_140_nested_brackets_are_refused_at_their_cell(name, column):
    deep = "(" * 140 + "${household_size}" + ")" * 140 + " > 0"
    message = one_error(set_(**{column: deep}), name, column)
    assert "nested more than 40 levels deep at position 41" in message


def test_the_audits_sum_of_950_answers_is_refused_at_its_cell_quoting_only_its_start():
    long = "+".join(["${household_size}"] * 950)
    message = one_error(set_(calculation=long), "adults_hint", "calculation")
    assert message == (
        "'${household_size}+${household_size}+${household_size}+${hous…': 17099 characters "
        "long, more than the 4000 allowed; split it into calculate questions"
    )


def test_circular_relevant_and_calculation_is_refused_with_the_cycle_spelled_out():
    survey = rich_survey()
    survey[row_of(survey, "goes_out") - 2]["relevant"] = "${adults_hint} = 'many'"
    survey[row_of(survey, "adults_hint") - 2]["calculation"] = "if(${goes_out} = '1', 'many', '')"
    assert errors_of(rich_xlsx(survey=survey)) == [
        f"survey sheet, row {row_of(survey, 'goes_out')}, column relevant: circular logic: "
        "relevant of goes_out depends on adults_hint, whose calculation depends on goes_out"
    ]


def test_a_page_shown_by_its_own_question_is_circular():
    survey = rich_survey()
    survey[row_of(survey, "household_page") - 2]["relevant"] = "${goes_out} = 'often'"
    assert errors_of(rich_xlsx(survey=survey)) == [
        f"survey sheet, row {row_of(survey, 'household_page')}, column relevant: circular "
        "logic: relevant of household_page depends on goes_out, which is on the page "
        "household_page"
    ]


def test_a_roster_counted_by_an_expression_on_its_own_rows_is_told_as_written():
    # pyxform turns this repeat_count into a calculate `household_count` of its own
    survey = rich_survey()
    survey[row_of(survey, "household") - 2]["repeat_count"] = "count(${member_age}) + 1"
    assert errors_of(rich_xlsx(survey=survey)) == [
        f"survey sheet, row {row_of(survey, 'household')}, column repeat_count: circular "
        "logic: repeat_count of household depends on member_age, which is on the page household"
    ]


def test_a_constraint_naming_its_own_question_is_not_circular():
    survey = rich_survey()
    survey[row_of(survey, "household_size") - 2]["constraint"] = "${household_size} <= 10"
    parse_xlsform(rich_xlsx(survey=survey), "form.xlsx")


def test_every_function_the_interview_does_not_run_is_reported_at_once_at_its_cell():
    survey = rich_survey()

    def put(name: str, column: str, text: str) -> int:
        survey[row_of(survey, name) - 2][column] = text
        return row_of(survey, name)

    group = put("household_page", "relevant", "device-info('imei') != ''")
    visit = put("visit_date", "constraint", ". <= today() and phone-call-duration() > 1")
    goes_out = put("goes_out", "required", "phone-call-log() > 0")
    adults = put("adults_hint", "calculation", "concat(device-info('a'), collect-is-phone-app())")
    age = put("member_age", "relevant", "${household_size} + ")
    parsed = parse_xlsform(rich_xlsx(survey=survey), "form.xlsx")
    [summary] = [w for w in parsed.warnings if "the interview cannot run them;" in w]
    assert summary.startswith("5 expressions are kept but the interview cannot run them;")
    not_run = "functions the interview does not run: "
    cells = [
        f"survey sheet, row {group}, column relevant: {not_run}device-info()",
        f"survey sheet, row {visit}, column constraint: {not_run}phone-call-duration()",
        f"survey sheet, row {goes_out}, column required: {not_run}phone-call-log()",
        f"survey sheet, row {adults}, column calculation: "
        f"{not_run}device-info(), collect-is-phone-app()",
        f"survey sheet, row {age}, column relevant: the interview cannot read this expression:",
    ]
    for cell in cells:
        assert cell in summary, cell
    # the expressions are kept as written (an export gives the form back unchanged)
    [goes] = [q for g in parsed.definition["groups"] for q in g["questions"]
              if q.get("name") == "goes_out"]  # fmt: skip
    assert goes["required_if"] == "phone-call-log() > 0"


def test_the_report_of_functions_not_run_is_in_the_reader_s_language():
    survey = rich_survey()
    survey[row_of(survey, "adults_hint") - 2]["calculation"] = "device-info('imei')"
    parsed = parse_xlsform(rich_xlsx(survey=survey), "form.xlsx")
    with translation.override("zh-hans"):
        [chinese] = [translated(w, translation.gettext) for w in parsed.warnings
                     if "cannot run them" in w]  # fmt: skip
    assert chinese.startswith("有 1 个表达式已保留，但访问无法运行")
    assert "访问不支持的函数：device-info()" in chinese
