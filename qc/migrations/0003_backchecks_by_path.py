"""Back-checks name their key questions, and hold their answers, by question path."""

from django.db import migrations


def _move(apps, keys, answers):
    BackCheck = apps.get_model("qc", "BackCheck")
    for backcheck in BackCheck.objects.select_related("interview__questionnaire_version").iterator(
        chunk_size=200
    ):
        definition = backcheck.interview.questionnaire_version.definition
        backcheck.questions = keys(list(backcheck.questions or []), definition)
        backcheck.answers = answers(backcheck.answers or {}, definition)
        backcheck.discrepancies = keys(list(backcheck.discrepancies or []), definition)
        backcheck.save(update_fields=["questions", "answers", "discrepancies"])


def forward(apps, schema_editor):
    from questionnaires.upgrade import upgrade_answers, upgrade_keys

    _move(apps, upgrade_keys, upgrade_answers)


def backward(apps, schema_editor):
    """Paths back to question names, as the code before paths reads back-checks. Rolling
    fieldwork 0007 back refuses definitions with a name used twice, so every name is one
    question."""
    from questionnaires.upgrade import downgrade_keys

    def names(found: dict, definition: dict) -> dict:
        keys = downgrade_keys(list(found), definition)
        return dict(zip(keys, found.values(), strict=True))

    _move(apps, downgrade_keys, names)


class Migration(migrations.Migration):
    dependencies = [
        ("qc", "0002_workflow_backchecks"),
        ("fieldwork", "0007_answers_by_path"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
