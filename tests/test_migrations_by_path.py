"""The data migrations to answers by path, run on demo interviews stored the old way.

Demo interviews are simulated (demo.simulate, as `manage.py demo` makes them), then stored as
the code before paths stored them: the definition without paths and tree, answers and a
back-check by question name. Migrating back and forward again moves them to paths, and the
moved interviews read as before.
"""

import copy

import numpy as np
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from demo.simulate import Respondent, simulate_interview
from fieldwork.interview import flow
from fieldwork.models import Interview
from fieldwork.services import interviews, waves
from qc.models import BackCheck, BackCheckDraw
from questionnaires import answers
from questionnaires.models import QuestionnaireVersion
from tests.factories import make_draw, make_locality_tree, make_user, make_wave
from tests.factories import make_standard_version as standard_version_rows

BEFORE = [
    ("questionnaires", "0002_version_drafts"),
    ("fieldwork", "0006_phone_reveals_and_bridging"),
    ("qc", "0002_workflow_backchecks"),
]
AFTER = [("questionnaires", "0003_definitions_by_path"), ("fieldwork", "0007_answers_by_path"),
         ("qc", "0003_backchecks_by_path")]  # fmt: skip


def _old_definition(definition: dict) -> dict:
    """The definition as the importer before paths wrote it."""
    old = {k: v for k, v in definition.items() if k not in ("schema", "tree", "metadata",
                                                          "language_names", "consent",
                                                          "translation_gaps")}  # fmt: skip
    old["groups"] = [
        {**{k: v for k, v in page.items() if k not in ("path", "breadcrumbs")},
         "questions": [{k: v for k, v in q.items() if k not in ("path", "repeat", "kind",
                                                                "xlsform_type")}
                       for q in page["questions"]]}
        for page in definition["groups"]
    ]  # fmt: skip
    return old


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_demo_interviews_stored_by_name_move_to_paths_and_read_the_same(
    standard_form, latest_afterwards
):
    data, parsed = standard_form
    version = standard_version_rows(parsed=parsed, data=data)
    definition = version.definition
    interviewer = make_user("interviewer", "interviewer")
    tree = make_locality_tree()
    wave = make_wave(draw=make_draw(tree), version=version)
    waves.assign_cases(wave=wave, interviewer=interviewer, count=3)
    rng = np.random.default_rng(7)
    by_name = []
    for case in wave.cases.filter(interviewer=interviewer):
        interview = interviews.start_interview(case=case, interviewer=interviewer, mode="phone")
        respondent = Respondent(tree["district"].code, tree["street"].code,
                                tree["community"].code, "central", 0.0, "normal")  # fmt: skip
        simulated = simulate_interview(rng, definition, respondent, interview.started_at)
        named = answers.scope(simulated.answers, definition)
        by_name.append((interview.pk, named, simulated.answers))
    # stored the old way
    old = _old_definition(definition)
    QuestionnaireVersion.objects.filter(pk=version.pk).update(definition=old)
    for pk, named, _paths in by_name:
        Interview.objects.filter(pk=pk).update(answers=copy.deepcopy(named))
    first = by_name[0][0]
    checker = make_user("checker", "interviewer")
    drawn = BackCheckDraw.objects.create(wave=wave, seed=1, created_by=checker)
    BackCheck.objects.create(
        interview_id=first, draw=drawn, assigned_to=checker,
        questions=["safety_overall", "sat_patrol"], answers={"safety_overall": "4"},
        discrepancies=["safety_overall"],
    )  # fmt: skip

    _migrate(BEFORE)
    _migrate(AFTER)

    version.refresh_from_db()
    assert version.definition == definition  # read again from its own spreadsheet
    for pk, _named, paths in by_name:
        moved = Interview.objects.only("answers").get(pk=pk)  # the columns of then
        assert moved.answers == paths
        assert flow.outcome(version.definition, moved.answers) == flow.outcome(definition, paths)
    # read by its columns of then: the model's later columns (rounds) are not there yet
    questions, stored, discrepancies = (
        BackCheck.objects.filter(interview_id=first)
        .values_list("questions", "answers", "discrepancies")
        .get()
    )
    assert questions == ["/safety/safety_overall", "/satisfaction/sat_patrol"]
    assert stored == {"/safety/safety_overall": "4"}
    assert discrepancies == ["/safety/safety_overall"]
