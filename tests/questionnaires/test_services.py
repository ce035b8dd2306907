import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from questionnaires.models import Questionnaire, QuestionnaireVersion
from questionnaires.services import (
    STANDARD_CODE,
    STANDARD_XLSX,
    import_questionnaire_version,
    load_standard_questionnaire,
)
from questionnaires.xlsform import XLSFormError
from tests.questionnaires.workbooks import make_xlsx, valid_choices


def test_first_import_creates_questionnaire_and_version_one(analyst):
    data = make_xlsx()
    version = import_questionnaire_version(
        data=data, source_name="form.xlsx", code="test", user=analyst
    )
    version.refresh_from_db()
    assert version.number == 1
    assert version.questionnaire.code == "test"
    assert version.questionnaire.title == "测试问卷"  # the form's title
    assert version.title == "测试问卷"
    assert bytes(version.source_xlsx) == data
    assert version.source_name == "form.xlsx"
    assert version.definition["groups"][0]["questions"][0]["name"] == "q1"
    assert "<h:title>测试问卷</h:title>" in version.xform_xml
    assert version.published_by == analyst


def test_version_numbers_increment_per_questionnaire(db):
    numbers = [
        import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="a").number,
        import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="a").number,
        import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="b").number,
        import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="a").number,
    ]
    assert numbers == [1, 2, 1, 3]
    assert Questionnaire.objects.count() == 2


def test_explicit_title_names_version_and_questionnaire(db):
    import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="a")
    version = import_questionnaire_version(
        data=make_xlsx(), source_name="f.xlsx", code="a", title="2025 第二季度"
    )
    assert version.title == "2025 第二季度"
    assert Questionnaire.objects.get(code="a").title == "2025 第二季度"
    assert QuestionnaireVersion.objects.get(number=1).title == "测试问卷"  # unchanged


def test_failed_import_writes_nothing(db):
    choices = valid_choices()
    choices[0]["score"] = 500
    with pytest.raises(XLSFormError):
        import_questionnaire_version(
            data=make_xlsx(choices=choices), source_name="f.xlsx", code="new"
        )
    assert not Questionnaire.objects.exists()
    assert not QuestionnaireVersion.objects.exists()


def test_failed_import_adds_no_version_to_an_existing_questionnaire(db):
    import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code="a")
    with pytest.raises(XLSFormError):
        import_questionnaire_version(data=b"garbage", source_name="f.xlsx", code="a")
    assert QuestionnaireVersion.objects.count() == 1


@pytest.mark.parametrize("code", ["", "has space", "x" * 61, "问卷"])
def test_bad_code_is_refused(db, code):
    with pytest.raises(ValidationError):
        import_questionnaire_version(data=make_xlsx(), source_name="f.xlsx", code=code)
    assert not Questionnaire.objects.exists()


def test_load_standard_imports_once(analyst):
    first = load_standard_questionnaire(user=analyst)
    again = load_standard_questionnaire()
    assert first.pk == again.pk
    assert first.questionnaire.code == STANDARD_CODE
    assert first.definition["form_id"] == "safety_standard"
    assert first.published_by == analyst
    assert QuestionnaireVersion.objects.count() == 1


def test_load_standard_returns_the_latest_version(db):
    load_standard_questionnaire()
    newer = import_questionnaire_version(
        data=STANDARD_XLSX.read_bytes(), source_name=STANDARD_XLSX.name, code=STANDARD_CODE
    )
    assert load_standard_questionnaire().pk == newer.pk
    assert newer.number == 2


def test_command_imports_and_reports_the_version(db, tmp_path, capsys):
    path = tmp_path / "form.xlsx"
    path.write_bytes(make_xlsx())
    call_command("import_questionnaire", str(path), "--code", "cli")
    call_command("import_questionnaire", str(path), "--code", "cli")
    out = capsys.readouterr().out
    assert "Imported cli version 1" in out and "Imported cli version 2" in out
    assert "1 pages, 2 questions" in out


def test_command_reports_form_errors(db, tmp_path):
    choices = valid_choices()
    choices[0]["positive"] = 7
    path = tmp_path / "bad.xlsx"
    path.write_bytes(make_xlsx(choices=choices))
    with pytest.raises(CommandError) as caught:
        call_command("import_questionnaire", str(path), "--code", "cli")
    # the command speaks the site's language (Chinese by default)
    assert "choices 工作表第 2 行 positive 列：“7”须为 1（计为正面）、0 或留空" in str(caught.value)
    assert not QuestionnaireVersion.objects.exists()


def test_command_reports_missing_file(db, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("import_questionnaire", str(tmp_path / "nope.xlsx"), "--code", "cli")
    assert "Cannot read" in str(caught.value)
