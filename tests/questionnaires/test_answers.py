"""questionnaires.answers: answers stored by path, read by name in expressions, moved from names."""

from questionnaires import answers
from questionnaires.upgrade import upgrade_definition
from questionnaires.xlsform import parse_xlsform
from tests.questionnaires.workbooks import make_xlsx

SURVEY = [
    {"type": "begin group", "name": "g1", "label": "G1"},
    {"type": "text", "name": "q1", "label": "first q1"},
    {"type": "end group"},
    {"type": "begin group", "name": "g2", "label": "G2"},
    {"type": "integer", "name": "q1", "label": "second q1"},
    {"type": "end group"},
    {"type": "begin repeat", "name": "hh", "label": "HH"},
    {"type": "text", "name": "member", "label": "M"},
    {"type": "begin repeat", "name": "kids", "label": "K"},
    {"type": "integer", "name": "kid_age", "label": "A"},
    {"type": "end repeat"},
    {"type": "end repeat"},
]


def definition() -> dict:
    data = make_xlsx(survey=SURVEY, choices=[], survey_header=["type", "name", "label"])
    return parse_xlsform(data, "f.xlsx").definition


def by_path(definition: dict) -> dict:
    return {q["path"]: q for _page, q in answers.questions(definition)}


def test_two_questions_of_one_name_are_two_answers():
    form = definition()
    first, second = by_path(form)["/g1/q1"], by_path(form)["/g2/q1"]
    stored: dict = {}
    answers.put(stored, first, "hello")
    answers.put(stored, second, 7)
    assert stored == {"/g1/q1": "hello", "/g2/q1": 7}
    assert (answers.get(stored, first), answers.get(stored, second)) == ("hello", 7)
    answers.drop(stored, first)
    assert not answers.has(stored, first) and answers.has(stored, second)


def test_nested_rosters_are_rows_of_rows_by_path_and_read_by_name_in_expressions():
    form = definition()
    stored = {
        "/g1/q1": "x",
        "/hh": [
            {"/hh/member": "Li", "/hh/kids": [{"/hh/kids/kid_age": 3}, {"/hh/kids/kid_age": 5}]},
            {"/hh/member": "Wang"},
        ],
    }
    [roster] = [page for page in form["groups"] if page["path"] == "/hh"]
    assert [row["/hh/member"] for row in answers.rows(stored, roster)] == ["Li", "Wang"]
    named = answers.scope(stored, form)
    assert named["q1"] == "x"  # the first question of the name
    assert named["hh"] == [
        {"member": "Li", "kids": [{"kid_age": 3}, {"kid_age": 5}]},
        {"member": "Wang"},
    ]
    inside = answers.row_scope(named, roster["questions"], stored["/hh"][0])
    assert inside["member"] == "Li" and inside["q1"] == "x"


def test_answers_by_name_move_to_paths_and_back():
    form = definition()
    old = {"q1": "x", "hh": [{"member": "Li", "kids": [{"kid_age": 3}]}], "gone": "kept"}
    moved = answers.from_names(old, form)
    assert moved == {
        "/g1/q1": "x",
        "/hh": [{"/hh/member": "Li", "/hh/kids": [{"/hh/kids/kid_age": 3}]}],
        "gone": "kept",  # a question since removed keeps its answer under its old key
    }
    assert answers.from_names(moved, form) == moved  # moving twice changes nothing
    assert answers.scope(moved, form) == {
        "q1": "x",
        "hh": [{"member": "Li", "kids": [{"kid_age": 3}]}],
        "gone": "kept",  # no question of that name: read as stored
    }


def test_a_page_form_answers_by_name_are_stored_by_path():
    form = definition()
    [g2] = [page for page in form["groups"] if page["path"] == "/g2"]
    assert answers.from_page(g2, ["q1"], {"q1": 7}) == (["/g2/q1"], {"/g2/q1": 7})
    [roster] = [page for page in form["groups"] if page["path"] == "/hh"]
    assert answers.from_page(roster, ["hh"], {"hh": [{"member": "Li", "bogus": 1}]}) == (
        ["/hh"],
        {"/hh": [{"/hh/member": "Li"}]},
    )


def test_a_definition_from_before_paths_is_read_again_from_its_spreadsheet():
    data = make_xlsx(survey=SURVEY, choices=[], survey_header=["type", "name", "label"])
    fresh = parse_xlsform(data, "f.xlsx").definition
    old = {key: value for key, value in fresh.items() if key not in ("schema", "tree")}
    assert upgrade_definition(old, data, "f.xlsx") == fresh
    assert upgrade_definition(fresh, b"", "") is fresh  # already by path: untouched


def test_a_definition_whose_spreadsheet_no_longer_imports_gets_paths_as_it_stands():
    old = {
        "languages": ["zh"],
        "choice_lists": {},
        "groups": [
            {"name": "p", "label": {"zh": "页"}, "relevant": None, "repeat": None,
             "questions": [{"name": "age", "type": "integer", "label": {"zh": "年龄"}}]},
        ],
    }  # fmt: skip
    upgraded = upgrade_definition(old, b"not a workbook", "old.xlsx")
    [page] = upgraded["groups"]
    assert page["path"] == "/p" and page["questions"][0]["path"] == "/p/age"
    assert upgraded["tree"][0]["children"] == [{"question": "/p/age"}]
    assert answers.from_names({"age": 30}, upgraded) == {"/p/age": 30}


def test_a_definition_whose_labels_now_read_in_another_language_keeps_its_own():
    # given an untagged Chinese form, stored before paths with its labels under "zh" (the
    # importer then took untagged columns as Chinese); read again, they are "default"
    data = make_xlsx(survey=SURVEY, choices=[], survey_header=["type", "name", "label"])
    fresh = parse_xlsform(data, "f.xlsx").definition
    assert fresh["languages"] == ["default"]

    def as_zh(value):
        if isinstance(value, dict):
            return {("zh" if k == "default" else k): as_zh(v) for k, v in value.items()}
        if isinstance(value, list):
            return [as_zh(v) for v in value]
        return value

    old = {key: as_zh(value) for key, value in fresh.items() if key not in ("schema", "tree")}
    old["languages"] = ["zh"]
    # when
    upgraded = upgrade_definition(old, data, "f.xlsx")
    # then the stored labels keep their language, and the questions get their paths
    assert upgraded["languages"] == ["zh"]
    labels = [q["label"] for page in upgraded["groups"] for q in page["questions"]]
    assert labels and all(list(label) == ["zh"] for label in labels if label)
    assert all(q["path"] for page in upgraded["groups"] for q in page["questions"])


def test_reader_gives_what_scope_gives_for_the_names_asked():
    # given answers with a name used twice (one or both answered), a repeat, and an answer
    # stored under a bare name no question has
    form = definition()
    cases = [
        {"/g1/q1": "hello", "/g2/q1": 7},
        {"/g2/q1": 7},
        {},
        {"legacy": "x", "/g1/q1": ""},
        {"/hh": [{"/hh/member": "Li"}], "q1": "bare"},
    ]
    names = ["q1", "legacy", "member", "absent"]
    read = answers.reader(form, names)
    for stored in cases:
        # when / then: each name as the full scope reads it (None where it has none)
        expected = answers.scope(stored, form)
        assert read(stored) == {name: expected.get(name) for name in names}
