"""Rolling a newer questionnaire version out mid-field."""

import copy
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fieldwork import forms, selectors
from fieldwork.models import Wave
from fieldwork.services import interviews, waves
from questionnaires.models import QuestionnaireVersion
from tests.factories import PASSWORD, make_organisation
from tests.fieldwork.interview.test_wizard_rich import RICH, make_version
from tests.fieldwork.wizard_driver import run_to_end


@pytest.fixture
def newer(standard_version):
    return QuestionnaireVersion.objects.create(
        questionnaire=standard_version.questionnaire,
        number=standard_version.number + 1,
        title=standard_version.title,
        definition=copy.deepcopy(standard_version.definition),
        source_name="standard_v2.xlsx",
        source_xlsx=b"",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        xform_xml="",
    )


def _start_next(wave, interviewer):
    waves.assign_cases(wave=wave, interviewer=interviewer, count=1)
    case = wave.cases.filter(interviewer=interviewer, interview__isnull=True).first()
    return interviews.start_interview(case=case, interviewer=interviewer, mode="phone")


def test_interviews_keep_the_version_they_started_with(
    client, wave, interviewer, standard_version, newer
):
    # Given one interview completed and one under way on version 1
    client.login(username=interviewer.username, password=PASSWORD)
    done = _start_next(wave, interviewer)
    run_to_end(client, done)
    under_way = _start_next(wave, interviewer)
    # When version 2 is rolled out
    waves.switch_wave_version(wave=wave, version=newer)
    # Then the interview under way stays on version 1, new ones start on version 2
    fresh = _start_next(wave, interviewer)
    under_way.refresh_from_db()
    assert under_way.questionnaire_version == standard_version
    assert fresh.questionnaire_version == newer
    resumed = interviews.start_interview(case=under_way.case, interviewer=interviewer, mode="phone")
    assert resumed.questionnaire_version == standard_version
    # and the wave's account says which interviews used which
    rows = selectors.version_rows(Wave.objects.get(pk=wave.pk))
    assert [(r["number"], r["current"], r["started"], r["completed"]) for r in rows] == [
        (standard_version.number, False, 2, 1),
        (newer.number, True, 1, 0),
    ]


def test_an_older_or_the_same_version_cannot_be_rolled_out(wave, standard_version, newer):
    waves.switch_wave_version(wave=wave, version=newer)
    for version in (standard_version, newer):
        with pytest.raises(ValidationError):
            waves.switch_wave_version(wave=wave, version=version)
    assert Wave.objects.get(pk=wave.pk).questionnaire_version == newer


def test_another_questionnaires_version_cannot_replace_the_wave_version(wave, standard_version):
    other = make_version(RICH, number=5)
    with pytest.raises(ValidationError):
        waves.switch_wave_version(wave=wave, version=other)
    assert Wave.objects.get(pk=wave.pk).questionnaire_version == standard_version


def test_a_closed_wave_keeps_its_version(wave, standard_version, newer):
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    with pytest.raises(ValidationError):
        waves.switch_wave_version(wave=wave, version=newer)
    assert Wave.objects.get(pk=wave.pk).questionnaire_version == standard_version


def test_supervisor_rolls_out_a_version_from_the_wave_page(client, supervisor, wave, newer):
    client.login(username=supervisor.username, password=PASSWORD)
    page = client.get(reverse("fieldwork:wave_detail", args=[wave.pk])).content.decode()
    assert 'id="version-table"' in page
    assert reverse("fieldwork:switch_version", args=[wave.pk]) in page
    response = client.post(
        reverse("fieldwork:switch_version", args=[wave.pk]), {"version": newer.pk}
    )
    assert response.url == reverse("fieldwork:wave_detail", args=[wave.pk])
    assert Wave.objects.get(pk=wave.pk).questionnaire_version == newer


def test_switching_to_a_version_not_offered_changes_nothing(
    client, supervisor, wave, standard_version
):
    client.login(username=supervisor.username, password=PASSWORD)
    other = make_version(RICH, number=9)
    client.post(reverse("fieldwork:switch_version", args=[wave.pk]), {"version": other.pk})
    assert Wave.objects.get(pk=wave.pk).questionnaire_version == standard_version


def test_a_draft_version_cannot_go_to_the_field(wave, newer, draw, standard_version, english):
    # given the newer version is still a draft
    newer.published_at = None
    newer.save()
    # when / then: neither rolled out nor used by a new wave, nor offered in the form
    with pytest.raises(ValidationError, match="draft"):
        waves.switch_wave_version(wave=wave, version=newer)
    with pytest.raises(ValidationError, match="draft"):
        waves.create_wave(
            name="新", client=make_organisation("x"), questionnaire_version=newer, draw=draw
        )
    assert newer not in forms.VersionSwitchForm(wave=wave).fields["version"].queryset
