import pytest
from django.urls import include, path
from django.utils import translation

from questionnaires.models import Questionnaire, QuestionnaireVersion
from questionnaires.presenters import (
    REF_LABEL_CHARS,
    ExpressionNames,
    effective_choices,
    expression_text,
    import_errors,
    localized,
    question_type_label,
    questionnaire_list,
    version_changes,
    version_detail,
    version_links,
)
from questionnaires.services import load_standard_questionnaire

LABEL = {"zh": "社会治安", "en": "Public order"}


def make_version(definition: dict, *, user=None, code: str = "rich") -> QuestionnaireVersion:
    """A version stored straight from a literal definition (the parser is tested elsewhere)."""
    questionnaire, _ = Questionnaire.objects.get_or_create(code=code, defaults={"title": code})
    number = questionnaire.versions.count() + 1
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=number,
        title=code,
        definition=definition,
        source_name=f"{code}.xlsx",
        source_xlsx=b"",
        xform_xml="",
        published_by=user,
    )


@pytest.mark.parametrize(
    ("label", "language", "expected"),
    [
        (LABEL, "zh-hans", "社会治安"),
        (LABEL, "zh", "社会治安"),
        (LABEL, "zh_Hans", "社会治安"),
        (LABEL, "en", "Public order"),
        (LABEL, "en-gb", "Public order"),
        (LABEL, "fr", "Public order"),  # falls back to English
        ({"zh": "只有中文"}, "en", "只有中文"),  # then to what there is
        ({"zh-Hans": "简体"}, "zh-hans", "简体"),
        ({"zh": "", "en": "Empty zh"}, "zh-hans", "Empty zh"),
        ("plain", "en", "plain"),
        ({}, "en", ""),
        (None, "zh-hans", ""),
    ],
)
def test_localized_picks_the_ui_language(label, language, expected):
    assert localized(label, language) == expected


def test_version_detail_lists_pages_questions_and_score_maps(db):
    version = load_standard_questionnaire()
    detail = version_detail(version, "en")
    satisfaction = detail["groups"][4]
    assert satisfaction["label"] == "Satisfaction"
    first = satisfaction["questions"][0]
    assert first["name"] == "sat_public_order"
    assert first["dimension_label"] == "Public order"
    assert detail["question_count"] == sum(len(g["questions"]) for g in detail["groups"])
    sat5 = next(lst for lst in detail["choice_lists"] if lst["name"] == "sat5")
    assert sat5["scored"] and len(sat5["used_by"]) >= 12
    assert [c["score"] for c in sat5["choices"]] == [100.0, 80.0, 60.0, 40.0, 0.0, None]
    yes_no = next(lst for lst in detail["choice_lists"] if lst["name"] == "yes_no")
    assert not yes_no["scored"]
    assert version_detail(version, "zh-hans")["groups"][4]["label"] == "满意度"


def test_version_detail_names_question_types_levels_and_languages_in_words(db):
    version = load_standard_questionnaire()
    with translation.override("zh-hans"):
        detail = version_detail(version, "zh-hans")
    questions = [q for group in detail["groups"] for q in group["questions"]]
    by_type = {q["type"]: q["type_label"] for q in questions}
    assert by_type["select_one"] == "单选题" and by_type["integer"] == "整数题"
    assert all(label != kind for kind, label in by_type.items())  # every type has a name
    locality = next(q for q in questions if q["type"] == "locality")
    assert locality["locality_level_label"] in {"区县", "街道/乡镇", "社区/村"}
    assert detail["language_names"] == [("zh", "中文 (zh)"), ("en", "English (en)")]
    assert question_type_label("a-type-from-a-later-release") == "a-type-from-a-later-release"


# ---------------------------------------------------------------------------------------------
# A literal definition using the whole contract (repeat, calculate, filters, QC checks)


