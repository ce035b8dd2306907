"""qc.scale: scale items and batteries of any form, ours refined by dimension and scores."""

from qc.scale import definition_scale, non_substantive

AGREE = [
    {"value": str(v), "label": {"zh": t}} for v, t in enumerate("很差 差 一般 好 很好".split(), 1)
]
AGREE += [{"value": "98", "label": {"zh": "说不清"}}]
YES_NO = [{"value": "1", "label": {"zh": "是"}}, {"value": "2", "label": {"zh": "否"}}]


def question(name, list_name, **extra):
    return {"name": name, "path": f"/{name}", "type": "select_one", "list": list_name} | extra


def definition(groups, lists):
    return {"groups": groups, "choice_lists": lists, "languages": ["zh"]}


def test_a_list_shared_by_three_questions_is_a_battery_and_yes_no_is_not():
    groups = [
        {"name": "p1", "questions": [question("a", "agree"), question("b", "agree")]},
        {"name": "p2", "questions": [question("c", "agree"), question("x", "yn"),
                                     question("y", "yn"), question("z", "yn")]},
    ]  # fmt: skip
    scale = definition_scale(definition(groups, {"agree": AGREE, "yn": YES_NO}))
    assert scale.items == ["/a", "/b", "/c"]
    assert scale.excluded_codes["/a"] == frozenset({"98"})  # 说不清 by its label
    assert scale.scores == {} and scale.dimensions == {}
    # one battery per page and, as it spans two pages, one for the list
    assert scale.batteries == {"p1": ["/a", "/b"], "p2": ["/c"], "agree": ["/a", "/b", "/c"]}


def test_a_table_list_group_makes_its_select_one_questions_items_even_with_two_of_them():
    groups = [
        {"name": "grid", "appearance": "table-list",
         "questions": [question("a", "l1"), question("b", "l2")]},
        {"name": "other", "questions": [question("c", "l1")]},
    ]  # fmt: skip
    lists = {"l1": AGREE, "l2": AGREE}
    scale = definition_scale(definition(groups, lists))
    assert scale.items == ["/a", "/b"]  # c: its list is shared by two questions only
    likert = [{"name": "p", "questions": [question("q", "l1", appearance="likert")]}]
    assert definition_scale(definition(likert, lists)).items == ["/q"]


def test_our_scored_items_keep_their_scores_and_dimensions():
    scored = [
        {"value": "5", "label": {"zh": "满意"}, "score": 100.0},
        {"value": "1", "label": {"zh": "不满意"}, "score": 0.0},
        {"value": "9", "label": {"zh": "不知道"}},
    ]
    groups = [{"name": "p", "questions": [question("s", "sat", dimension="order")]}]
    scale = definition_scale(definition(groups, {"sat": scored}))
    assert scale.items == ["/s"] and scale.dimensions == {"/s": "order"}
    assert scale.scores == {"/s": {"5": 100.0, "1": 0.0}}
    assert scale.excluded_codes == {"/s": frozenset({"9"})}


def test_non_substantive_choices_by_code_or_label():
    assert non_substantive({"value": "-9", "label": {"en": "x"}})
    assert non_substantive({"value": "7", "label": {"en": "Don't know"}})
    assert non_substantive({"value": "7", "label": {"zh": "拒绝回答"}})
    assert not non_substantive({"value": "4", "label": {"zh": "满意"}})
