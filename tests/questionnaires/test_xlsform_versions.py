"""Drafts and publishing: publishing freezes a version; drafts are not the standard's latest."""

import pytest
from django.core.exceptions import ValidationError

from questionnaires.models import QuestionnaireVersion
from questionnaires.services import (
    STANDARD_CODE,
    STANDARD_XLSX,
    discard_draft_version,
    find_questionnaire_version,
    import_questionnaire_version,
    load_standard_questionnaire,
    publish_questionnaire_version,
)
from tests.questionnaires.workbooks import make_xlsx


def test_import_publishes_by_default(analyst):
    version = import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="a",
                                           user=analyst)  # fmt: skip
    assert version.is_published and version.published_by == analyst
    assert version.published_at is not None


def test_draft_then_publish_stamps_who_and_when(analyst):
    draft = import_questionnaire_version(
        data=make_xlsx(), source_name="f.xlsx", code="a", user=analyst, publish=False
    )
    assert (draft.published_at, draft.published_by) == (None, None)
    assert draft.questionnaire.latest_version == draft
    assert draft.questionnaire.latest_published is None
    published = publish_questionnaire_version(version=draft, user=analyst)
    published.refresh_from_db()
    assert published.is_published and published.published_by == analyst
    assert published.questionnaire.latest_published == published


def test_publishing_twice_is_refused(analyst, english):
    version = import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="a")
    first_stamp = version.published_at
    with pytest.raises(ValidationError, match="already published"):
        publish_questionnaire_version(version=version, user=analyst)
    version.refresh_from_db()
    assert version.published_at == first_stamp and version.published_by is None


def test_a_draft_can_be_discarded_but_not_a_published_version(db, english):
    published = import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="a")
    draft = import_questionnaire_version(
        data=make_xlsx(), source_name="f.xlsx", code="a", publish=False
    )
    assert draft.number == 2
    discard_draft_version(version=draft)
    with pytest.raises(ValidationError, match="cannot be discarded"):
        discard_draft_version(version=published)
    assert list(QuestionnaireVersion.objects.values_list("number", flat=True)) == [1]


def test_standard_ignores_a_newer_draft(db):
    published = load_standard_questionnaire()
    import_questionnaire_version(
        data=STANDARD_XLSX.read_bytes(), source_name="s.xlsx", code=STANDARD_CODE, publish=False
    )
    assert load_standard_questionnaire().pk == published.pk


def test_find_version_by_number_or_latest(db):
    import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="a")
    second = import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="a")
    assert find_questionnaire_version(code="a").pk == second.pk
    assert find_questionnaire_version(code="a", number=1).number == 1
    with pytest.raises(ValidationError):
        find_questionnaire_version(code="a", number=3)


def test_code_defaults_to_the_form_id(db):
    version = import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx")
    assert version.questionnaire.code == "test_form"
