"""Stored definitions get the tree of groups and repeats and every question's path (schema 2).

Each version is read again from its own spreadsheet (questionnaires.upgrade); its questions,
choices, labels and logic stay what they were.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from questionnaires.upgrade import upgrade_definition

    Version = apps.get_model("questionnaires", "QuestionnaireVersion")
    for version in Version.objects.all().iterator(chunk_size=50):
        upgraded = upgrade_definition(version.definition, version.source_xlsx, version.source_name)
        if upgraded is not version.definition:
            version.definition = upgraded
            version.save(update_fields=["definition"])


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0002_version_drafts")]

    # Schema 2 keeps every key schema 1 had: code from before this reads it as it did.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
