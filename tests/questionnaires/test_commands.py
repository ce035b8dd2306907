"""manage.py import_questionnaire / export_questionnaire."""

import pytest
from django.core.management import CommandError, call_command

from questionnaires.models import Questionnaire, QuestionnaireVersion
from questionnaires.xlsform import parse_xlsform
from tests.questionnaires.workbooks import rich_survey, rich_xlsx


@pytest.fixture
def rich_file(tmp_path):
    path = tmp_path / "rich.xlsx"
    path.write_bytes(rich_xlsx())
    return path


def test_import_without_publish_makes_a_draft_named_by_form_id(db, rich_file, capsys):
    call_command("import_questionnaire", str(rich_file))
    version = QuestionnaireVersion.objects.get()
    assert version.questionnaire.code == "rich_form"  # the settings sheet's form_id
    assert version.published_at is None and not version.is_published
    out = capsys.readouterr().out
    assert "Imported rich_form version 1 (丰富问卷): 4 pages, 13 questions; draft" in out


def test_import_with_publish_publishes(db, rich_file, capsys):
    call_command("import_questionnaire", str(rich_file), "--publish", "--code", "rich")
    version = QuestionnaireVersion.objects.get()
    assert version.is_published and version.questionnaire.code == "rich"
    assert "; published." in capsys.readouterr().out


def test_import_errors_list_every_row_and_save_nothing(db, tmp_path):
    survey = rich_survey()
    survey[2]["type"] = "select_one nowhere"
    survey[5]["qc_check"] = "device-info('x') = 1"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(rich_xlsx(survey=survey))
    with pytest.raises(CommandError) as caught:
        call_command("import_questionnaire", str(path), "--publish")
    message = str(caught.value)
    assert message.startswith("bad.xlsx was not imported:\n")
    assert "survey 工作表第 4 行 type 列：选项表中没有选项列表“nowhere”" in message
    assert "survey sheet, row 7, column qc_check: " in message
    assert not Questionnaire.objects.exists()


def test_import_with_a_form_id_that_is_not_a_code(db, tmp_path):
    from tests.questionnaires.workbooks import make_xlsx

    path = tmp_path / "f.xlsx"
    path.write_bytes(make_xlsx(settings={"form_title": "T", "form_id": "问卷 1"}))
    with pytest.raises(CommandError, match="'问卷 1'"):
        call_command("import_questionnaire", str(path))
    assert not Questionnaire.objects.exists()


def test_export_writes_a_workbook_that_imports_to_the_same_definition(db, rich_file, tmp_path):
    call_command("import_questionnaire", str(rich_file), "--publish")
    out = tmp_path / "out.xlsx"
    call_command("export_questionnaire", "rich_form", "--version", "1", "--out", str(out))
    version = QuestionnaireVersion.objects.get()
    assert parse_xlsform(out.read_bytes(), out.name).definition == version.definition


def test_export_original_writes_the_uploaded_bytes(db, rich_file, tmp_path):
    call_command("import_questionnaire", str(rich_file))
    out = tmp_path / "orig.xlsx"
    call_command("export_questionnaire", "rich_form", "--out", str(out), "--original")
    assert out.read_bytes() == rich_file.read_bytes()


def test_export_defaults_to_the_latest_version(db, rich_file, tmp_path, capsys):
    call_command("import_questionnaire", str(rich_file), "--publish")
    call_command("import_questionnaire", str(rich_file))
    call_command("export_questionnaire", "rich_form", "--out", str(tmp_path / "x.xlsx"))
    assert "Wrote rich_form version 2" in capsys.readouterr().out


def test_export_of_a_missing_version_fails_clearly(db, rich_file, tmp_path):
    call_command("import_questionnaire", str(rich_file))
    with pytest.raises(CommandError, match="rich_form") as caught:
        call_command("export_questionnaire", "rich_form", "--version", "7", "--out", "x.xlsx")
    assert "7" in str(caught.value)
    with pytest.raises(CommandError, match="nope"):
        call_command("export_questionnaire", "nope", "--out", str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()


def test_import_refuses_deep_and_circular_logic_naming_the_cell(db, tmp_path, settings):
    settings.LANGUAGE_CODE = "en"
    survey = rich_survey()
    survey[5]["relevant"] = "(" * 140 + "${province} != ''" + ")" * 140
    survey[6]["relevant"] = "${adults_hint} = 'many'"
    survey[8]["calculation"] = "if(${goes_out} = 'often', 'many', 'one')"
    path = tmp_path / "deep.xlsx"
    path.write_bytes(rich_xlsx(survey=survey))
    with pytest.raises(CommandError) as caught:
        call_command("import_questionnaire", str(path))
    assert "survey sheet, row 7, column relevant: '((((" in str(caught.value)
    assert "nested more than 40 levels deep" in str(caught.value)

    survey[5]["relevant"] = None
    path.write_bytes(rich_xlsx(survey=survey))
    with pytest.raises(CommandError) as caught:
        call_command("import_questionnaire", str(path))
    assert str(caught.value) == (
        "deep.xlsx was not imported:\nsurvey sheet, row 8, column relevant: circular logic: "
        "relevant of goes_out depends on adults_hint, whose calculation depends on goes_out"
    )
    assert not Questionnaire.objects.exists()


def test_import_tells_circular_logic_in_the_sites_language(db, tmp_path):
    survey = rich_survey()
    survey[8]["calculation"] = "${adults_hint}"
    path = tmp_path / "self.xlsx"
    path.write_bytes(rich_xlsx(survey=survey))
    with pytest.raises(CommandError) as caught:
        call_command("import_questionnaire", str(path))
    assert "survey 工作表第 10 行 calculation 列：逻辑循环：adults_hint 的 calculation 依赖 " in (
        str(caught.value)
    )


def test_import_attaches_the_forms_data_files(db, tmp_path):
    from questionnaires.models import QuestionnaireAttachment
    from tests.questionnaires.workbooks import make_xlsx, survey_row

    form = tmp_path / "towns.xlsx"
    form.write_bytes(
        make_xlsx(survey=[survey_row("select_one_from_file towns.csv", "town", "镇")], choices=[])
    )
    towns = tmp_path / "towns.csv"
    towns.write_text("name,label\nt1,东镇\n", encoding="utf-8")
    call_command("import_questionnaire", str(form), "--attach", str(towns), "--code", "towns")
    [attachment] = QuestionnaireAttachment.objects.all()
    assert attachment.name == "towns.csv" and attachment.size == towns.stat().st_size
    with pytest.raises(CommandError, match="Cannot read .*missing.csv"):
        call_command("import_questionnaire", str(form), "--attach", str(tmp_path / "missing.csv"))
