import pytest

from questionnaires.presenters import localized, version_detail
from questionnaires.services import load_standard_questionnaire

LABEL = {"zh": "社会治安", "en": "Public order"}


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
