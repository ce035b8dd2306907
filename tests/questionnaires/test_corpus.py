"""Public XLSForms from other projects: every form pyxform accepts imports, and nothing of
pyxform's survey JSON is dropped.

The corpus (tests/questionnaires/corpus/SOURCES.md lists every file, its repository, path,
commit and licence) is data collected from public repositories, kept beside the code rather
than in it: XLSFORM_CORPUS names its folder, else `shared/xlsform-corpus` beside the
checkout. What pyxform does is computed here independently, from pyxform itself: whether
`xls2xform.convert` accepts the form, and its survey JSON, which the definition is compared
with (question and group paths, types, choice lists, every language's labels and hints).
"""

import re
from pathlib import Path

import pytest
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

from questionnaires.xlsform import XLSFormError, parse_xlsform
from tests.conftest import xlsform_corpus as corpus_folder

pytestmark = [pytest.mark.corpus, pytest.mark.public_forms]

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "tests" / "questionnaires" / "corpus" / "SOURCES.md"


def listed() -> dict[str, dict]:
    rows = {}
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] != "file" and not cells[0].startswith("---"):
            rows[cells[0]] = {"repo": cells[1], "licence": cells[4], "accepted": cells[5]}
    return rows


FORMS = sorted(listed())
REFUSED = {"geotrace", "geoshape", "barcode", "video", "file"}


def _base_type(spelled: str) -> str:
    """A type as pyxform's dictionary knows it under its aliases (its bind or media type)."""
    entry = QUESTION_TYPE_DICT.get(spelled) or {}
    bind = (entry.get("bind") or {}).get("type")
    media = (entry.get("control") or {}).get("mediatype")
    if bind in ("geotrace", "geoshape", "barcode"):
        return bind
    return {"video/*": "video", "application/*": "file"}.get(media, spelled)


def test_the_corpus_has_forty_forms_pyxform_accepts_each_with_its_source():
    folder = corpus_folder()
    files = sorted(path.name for path in folder.glob("*.xls*"))
    assert files, f"no corpus at {folder}: set XLSFORM_CORPUS to the folder of SOURCES.md's files"
    assert files == FORMS  # every file listed, every listed file present
    rows = listed()
    assert all(row["repo"].count("/") == 1 and row["licence"] for row in rows.values())
    assert sum(row["accepted"] == "yes" for row in rows.values()) >= 40


def _pyxform(path: Path) -> dict | None:
    """pyxform's survey JSON, or None when pyxform refuses the form."""
    try:
        convert(xlsform=str(path), validate=False)
    except Exception:
        return None
    workbook = get_xlsform(path.read_bytes(), file_type=path.suffix.lower())
    return workbook_to_json(workbook_dict=workbook, fallback_form_name=path.stem, warnings=[])


def _code(name: str) -> str:
    found = re.search(r"\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\s*\)\s*$", name)
    return found.group(1) if found else name.strip()


def _texts(value, default: str) -> dict:
    if value in (None, ""):
        return {}
    if isinstance(value, dict):
        return {_code(name): str(text) for name, text in value.items() if text}
    return {_code(default): str(value)}


def _expected(form_json: dict):
    """(questions, groups) by path from pyxform's JSON, walked here on its own."""
    default = form_json.get("default_language") or "default"
    questions, groups = {}, {}

    def walk(children, parent):
        for element in children:
            path = f"{parent}/{element['name']}"
            if element.get("type") == "group" and (element.get("control") or {}).get("bodyless"):
                for child in element.get("children") or []:  # the audit log is recorded
                    if child.get("type") == "audit":
                        questions[f"{path}/{child['name']}"] = {
                            "xlsform_type": "audit", "label": {}, "hint": {}}  # fmt: skip
                continue
            if element.get("type") in ("group", "repeat"):
                groups[path] = (element["type"], _texts(element.get("label"), default))
                walk(element.get("children", []), path)
            elif not str(element["name"]).startswith(
                ("reserved_name_for_field_list_labels_", "generated_table_list_label_")
            ):
                questions[path] = {
                    "xlsform_type": element["type"],
                    "label": _texts(element.get("label"), default),
                    "hint": _texts(element.get("hint"), default),
                }

    walk(form_json.get("children", []), "")
    return questions, groups


