"""pyxform's refusals in our words, at their cell, in the reader's language: the messages the
public corpus's refused forms give, recognised one by one."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from common.translatable import translated
from questionnaires.xlsform import XLSFormError, parse_xlsform
from questionnaires.xlsform.pyxform_messages import UNKNOWN, pyxform_problems
from tests.conftest import xlsform_corpus

# Lines as pyxform 4 writes them (taken from the corpus's refused forms)
DUPLICATE = ("[row : 62] On the 'survey' sheet, the 'name' value 'HandWash1' is invalid. "
             "Questions, groups, and repeats must be unique within their nearest parent group "
             "or repeat, or the survey if not inside a group or repeat.")  # fmt: skip
MISSING_REF = ("[row : 18] On the 'survey' sheet, the 'calculation' value is invalid. Reference "
               "variables must contain a name from the 'survey' sheet. Could not find the name "
               "'head_index'.")  # fmt: skip


def test_a_located_pyxform_line_names_sheet_row_column_and_the_problem_in_chinese():
    [problem] = pyxform_problems("f.xlsx", MISSING_REF)
    assert problem == (
        "survey sheet, row 18, column calculation: refers to ${head_index}, but no question on "
        "the survey sheet has that name"
    )
    with translation.override("zh-hans"):
        assert translated(problem, gettext) == (
            "survey 工作表第 18 行 calculation 列："
            "引用了 ${head_index}，但 survey 工作表中没有这个名称的题目"
        )


def test_several_lines_are_several_problems_and_a_list_name_points_at_the_type():
    text = f"{DUPLICATE}\n[row : 16] List name not in choices sheet: relation"
    first, second = pyxform_problems("f.xlsx", text)
    assert first.params["column"] == "name" and "'HandWash1' is used twice" in first
    assert second == (
        "survey sheet, row 16, column type: the choice list 'relation' is not on the choices sheet"
    )


def test_a_message_without_a_row_names_the_file_and_an_unknown_one_keeps_pyxforms_words():
    [known] = pyxform_problems("phq9.xlsx", "Unknown question type 'caseid'.")
    assert known == "phq9.xlsx: unknown question type 'caseid'"
    [unknown] = pyxform_problems("f.xlsx", "Something new went wrong.")
    assert unknown.params["problem"].template == UNKNOWN
    assert unknown.endswith("Something new went wrong.")


@pytest.mark.corpus
@pytest.mark.public_forms
def test_every_refused_corpus_form_is_refused_in_our_words():
    refused = 0
    for path in sorted(xlsform_corpus().glob("*.xls*")):
        try:
            parse_xlsform(path.read_bytes(), path.name)
        except XLSFormError as error:
            refused += 1
            for problem in error.errors:
                inner = problem.params.get("problem")
                assert getattr(inner, "template", "") != UNKNOWN, (path.name, problem)
                with translation.override("zh-hans"):
                    assert translated(problem, gettext) != str(problem), (path.name, problem)
    # 39 that pyxform refuses, and 3 it accepts whose map lines, areas, barcodes, videos or
    # files the interview cannot capture (questionnaires.xlsform.refused)
    assert refused == 42
