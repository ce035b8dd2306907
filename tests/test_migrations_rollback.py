"""Rolling the answers-by-path migrations back: back-checks return to question names, and
interviews on a form with a name used twice are refused rather than losing an answer."""

from datetime import UTC, datetime

import pytest

from fieldwork.models import Interview
from fieldwork.services import interviews, waves
from qc.models import BackCheck, BackCheckDraw
from questionnaires.models import Questionnaire, QuestionnaireVersion
from questionnaires.xlsform import parse_xlsform
from tests.factories import make_draw, make_locality_tree, make_user, make_wave
from tests.factories import make_standard_version as standard_version_rows
from tests.questionnaires.test_answers import SURVEY
from tests.questionnaires.workbooks import make_xlsx
from tests.test_migrations_by_path import BEFORE, _migrate


def _interview(version, answers):
    interviewer = make_user("interviewer", "interviewer")
    wave = make_wave(draw=make_draw(make_locality_tree()), version=version)
    waves.assign_cases(wave=wave, interviewer=interviewer, count=1)
    case = wave.cases.filter(interviewer=interviewer).first()
    interview = interviews.start_interview(case=case, interviewer=interviewer, mode="phone")
    Interview.objects.filter(pk=interview.pk).update(answers=answers)
    return interview


@pytest.mark.django_db(transaction=True)
def test_rolling_back_returns_back_checks_to_question_names(standard_form, latest_afterwards):
    # given a back-check stored by path, as the code since paths stores it
    data, parsed = standard_form
    version = standard_version_rows(parsed=parsed, data=data)
    interview = _interview(version, {"/safety/safety_overall": "4"})
    checker = make_user("checker", "interviewer")
    drawn = BackCheckDraw.objects.create(wave=interview.case.wave, seed=1, created_by=checker)
    BackCheck.objects.create(
        interview=interview, draw=drawn, assigned_to=checker,
        questions=["/safety/safety_overall", "/satisfaction/sat_patrol"],
        answers={"/safety/safety_overall": "4"}, discrepancies=["/safety/safety_overall"],
    )  # fmt: skip
    # when the migrations are rolled back
    _migrate(BEFORE)
    # then the back-check reads as the code before paths read it, and so does the interview
    backcheck = BackCheck.objects.values("questions", "answers", "discrepancies").get()
    assert backcheck == {
        "questions": ["safety_overall", "sat_patrol"],
        "answers": {"safety_overall": "4"},
        "discrepancies": ["safety_overall"],
    }
    assert Interview.objects.values_list("answers", flat=True).get() == {"safety_overall": "4"}


@pytest.mark.django_db(transaction=True)
def test_rolling_back_refuses_a_form_with_a_name_used_twice(latest_afterwards):
    # given an interview on a form with two questions named q1, both answered
    data = make_xlsx(survey=SURVEY, choices=[], survey_header=["type", "name", "label"])
    definition = parse_xlsform(data, "twice.xlsx").definition
    questionnaire = Questionnaire.objects.create(code="twice", title="Twice")
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=3, title="Twice", definition=definition,
        source_name="twice.xlsx", source_xlsx=data, xform_xml="<h:html/>",
        published_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    saved = {"/g1/q1": "first", "/g2/q1": 2}
    _interview(version, saved)
    # when the migrations are rolled back, then the rollback stops and says why
    with pytest.raises(RuntimeError, match=r"'twice' version 3 .* q1 .* would be\s+lost"):
        _migrate(BEFORE)
    # and both answers are still there
    assert Interview.objects.values_list("answers", flat=True).get() == saved