def _ours(definition: dict):
    questions, groups = {}, {}

    def collect(items):
        for item in items:
            if item.get("type") == "repeat" and "questions" in item:
                collect(item["questions"])
            else:
                assert item["path"] not in questions, f"{item['path']} is on two pages"
                questions[item["path"]] = item

    for page in definition["groups"]:
        collect(page["questions"])
    for question in definition["metadata"]:
        questions[question["path"]] = question

    def walk(nodes):
        for node in nodes:
            if "children" in node:
                groups[node["path"]] = (node["kind"], node["label"])
                walk(node["children"])

    walk(definition["tree"])
    return questions, groups


@pytest.mark.parametrize("name", FORMS)
def test_every_form_pyxform_accepts_imports_with_nothing_dropped(name):
    path = corpus_folder() / name
    form_json = _pyxform(path)
    if form_json is None:
        with pytest.raises(XLSFormError) as refused:
            parse_xlsform(path.read_bytes(), name)
        assert refused.value.errors
        for error in refused.value.errors:  # each names a cell, or the file for the whole form
            assert re.match(r"^(\w+ sheet, row \d+|" + re.escape(name) + ")", str(error)), error
        return

    want_questions, want_groups = _expected(form_json)
    refused = sorted(p.rsplit("/", 1)[1] for p, q in want_questions.items()
                     if _base_type(q["xlsform_type"]) in REFUSED)  # fmt: skip
    if refused:  # geotrace, geoshape, barcode, video, file: every row named at once
        with pytest.raises(XLSFormError) as error:
            parse_xlsform(path.read_bytes(), name)
        named = [
            e for e in error.value.errors if re.match(r"survey sheet, row \d+, column type", e)
        ]
        assert sorted(re.search(r"column type: (\S+) asks", e).group(1) for e in named) == refused
        return

    definition = parse_xlsform(path.read_bytes(), name).definition
    got_questions, got_groups = _ours(definition)
    assert sorted(got_questions) == sorted(want_questions)
    assert got_groups == want_groups
    for question_path, want in want_questions.items():
        got = got_questions[question_path]
        assert got["xlsform_type"] == want["xlsform_type"], question_path
        assert got["label"] == want["label"], question_path
        assert (got["hint"] or {}) == want["hint"], question_path

    default = form_json.get("default_language") or "default"
    want_lists = {
        list_name: [(c["name"], _texts(c.get("label"), default)) for c in options]
        for list_name, options in (form_json.get("choices") or {}).items()
        if list_name != "dimensions"
    }
    external = set(definition["external_lists"]) - set(form_json.get("choices") or {})
    got_lists = {
        list_name: [(c["value"], c["label"]) for c in options]
        for list_name, options in definition["choice_lists"].items()
        if list_name not in external  # the external_choices sheet's, not in pyxform's JSON
    }
    assert got_lists == want_lists
    languages = set(definition["languages"])
    texts = [q["label"] for q in want_questions.values()] + [g[1] for g in want_groups.values()]
    assert all(set(text) <= languages for text in texts)


_CALL = re.compile(r"([A-Za-z_][\w:.-]*)\s*\(")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def _functions_in(form_json: dict) -> set[str]:
    """Every function a form's expressions call, read from pyxform's survey JSON."""
    found: set[str] = set()

    def walk(children):
        for child in children or []:
            expressions = [*(child.get("bind") or {}).values(), child.get("choice_filter"),
                           (child.get("control") or {}).get("jr:count")]  # fmt: skip
            if child.get("default") and "(" in str(child.get("default")):
                expressions.append(child["default"])
            for text in expressions:
                if isinstance(text, str):
                    found.update(_CALL.findall(_QUOTED.sub("''", text)))
            walk(child.get("children"))

    walk(form_json.get("children"))
    return found - {"and", "or", "div", "mod"}


@pytest.mark.parametrize("name", FORMS)
def test_every_function_a_form_uses_that_the_interview_does_not_run_is_reported(name):
    from questionnaires.xpath import SUPPORTED

    path = corpus_folder() / name
    form_json = _pyxform(path)
    if form_json is None:
        return
    try:
        said = parse_xlsform(path.read_bytes(), name).warnings
    except XLSFormError as refused:  # refused for its types: the functions are said too
        said = refused.errors
    reported: set[str] = set()
    for warning in said:
        for listed in re.findall(r"functions the interview does not run: ([^;]*)", warning):
            reported.update(item.strip().removesuffix("()") for item in listed.split(","))
    # pyxform writes ODK's own functions into binds (jr:choice-name, instance), which our
    # definition keeps as the sheet wrote them; the form's own calls are what is reported.
    wanted = {f for f in _functions_in(form_json) - SUPPORTED if not f.startswith("jr:")}
    assert reported == wanted
