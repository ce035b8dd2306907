"""Back-checks name their key questions, and hold their answers, by question path."""

from django.db import migrations


def forward(apps, schema_editor):
    from questionnaires.upgrade import upgrade_answers, upgrade_keys

    BackCheck = apps.get_model("qc", "BackCheck")
    for backcheck in BackCheck.objects.select_related(
        "interview__questionnaire_version"
    ).iterator(chunk_size=200):
        definition = backcheck.interview.questionnaire_version.definition
        backcheck.questions = upgrade_keys(list(backcheck.questions or []), definition)
        backcheck.answers = upgrade_answers(backcheck.answers or {}, definition)
        backcheck.discrepancies = upgrade_keys(list(backcheck.discrepancies or []), definition)
        backcheck.save(update_fields=["questions", "answers", "discrepancies"])


class Migration(migrations.Migration):
    dependencies = [
        ("qc", "0002_workflow_backchecks"),
        ("fieldwork", "0007_answers_by_path"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