def rich_definition() -> dict:
    def q(name: str, type_: str = "integer", **keys) -> dict:
        return {"name": name, "type": type_, "list": None, "label": {"zh": name + "？"},
                "hint": None, "required": False, "relevant": None, "constraint": None,
                "constraint_message": None, "appearance": None, "dimension": None,
                "indicator": None, "locality_level": None, **keys}  # fmt: skip

    return {
        "form_id": "rich",
        "title": {"zh": "丰富问卷"},
        "languages": ["zh", "en"],
        "dimensions": {"public_order": {"zh": "社会治安", "en": "Public order"}},
        "choice_lists": {
            "yes_no": [
                {"value": "yes", "label": {"zh": "是", "en": "Yes"}, "score": None,
                 "positive": None, "extra": {}},
                {"value": "no", "label": {"zh": "否", "en": "No"}, "score": None,
                 "positive": None, "extra": {}},
            ],
            "sat": [
                {"value": "5", "label": {"zh": "满意"}, "score": 100.0, "positive": True,
                 "extra": {}},
                {"value": "3", "label": {"zh": "一般"}, "score": 60.0, "positive": True,
                 "extra": {}},
                {"value": "1", "label": {"zh": "不满意"}, "score": 0.0, "positive": False,
                 "extra": {}},
                {"value": "9", "label": {"zh": "不知道"}, "score": None, "positive": None,
                 "extra": {}},
            ],
            "streets": [
                {"value": "s1", "label": {"zh": "东湖街道"}, "score": None, "positive": None,
                 "extra": {"district": "d1"}},
            ],
        },
        "groups": [
            {"name": "screen", "label": {"zh": "筛选", "en": "Screening"}, "relevant": None,
             "questions": [
                 q("resident", "select_one", list="yes_no",
                   label={"zh": "是否本地常住", "en": "Resident?"},
                   hint={"zh": "半年以上", "en": "Six months or more"},
                   required=True, required_message={"zh": "必答", "en": "Required"},
                   backcheck=True),
                 q("household_size", constraint=". >= 1 and . <= 20",
                   constraint_message={"zh": "1到20", "en": "1 to 20"}, default="3"),
                 q("adults", "calculate", calculation="${household_size} - 1"),
             ]},
            {"name": "household", "label": {"zh": "家庭成员"},
             "relevant": "${resident} = 'yes'", "appearance": "table-list",
             "repeat": {"count": "${household_size}", "max": 20},
             "questions": [q("member_age")]},
            {"name": "rating", "label": {"zh": "评价"}, "relevant": None,
             "questions": [
                 q("sat_police", "select_one", list="sat", dimension="public_order",
                   indicator="police", score_map={"5": 100.0, "3": 50.0, "1": 0.0, "9": None},
                   positive_values=["5"],
                   qc_check="${sat_police} != '1' or ${resident} = 'yes'",
                   qc_check_message={"zh": "不一致", "en": "Inconsistent"}),
                 q("street", "select_one", list="streets", choice_filter="district = ${ghost}"),
             ]},
        ],
    }  # fmt: skip


def test_expression_parts_name_questions_and_choices():
    names = ExpressionNames(rich_definition(), "zh-hans")
    parts = names.parts("${resident} = 'yes' and ${household_size} >= 2")
    assert parts == [
        {"ref": "resident", "label": "是否本地常住", "known": True},
        {"text": " = "},
        {"text": "'yes'", "choice": "是"},
        {"text": " and "},
        {"ref": "household_size", "label": "household_size？", "known": True},
        {"text": " >= 2"},
    ]
    assert (
        expression_text(parts)
        == "是否本地常住 (resident) = 是 and household_size？ (household_size) >= 2"
    )


def test_expression_parts_leave_unrelated_literals_and_flag_unknown_names():
    names = ExpressionNames(rich_definition(), "en")
    assert expression_text(names.parts("selected(${resident}, 'no')")) == (
        "selected(Resident? (resident), No)"
    )
    # a literal compared with a non-select question, or not compared at all, stays as it is
    assert names.parts("${household_size} = '3'")[-1] == {"text": "'3'"}
    assert names.parts("concat('yes', ${resident})")[1] == {"text": "'yes'"}
    assert names.parts("${ghost} = 'yes'") == [
        {"ref": "ghost", "label": "", "known": False},
        {"text": " = "},
        {"text": "'yes'"},
    ]
    assert names.parts(None) == [] and names.parts("") == []


