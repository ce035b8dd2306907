import pytest

from exports.codebook import (
    CATEGORICAL,
    INDICATOR,
    NAME_LIMIT,
    build_levels,
    choice_codes,
    short_name,
    unique_names,
)
from tests.exports.forms import DEFINITION, LISTS


def test_integer_choice_values_are_their_own_codes():
    # 9 = don't know stays 9, as analysts know it from the questionnaire
    codes = choice_codes(LISTS["sat"])
    assert [(c["code"], c["value"]) for c in codes] == [(5, "5"), (1, "1"), (9, "9")]
    assert codes[2]["label"] == {"zh": "不知道", "en": "Don't know"}


def test_text_choice_values_are_coded_one_to_k_in_list_order():
    codes = choice_codes(LISTS["crime"])
    assert [(c["code"], c["value"]) for c in codes] == [(1, "theft"), (2, "fraud"), (3, "other")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("q1", "q1"), ("1st", "v_1st"), ("户主 age", "age"), ("a-b.c", "a_b_c"), ("", "v")],
)
def test_names_are_stata_and_spss_names(text, expected):
    assert short_name(text, set()) == expected


def test_names_are_cut_to_32_characters_and_made_unique_ignoring_case():
    names = unique_names(["x" * 40, "x" * 40, "X" * 35, "weight"], reserved={"Weight"})
    assert all(len(name) <= NAME_LIMIT for name in names)
    assert len({name.lower() for name in names}) == 4
    assert names[0] == "x" * 32 and names[1] == "x" * 30 + "_2" and names[2] == "X" * 30 + "_3"
    assert names[3] == "weight_2"


def test_levels_are_the_interviews_and_every_repeat_with_keys_for_every_level():
    levels = build_levels(DEFINITION, reserved=["interview_id", "weight"])
    assert [(level.file, level.path, level.keys) for level in levels] == [
        ("interviews", None, ["interview_id"]),
        ("repeat_hh", "/hh", ["interview_id", "hh_row"]),
        ("repeat_jobs", "/hh/jobs", ["interview_id", "hh_row", "jobs_row"]),
    ]
    assert [v.name for v in levels[2].variables] == ["title"]


def test_answer_variables_by_type_and_what_is_withheld():
    interviews = build_levels(DEFINITION, reserved=["interview_id"])[0]
    by_name = {v.name: v for v in interviews.variables}
    # two questions named q1 in two groups: two columns, both pointing at their path
    assert by_name["q1"].path == "/a/q1" and by_name["q1_2"].path == "/b/q1"
    assert by_name["q1"].kind == CATEGORICAL and by_name["q1"].label["en"] == "Order?"
    # a select_multiple: the original and one 0/1 column per choice
    indicators = [v for v in interviews.variables if v.kind == INDICATOR]
    assert [(v.name, v.of, v.choice) for v in indicators] == [
        ("kind_theft", "kind", "theft"),
        ("kind_fraud", "kind", "fraud"),
        ("kind_other", "kind", "other"),
    ]
    assert indicators[0].label["zh"] == "哪类侵害: 盗窃"
    # the two long names, cut and told apart
    long = [v.name for v in interviews.variables if v.name.startswith("a_very")]
    assert len(long) == 2 and len(set(long)) == 2 and all(len(n) <= 32 for n in long)
    # the note is no column; the location is withheld, and the codebook says why
    assert "intro" not in by_name and "where" not in by_name
    assert interviews.withheld == [{"path": "/a/where", "type": "geopoint", "reason": "location"}]


def test_answers_never_shadow_the_interview_files_own_columns():
    definition = {
        "groups": [{"name": "g", "questions": [{"name": "weight", "type": "integer", "label": {}}]}]
    }
    [interviews] = build_levels(definition, reserved=["interview_id", "weight"])
    assert [v.name for v in interviews.variables] == ["weight_2"]
    assert interviews.variables[0].path == "weight"  # a hand-made definition keys by name
