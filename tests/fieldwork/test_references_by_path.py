"""Settings that name a question — quota variables, QC's overall item, scoring's sex and age —
accept its path, keep a name only one question has working, and refuse a name several
questions share, naming the candidate paths."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fieldwork.loaders import quota_progress
from fieldwork.models import Interview
from fieldwork.services import waves
from qc.services.settings import save_qc_settings
from questionnaires import answers
from questionnaires.services import import_questionnaire_version
from questionnaires.xlsform import parse_xlsform
from scoring.loaders import AnswerError, respondent_question
from tests.factories import make_wave
from tests.fieldwork.interview.test_answers_by_path import CHOICES
from tests.questionnaires.workbooks import CHOICES_HEADER, SURVEY_HEADER, make_xlsx

# Two groups each ask the respondent's sex as `sex`, and the overall rating `overall` twice;
# `age` is asked once.
SURVEY = [
    {"type": "begin group", "name": "self", "label": "本人"},
    {"type": "select_one sex", "name": "sex", "label": "性别"},
    {"type": "integer", "name": "age", "label": "年龄"},
    {"type": "select_one sat5", "name": "overall", "label": "总体", "dimension": "order"},
    {"type": "end group"},
    {"type": "begin group", "name": "spouse", "label": "配偶"},
    {"type": "select_one sex", "name": "sex", "label": "配偶性别"},
    {"type": "select_one sat5", "name": "overall", "label": "配偶总体", "dimension": "order"},
    {"type": "end group"},
]
SEXES = [{"list_name": "sex", "name": "1", "label": "男"}, {"list_name": "sex", "name": "2",
                                                             "label": "女"}]  # fmt: skip


@pytest.fixture
def twin_wave(draw):
    data = make_xlsx(survey=SURVEY, choices=[*CHOICES, *SEXES], survey_header=SURVEY_HEADER,
                     choices_header=CHOICES_HEADER,
                     settings={"form_title": "两个性别", "form_id": "twins"})  # fmt: skip
    version = import_questionnaire_version(data=data, source_name="twins.xlsx")
    return make_wave(draw=draw, version=version)


def test_a_reference_is_a_path_or_a_name_only_one_question_has():
    data = make_xlsx(survey=SURVEY, choices=[*CHOICES, *SEXES], survey_header=SURVEY_HEADER,
                     choices_header=CHOICES_HEADER)  # fmt: skip
    definition = parse_xlsform(data, "f.xlsx").definition
    assert list(answers.find(definition, "/spouse/sex")["label"].values()) == ["配偶性别"]
    assert answers.find(definition, "age")["path"] == "/self/age"
    assert answers.find(definition, "hukou") is None
    with pytest.raises(answers.AmbiguousName) as refused:
        answers.find(definition, "sex")
    assert refused.value.paths == ["/self/sex", "/spouse/sex"]
    stored = {"/self/sex": "1", "/spouse/sex": "2", "/self/age": 40}
    readable = answers.by_reference(stored, definition)
    assert readable["/spouse/sex"] == "2" and readable["age"] == 40 and "sex" not in readable


def test_a_quota_on_a_shared_name_is_refused_with_the_candidate_paths(twin_wave):
    with pytest.raises(ValidationError) as refused:
        waves.set_quota_target(wave=twin_wave, stratum="", variable="sex", value="1", target=5)
    assert "/self/sex, /spouse/sex" in refused.value.messages[0]
    with pytest.raises(ValidationError, match="/self/gender"):
        waves.set_quota_target(wave=twin_wave, stratum="", variable="/self/gender", value="1",
                               target=5)  # fmt: skip
    assert not twin_wave.quota_targets.exists()


def test_a_quota_by_path_and_one_by_unique_name_count_their_own_question(twin_wave, interviewer):
    for variable, value in (("/spouse/sex", "2"), ("/self/sex", "2"), ("age", "40")):
        waves.set_quota_target(wave=twin_wave, stratum="", variable=variable, value=value,
                               target=3)  # fmt: skip
    waves.assign_cases(wave=twin_wave, interviewer=interviewer, count=1)
    case = twin_wave.cases.get(interviewer=interviewer)
    Interview.objects.create(
        case=case, interviewer=interviewer, questionnaire_version=twin_wave.questionnaire_version,
        status=Interview.Status.COMPLETED, mode="door", started_at=timezone.now(),
        answers={"/self/sex": "1", "/spouse/sex": "2", "/self/age": 40},
    )  # fmt: skip
    progress = quota_progress(twin_wave).set_index("variable")["achieved"].to_dict()
    assert progress == {"/spouse/sex": 1, "/self/sex": 0, "age": 1}


def test_an_overall_item_shared_by_two_questions_is_refused_and_a_path_is_kept(
    twin_wave, supervisor
):
    with pytest.raises(ValidationError) as refused:
        save_qc_settings(wave=twin_wave, user=supervisor, values={"overall_item": "overall"})
    assert "/self/overall, /spouse/overall" in refused.value.messages[0]
    saved = save_qc_settings(wave=twin_wave, user=supervisor,
                             values={"overall_item": "/self/overall"})  # fmt: skip
    assert saved.rules["overall_item"] == "/self/overall"


def test_scoring_refuses_to_guess_the_respondents_sex_among_two(twin_wave):
    definition = twin_wave.questionnaire_version.definition
    assert respondent_question(definition, "age")["path"] == "/self/age"
    with pytest.raises(AnswerError, match="/self/sex, /spouse/sex"):
        respondent_question(definition, "sex")