def test_expression_parts_shorten_long_labels():
    definition = rich_definition()
    definition["groups"][0]["questions"][0]["label"] = {"zh": "很" * 50}
    (ref, *_) = ExpressionNames(definition, "zh").parts("${resident}")
    assert len(ref["label"]) == REF_LABEL_CHARS and ref["label"].endswith("…")


def test_effective_choices_apply_the_question_overrides():
    definition = rich_definition()
    sat = definition["choice_lists"]["sat"]
    question = definition["groups"][2]["questions"][0]
    result = effective_choices(question, sat)
    assert [(c["value"], c["score"], c["positive"], c["overridden"]) for c in result] == [
        ("5", 100.0, True, False),  # same as the list
        ("3", 50.0, False, True),  # 60 → 50, no longer counted satisfied
        ("1", 0.0, False, False),
        ("9", None, None, False),  # don't know stays excluded
    ]
    # without overrides the list's values stand; a value missing from score_map keeps its score
    plain = effective_choices({"score_map": {"5": 90.0}}, sat)
    assert [(c["score"], c["positive"]) for c in plain] == [
        (90.0, True), (60.0, True), (0.0, False), (None, None),
    ]  # fmt: skip


def test_version_detail_shows_every_part_of_the_contract(analyst):
    version = make_version(rich_definition(), user=analyst)
    detail = version_detail(version, "en")
    screen, household, rating = detail["groups"]
    resident = screen["questions"][0]
    assert resident["labels"] == [
        {"language": "zh", "text": "是否本地常住"},
        {"language": "en", "text": "Resident?"},
    ]
    assert resident["hints"][1] == {"language": "en", "text": "Six months or more"}
    assert resident["required"] and resident["required_message"] == "Required"
    assert resident["backcheck"] is True
    size = screen["questions"][1]
    assert expression_text(size["constraint"]) == ". >= 1 and . <= 20"
    assert size["constraint_message"] == "1 to 20" and size["default"] == "3"
    assert expression_text(screen["questions"][2]["calculation"]) == (
        "household_size？ (household_size) - 1"
    )
    assert expression_text(household["relevant"]) == "Resident? (resident) = Yes"
    assert household["appearance"] == "table-list"
    assert household["repeat"]["max"] == 20
    assert expression_text(household["repeat"]["count"]) == "household_size？ (household_size)"
    assert screen["repeat"] is None and screen["relevant"] == []
    sat = rating["questions"][0]
    assert sat["dimension_label"] == "Public order" and sat["indicator"] == "police"
    assert sat["score_override"] and sat["positive_override"] and sat["scored"]
    assert [c["score"] for c in sat["choices"]] == [100.0, 50.0, 0.0, None]
    assert sat["choices"][0]["label"] == "满意"  # only Chinese in the list
    assert expression_text(sat["qc_check"]) == (
        "sat_police？ (sat_police) != 不满意 or Resident? (resident) = Yes"
    )
    assert sat["qc_check_message"] == "Inconsistent"
    street = rating["questions"][1]
    assert street["choice_filter"][-1] == {"ref": "ghost", "label": "", "known": False}
    streets = next(lst for lst in detail["choice_lists"] if lst["name"] == "streets")
    assert streets["extra_columns"] == ["district"]
    assert streets["choices"][0]["extra"] == ["d1"]


