"""The shared builders stay true to what the product writes."""

from questionnaires.services import import_questionnaire_version, load_standard_questionnaire

FIELDS = ["title", "definition", "source_name", "source_xlsx", "xform_xml", "number"]


def test_the_standard_version_fixture_holds_what_the_import_writes(standard_version, standard_form):
    # given the fixture's rows, built from the parse cached for the session
    data, _ = standard_form
    # when the same workbook goes through the real import, as another questionnaire
    imported = import_questionnaire_version(
        data=data, source_name=standard_version.source_name, code="standard-again"
    )
    # then both versions hold the same, and the service finds the fixture's as the standard
    assert {f: getattr(standard_version, f) for f in FIELDS} == {
        f: getattr(imported, f) for f in FIELDS
    }
    assert standard_version.questionnaire.title == imported.questionnaire.title
    assert standard_version.published_at is not None
    assert load_standard_questionnaire().pk == standard_version.pk
