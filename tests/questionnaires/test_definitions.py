"""A published version's definition is read once per process; a draft's every time."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from questionnaires.definitions import definition_of
from questionnaires.models import QuestionnaireVersion


def test_a_published_definition_is_read_once(standard_version):
    first = QuestionnaireVersion.objects.defer("definition").get(pk=standard_version.pk)
    assert definition_of(first) == standard_version.definition
    again = QuestionnaireVersion.objects.defer("definition").get(pk=standard_version.pk)
    with CaptureQueriesContext(connection) as captured:
        assert definition_of(again) is definition_of(first)
    assert len(captured) == 0


def test_a_draft_definition_is_read_every_time(standard_version):
    QuestionnaireVersion.objects.filter(pk=standard_version.pk).update(published_at=None)
    draft = QuestionnaireVersion.objects.defer("definition").get(pk=standard_version.pk)
    with CaptureQueriesContext(connection) as captured:
        definition_of(draft)
    assert len(captured) == 1
    draft = QuestionnaireVersion.objects.defer("definition").get(pk=standard_version.pk)
    with CaptureQueriesContext(connection) as captured:
        definition_of(draft)
    assert len(captured) == 1