def test_version_detail_of_an_old_definition_without_new_keys(analyst):
    definition = rich_definition()
    for group in definition["groups"]:
        group.pop("repeat", None)
        group.pop("appearance", None)
        for item in group["questions"]:
            for key in ("qc_check", "qc_check_message", "score_map", "positive_values",
                        "backcheck", "default", "calculation", "choice_filter",
                        "required_message"):  # fmt: skip
                item.pop(key, None)
    detail = version_detail(make_version(definition, user=analyst), "zh-hans")
    sat = detail["groups"][2]["questions"][0]
    assert sat["qc_check"] == [] and not sat["backcheck"] and not sat["score_override"]
    assert [c["score"] for c in sat["choices"]] == [100.0, 60.0, 0.0, None]


class UrlsWithTrial:
    urlpatterns = [
        path("q/", include("questionnaires.urls")),
        path("f/", include(([path("trial/<int:pk>/", lambda r, pk: None, name="trial_start")],
                            "fieldwork"))),
    ]  # fmt: skip


class UrlsWithoutTrial:
    urlpatterns = [path("q/", include("questionnaires.urls"))]


def test_try_it_link_only_when_the_trial_url_exists(settings):
    settings.ROOT_URLCONF = UrlsWithTrial
    assert version_links(7)["trial"] == "/f/trial/7/"
    settings.ROOT_URLCONF = UrlsWithoutTrial
    assert version_links(7)["trial"] is None


def test_version_changes_compare_with_the_version_before(analyst, english):
    first = make_version(rich_definition(), user=analyst)
    changed = rich_definition()
    changed["groups"][0]["questions"][0]["label"]["zh"] = "是否在本地常住"
    changed["groups"][2]["questions"].pop()  # street removed
    second = make_version(changed, user=analyst)
    assert version_changes(first, "zh")["diff"] is None
    changes = version_changes(second, "zh")
    assert changes["previous"]["number"] == 1 and changes["version"]["number"] == 2
    diff = changes["diff"]
    assert diff["questions_removed"] == [{"name": "street", "label": "street？"}]
    (reworded,) = diff["questions_changed"]
    assert reworded["name"] == "resident" and reworded["label"] == "是否在本地常住"
    assert reworded["kind_names"] == ["wording"]
    listed = questionnaire_list()[0]["versions"]
    assert [v["number"] for v in listed] == [2, 1]
    assert listed[0]["changes"]["removed"] == 1 and listed[0]["changes"]["label"] == 1
    assert listed[1]["changes"] is None


def test_import_errors_become_table_rows():
    rows = import_errors([
        "survey sheet, row 3, column dimension: unknown dimension 'nope'",
        "survey sheet, row 7, column label::中文 (zh): empty label: fill it",
        "survey sheet, row 9, column type: group 'x' has no end group",
        "settings sheet: default_language 'fr' has no label column",
        "form.xlsx: cannot be read as an Excel workbook (bad zip)",
    ])  # fmt: skip
    assert rows == [
        {"sheet": "survey", "row": 3, "column": "dimension",
         "problem": "unknown dimension 'nope'"},
        {"sheet": "survey", "row": 7, "column": "label::中文 (zh)",
         "problem": "empty label: fill it"},
        {"sheet": "survey", "row": 9, "column": "type",
         "problem": "group 'x' has no end group"},
        {"sheet": "settings", "row": None, "column": "",
         "problem": "default_language 'fr' has no label column"},
        {"sheet": "", "row": None, "column": "",
         "problem": "form.xlsx: cannot be read as an Excel workbook (bad zip)"},
    ]  # fmt: skip


def test_import_errors_show_located_messages_in_the_readers_language():
    from django.utils import translation

    from common.translatable import Translatable

    problem = Translatable("circular logic: %(steps)s", steps=["x"])
    message = Translatable(
        "%(sheet)s sheet, row %(row)d, column %(column)s: %(problem)s",
        sheet="survey", row=5, column="bind::relevant", problem=problem,
    )  # fmt: skip
    with translation.override("zh-hans"):
        rows = import_errors([message])
    assert rows == [
        {"sheet": "survey", "row": 5, "column": "bind::relevant", "problem": "逻辑循环：x"}
    ]
