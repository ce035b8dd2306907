"""Every issue-5 error path: one message per problem, naming sheet, row and column."""

import pytest

from questionnaires.xlsform import XLSFormError, parse_score_map, parse_xlsform
from tests.questionnaires.workbooks import (
    KOBO_SURVEY_HEADER,
    RICH_SURVEY_HEADER,
    kobo_xlsx,
    make_xlsx,
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


def test_bad_expression_names_its_cell():
    message = one_error(set_(calculation="${household_size} +"), "adults_hint", "calculation")
    assert "expected a value, found the end" in message


def test_unknown_reference_in_a_calculation():
    message = one_error(set_(calculation="${ghost} * 2"), "adults_hint", "calculation")
    assert message == "refers to ${ghost}, which is not a question"


def test_unknown_function_in_qc_check():
    message = one_error(set_(qc_check="regex(., '[0-9]')"), "sat_night", "qc_check")
    assert "unsupported function regex()" in message


def test_bare_word_outside_a_choice_filter_is_refused():
    message = one_error(set_(relevant="${goes_out} = never"), "sat_night", "relevant")
    assert message == "unknown name 'never' (write ${never} for a question, or quote text: 'never')"


def test_choice_filter_bare_name_must_be_a_choices_column():
    message = one_error(set_(choice_filter="region = ${province}"), "city", "choice_filter")
    assert (
        message == "'region' is not a column of the choices sheet (write ${region} for a question)"
    )


def test_choice_filter_on_a_non_select_is_refused():
    message = one_error(set_(choice_filter="province = 'hn'"), "member_age", "choice_filter")
    assert message == "choice_filter is only for select_one and select_multiple questions"


def test_repeat_count_must_be_an_expression():
    message = one_error(set_(repeat_count="lots"), "household", "repeat_count")
    assert message.startswith("unknown name 'lots'")


def test_repeat_count_with_unknown_reference():
    message = one_error(set_(repeat_count="${members}"), "household", "repeat_count")
    assert message == "refers to ${members}, which is not a question"


@pytest.mark.parametrize("value", ["0", "2.5", "many", "1000"])
def test_bad_repeat_max(value):
    message = one_error(set_(repeat_max=value), "household", "repeat_max")
    assert message == f"'{value}' must be a whole number from 1 to 200"


def test_repeat_count_on_a_group_is_refused():
    message = one_error(set_(repeat_count="2"), "opinions", "repeat_count")
    assert message == "repeat_count is only for begin repeat rows"


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


def test_duplicate_names_across_pages_and_repeats():
    survey = rich_survey()
    first = row_of(survey, "goes_out")
    second = row_of(survey, "member_sex")
    survey[second - 2]["name"] = "goes_out"
    [error] = errors_of(rich_xlsx(survey=survey))
    assert error == (
        f"survey sheet, row {second}, column name: duplicate name 'goes_out' (also row {first})"
    )


@pytest.mark.parametrize(
    ("name", "default", "expected"),
    [
        ("household_size", "abc", "'abc' is not a whole number"),
        ("visit_date", "2026/01/01", "'2026/01/01' is not a date written YYYY-MM-DD"),
        ("goes_out", "sometimes", "'sometimes' is not a choice of this question"),
        ("media", "tv radio", "'tv radio' has codes that are not choices of this question: radio"),
        ("visit_date", "${nowhere}", "refers to ${nowhere}, which is not a question"),
        ("adults_hint", "1", "a calculate has no default"),
    ],
)
def test_bad_default(name, default, expected):
    assert one_error(set_(default=default), name, "default") == expected


def test_calculate_without_calculation():
    message = one_error(set_(calculation=""), "adults_hint", "calculation")
    assert message == "a calculate question needs a calculation"


def test_calculation_on_a_question_is_refused():
    message = one_error(set_(calculation="1 + 1"), "member_age", "calculation")
    assert message == "calculation is only for calculate questions"


def test_conditional_required_is_refused():
    message = one_error(set_(required="${household_size} > 1"), "member_age", "required")
    assert "conditional required is not supported" in message


def test_bad_backcheck_value():
    assert one_error(set_(backcheck="maybe"), "sat_night", "backcheck") == (
        "'maybe' must be yes or no"
    )


def test_question_columns_on_a_group_row_are_refused():
    message = one_error(set_(qc_check=". = 1"), "opinions", "qc_check")
    assert message == "qc_check is for questions, not for a group row"


def test_table_list_page_must_be_a_grid_of_one_list():
    survey = rich_survey()
    survey[row_of(survey, "sat_night") - 2].update(type="select_one goes_out", dimension="",
                                                   indicator="")  # fmt: skip
    [error] = errors_of(rich_xlsx(survey=survey))
    assert error == (
        f"survey sheet, row {row_of(survey, 'sat_night')}, column type: the table-list page "
        f"from row {row_of(survey, 'opinions')} is a grid: every question uses list 'sat5', "
        "not 'goes_out'"
    )


def test_nested_repeat_is_refused():
    survey = rich_survey()
    at = row_of(survey, "member_sex") - 2
    survey[at:at] = [{"type": "begin repeat", "name": "pets"}, {"type": "end repeat"}]
    errors = errors_of(rich_xlsx(survey=survey))
    assert any(
        e.startswith(f"survey sheet, row {at + 2}, column type: groups and repeats cannot be "
                     "nested")
        for e in errors
    ), errors  # fmt: skip


def test_end_repeat_closing_a_group_is_refused():
    survey = rich_survey()
    end = next(i for i, r in enumerate(survey) if r["type"] == "end group")
    survey[end]["type"] = "end repeat"
    errors = errors_of(rich_xlsx(survey=survey))
    assert f"survey sheet, row {end + 2}, column type: end repeat closes group 'household_page' " \
        f"from row {row_of(survey, 'household_page')}" in errors  # fmt: skip


def test_repeat_without_end_is_caught_at_the_next_page():
    survey = [r for r in rich_survey() if r["type"] != "end repeat"]
    [error] = errors_of(rich_xlsx(survey=survey))
    assert error == (
        f"survey sheet, row {row_of(survey, 'opinions')}, column type: groups and repeats cannot "
        f"be nested: each is one page (repeat 'household' from row {row_of(survey, 'household')} "
        "is still open)"
    )


def test_group_without_end():
    survey = rich_survey()
    last_end = max(i for i, r in enumerate(survey) if r["type"] == "end group")
    del survey[last_end]
    errors = errors_of(rich_xlsx(survey=survey))
    assert errors[-1] == (
        f"survey sheet, row {row_of(survey, 'opinions')}, column type: group 'opinions' has no "
        "end group"
    )


# --- unsupported ODK/Kobo features: one error per row -----------------------------------------


@pytest.mark.parametrize(
    "type_",
    ["geopoint", "image", "audio", "range", "rank items", "time", "barcode", "hidden",
     "select_multiple_from_file towns.csv", "acknowledge", "geoshape"],
)  # fmt: skip
def test_unsupported_type_names_its_row(type_):
    survey = rich_survey()
    survey.insert(2, {"type": type_, "name": "odd", "label::中文 (zh)": "奇怪"})
    [error] = errors_of(rich_xlsx(survey=survey))
    assert error.startswith("survey sheet, row 4, column type: type ")
    assert "is not supported" in error


def test_select_one_from_another_file_is_refused():
    survey = rich_survey()
    survey.insert(2, {"type": "select_one_from_file towns.csv", "name": "town",
                      "label::中文 (zh)": "镇", "locality_level": "district"})  # fmt: skip
    errors = errors_of(rich_xlsx(survey=survey))
    assert "survey sheet, row 4, column type: 'select_one_from_file towns.csv': only " \
        "localities.csv is supported (the locality tree)" in errors  # fmt: skip


def test_or_other_is_refused_by_row():
    survey = rich_survey()
    survey[row_of(survey, "goes_out") - 2]["type"] = "select_one goes_out or_other"
    [error] = errors_of(rich_xlsx(survey=survey))
    assert error.startswith(f"survey sheet, row {row_of(survey, 'goes_out')}, column type:")
    assert "or_other is not supported" in error


def test_several_unsupported_rows_give_one_error_each():
    survey = rich_survey()
    survey[2:2] = [
        {"type": "geopoint", "name": "gps", "label::中文 (zh)": "位置"},
        {"type": "image", "name": "photo", "label::中文 (zh)": "照片"},
        {"type": "audio", "name": "voice", "label::中文 (zh)": "录音"},
    ]
    errors = errors_of(rich_xlsx(survey=survey))
    assert [e[: len("survey sheet, row 4, column type")] for e in errors] == [
        f"survey sheet, row {n}, column type" for n in (4, 5, 6)
    ]


@pytest.mark.parametrize(
    ("column", "value"),
    [("media::image::English (en)", "cat.png"), ("read_only", "yes"),
     ("parameters", "randomize=true"), ("guidance_hint", "Read slowly"), ("trigger", "${age}")],
)  # fmt: skip
def test_unsupported_columns_are_refused_not_dropped(column, value):
    header = KOBO_SURVEY_HEADER + [column]
    survey = [
        {"type": "begin group", "name": "p", "label::English (en)": "P"},
        {"type": "integer", "name": "age", "label::English (en)": "Age", column: value},
        {"type": "end group"},
    ]
    data = make_xlsx(survey=survey, choices=[], survey_header=header,
                     choices_header=["list_name", "name", "label"])  # fmt: skip
    [error] = errors_of(data)
    assert (
        error == f"survey sheet, row 3, column {column}: '{column.split('::')[0]}' is not supported"
    )


def test_read_only_no_is_accepted():
    survey = [
        {"type": "begin group", "name": "p", "label": "P"},
        {"type": "integer", "name": "age", "label": "Age", "read_only": "no"},
        {"type": "end group"},
    ]
    data = make_xlsx(survey=survey, choices=[],
                     survey_header=["type", "name", "label", "read_only"])  # fmt: skip
    assert parse_xlsform(data, "f.xlsx").definition["groups"][0]["questions"][0]["name"] == "age"


def test_media_on_choices_is_refused():
    data = make_xlsx(choices_header=["list_name", "name", "label", "score", "positive", "image"],
                     choices=[{"list_name": "sat5", "name": "5", "label": "满意", "score": 100,
                               "positive": 1, "image": "smile.png"},
                              {"list_name": "dimensions", "name": "public_order",
                               "label": "社会治安"}])  # fmt: skip
    assert errors_of(data) == [
        "choices sheet, row 2, column image: media on choices is not supported"
    ]


def test_kobo_form_with_an_unsupported_row_reports_it():
    assert parse_xlsform(kobo_xlsx(), "k.xlsx")  # the unchanged export imports
    survey_with_gps = [
        {"type": "geopoint", "name": "where", "label::English (en)": "Where?"},
    ]
    [error] = errors_of(kobo_xlsx(survey=survey_with_gps))
    assert error.startswith("survey sheet, row 2, column type: type 'geopoint' is not supported")


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
