"""questionnaires.diff on small literal definitions (no database)."""

import copy

from questionnaires.diff import diff_definitions


def question(name: str, **keys) -> dict:
    return {
        "name": name,
        "type": "select_one",
        "list": "yn",
        "label": {"zh": f"{name}？"},
        "relevant": None,
        "required": False,
        **keys,
    }


def definition() -> dict:
    return {
        "choice_lists": {
            "yn": [
                {"value": "yes", "label": {"zh": "是"}, "score": None, "positive": None},
                {"value": "no", "label": {"zh": "否"}, "score": None, "positive": None},
            ],
            "sat": [
                {"value": "5", "label": {"zh": "满意"}, "score": 100.0, "positive": True},
                {"value": "1", "label": {"zh": "不满意"}, "score": 0.0, "positive": False},
            ],
        },
        "groups": [
            {"name": "p1", "label": {"zh": "第一页"}, "relevant": None,
             "questions": [question("a"), question("b")]},
            {"name": "p2", "label": {"zh": "第二页"}, "relevant": "${a} = 'yes'",
             "questions": [question("c", list="sat", dimension="order")]},
        ],
    }  # fmt: skip


def test_identical_definitions_are_unchanged():
    result = diff_definitions(definition(), definition())
    assert result["unchanged"]
    assert result["counts"] == {
        "added": 0, "removed": 0, "label": 0, "logic": 0, "type": 0, "scoring": 0, "other": 0,
    }  # fmt: skip


def test_added_removed_and_changed_questions_are_classified():
    old, new = definition(), definition()
    new["groups"][0]["questions"] = [
        question("a", label={"zh": "改过的a？"}),  # wording
        question("d"),  # added; b removed
    ]
    new["groups"][1]["questions"] = [
        question("c", list="sat", dimension="public_order", relevant="${a} = 'no'")
    ]
    result = diff_definitions(old, new)
    assert result["questions_added"] == ["d"]
    assert result["questions_removed"] == ["b"]
    changed = {item["name"]: item for item in result["questions_changed"]}
    assert changed["a"]["kinds"] == ["label"] and changed["a"]["fields"] == ["label"]
    assert changed["c"]["kinds"] == ["logic", "scoring"]
    assert changed["c"]["fields"] == ["dimension", "relevant"]
    assert result["counts"] == {
        "added": 1, "removed": 1, "label": 1, "logic": 1, "type": 0, "scoring": 1, "other": 0,
    }  # fmt: skip
    assert not result["unchanged"]


def test_a_key_new_to_the_definition_counts_only_when_set():
    old, new = definition(), definition()
    for group in new["groups"]:
        for item in group["questions"]:
            item.update(qc_check=None, backcheck=False, score_map=None, default="")
    new["groups"][1]["questions"][0]["score_map"] = {"5": 90.0, "1": 0.0}
    result = diff_definitions(old, new)
    assert [item["name"] for item in result["questions_changed"]] == ["c"]
    assert result["questions_changed"][0]["fields"] == ["score_map"]
    assert result["questions_changed"][0]["kinds"] == ["scoring"]


def test_a_question_moved_to_another_page_is_reported_as_moved():
    old, new = definition(), definition()
    moved = new["groups"][0]["questions"].pop(1)
    new["groups"][1]["questions"].append(moved)
    result = diff_definitions(old, new)
    (change,) = result["questions_changed"]
    assert change["name"] == "b" and change["fields"] == []
    assert change["moved"] == {"from": "p1", "to": "p2"}
    assert change["kinds"] == ["other"]


def test_page_and_choice_list_changes_are_listed():
    old, new = definition(), definition()
    new["groups"][1]["relevant"] = "${a} = 'yes' and ${b} = 'yes'"
    new["groups"][1]["repeat"] = {"count": "${n}", "max": 20}
    new["groups"].append({"name": "p3", "label": {"zh": "三"}, "relevant": None, "questions": []})
    sat = new["choice_lists"]["sat"]
    sat[0]["score"] = 90.0
    sat.append({"value": "9", "label": {"zh": "不知道"}, "score": None, "positive": None})
    new["choice_lists"]["new_list"] = []
    del new["choice_lists"]["yn"]
    result = diff_definitions(copy.deepcopy(old), new)
    assert result["pages_added"] == ["p3"]
    assert result["pages_changed"] == [
        {"name": "p2", "kinds": ["logic"], "fields": ["relevant", "repeat"]}
    ]
    assert result["lists_added"] == ["new_list"] and result["lists_removed"] == ["yn"]
    assert result["lists_changed"] == [
        {
            "name": "sat",
            "kinds": ["type", "scoring"],
            "values_added": ["9"],
            "values_removed": [],
            "values_changed": ["5"],
        }
    ]
    # No question itself changed
    assert result["questions_changed"] == [] and result["counts"]["added"] == 0


def test_reordered_choices_are_another_kind_of_change():
    old, new = definition(), definition()
    new["choice_lists"]["sat"].reverse()
    (change,) = diff_definitions(old, new)["lists_changed"]
    assert change["kinds"] == ["other"] and change["values_changed"] == []
