"""Scripted interviews: a form is imported as an analyst imports it, a wave opened on it, and
the wizard driven by HTTP from the first page to the end with answers made up per type
(tests/fieldwork/answer_driver.py); then every answer the pages posted is read back through
questionnaires.answers at its path (rows within rows for rosters).

The hand-written nested_household form runs everywhere; the public corpus's forms
(tests/questionnaires/corpus/SOURCES.md) where the corpus is present (`public_forms`).
"""

from pathlib import Path

import pytest
from django.utils import timezone

from fieldwork.interview import metadata
from fieldwork.interview.forms import page_context
from fieldwork.interview.rosters import ROW_SEPARATOR
from fieldwork.models import Interview
from fieldwork.services import waves
from questionnaires import answers as A
from questionnaires.services import import_questionnaire_version
from tests.conftest import xlsform_corpus
from tests.factories import make_organisation, start_first_interview
from tests.fieldwork.answer_driver import drive, expected

FORMS = Path(__file__).resolve().parents[2] / "questionnaires" / "forms"

# Corpus forms pyxform accepts, chosen for what they hold: rosters (fixed and free counts,
# calculates and position() in rows), several languages (up to four), cascading and filtered
# choices, every basic type, and field-list, table-list and likert layouts.
CORPUS_FORMS = {
    "hhroster__SurveyCTO_Household_Roster_Basic_Repeat_Group_Template.xlsx": None,
    "ipa__repeat_allows_selection.xlsx": None,
    "ipa__ordinal_calculation.xlsx": None,
    "ipa__Likert_template.xlsx": None,
    "ipa__date_allows_dk.xlsx": None,
    "energy__Household_Energy_Access_and_Usage_Survey.xlsx": "Igbo",
    "energy__sample_cascading_select.xlsx": None,
    "ipa__random_module_order.xlsx": None,
    "osm__archived_buildings.xls": "fr",
    "osm__thamel.xls": "es",
    "osm__education.xls": "en",
    "osm__toilets.xls": "fr",
    "osm__waste_collection.xlsx": "sw",
    "legend__training_pessoas.xlsx": None,
    "legend__LEGEND_C1_registo_assoc.xlsx": None,
}


def _interview(path: Path, draw, interviewer) -> Interview:
    version = import_questionnaire_version(data=path.read_bytes(), source_name=path.name,
                                           code=path.stem[:60].replace(".", "_"))  # fmt: skip
    wave = waves.create_wave(
        name=path.stem[:50],
        client=make_organisation("平安市"),
        questionnaire_version=version,
        draw=draw,
    )
    return start_first_interview(wave=wave, interviewer=interviewer, mode="door")


def _stored_at(definition: dict, step: str, name: str, answers: dict):
    """The stored answer behind a field of page `step`, found by path through the rows."""
    page = page_context(definition, step)["group"]
    if not page.get("repeat"):
        question = next(q for q in page["questions"] if q["name"] == name)
        return A.get(answers, question)
    trail, _, numbers = name.rpartition(ROW_SEPARATOR)
    names, index = trail.split("."), [int(n) for n in numbers.split("_")]
    rows, items = A.rows(answers, page), page["questions"]
    for depth, item_name in enumerate(names):
        item = next(q for q in items if q["name"] == item_name)
        if depth < len(names) - 1:  # a nested roster: its rows in this row
            rows, items = A.rows(rows[index[depth]], item), item["questions"]
        else:
            row = rows[index[depth]] if index[depth] < len(rows) else {}
            return A.get(row, item)
    raise AssertionError(name)


def _check_stored(interview: Interview, run) -> int:
    """Every answer the accepted pages posted is stored at its path as its type stores it."""
    interview.refresh_from_db()
    definition = interview.questionnaire_version.definition
    compared = 0
    for step, posted in run.pages.items():
        for name, (form_field, value) in posted.items():
            stored = _stored_at(definition, step, name, interview.answers)
            want = expected(form_field, value)
            if isinstance(want, str) and "T" in want and isinstance(stored, str):
                stored = stored[:16]  # a datetime: stored with seconds and offset
            assert stored == want, (step, name, stored, want)
            compared += 1
    known = {*A.names_by_key(definition), *metadata.recorded_keys(definition)}
    assert set(interview.answers) <= known, set(interview.answers) - known
    return compared


def _run(path: Path, language, draw, interviewer, browser, **hints) -> tuple:
    interview = _interview(path, draw, interviewer)
    run = drive(browser, interview, today=timezone.localdate(), language=language, **hints)
    assert run.finished
    compared = _check_stored(interview, run)
    return interview, run, compared


def test_the_nested_household_form_is_answered_to_the_end(draw, interviewer, browser):
    # hints that lead into the nested rosters: a parent, a young child, two of each
    hints = {"answers": {"n_members": "2", "age": "40", "has_children": "yes", "child_age": "4"},
             "rows": {"children": 2, "vaccines": 2}}  # fmt: skip
    interview, run, compared = _run(FORMS / "nested_household.xlsx", "en", draw, interviewer,
                                    browser, **hints)  # fmt: skip
    assert interview.status == Interview.Status.COMPLETED  # the rating is a scored item
    assert list(run.pages) == ["intro", "members", "rating"]
    members = A.rows(interview.answers, {"path": "/members"})
    assert len(members) == 2
    for member in members:
        children = A.rows(member, {"path": "/members/children"})
        assert len(children) == 2
        assert all(len(A.rows(c, {"path": "/members/children/vaccines"})) == 2 for c in children)
    # two members (the head's occupation in the first row only), two children each (no
    # in_school under 6), two vaccines each; consent, household size and the rating
    assert compared == (5 + 4) + 2 * 2 * (2 + 2) + 3


@pytest.mark.public_forms
@pytest.mark.parametrize("name", sorted(CORPUS_FORMS))
def test_a_corpus_form_is_answered_to_the_end(name, draw, interviewer, browser):
    interview, run, compared = _run(xlsform_corpus() / name, CORPUS_FORMS[name], draw,
                                    interviewer, browser)  # fmt: skip
    assert interview.status != Interview.Status.IN_PROGRESS
    assert run.pages and compared > 0
