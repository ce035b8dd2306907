"""Location (geopoint) answers sealed in the interviews' answers: each rests as
{"$sealed": token} under PERSONAL_DATA_KEYS (common.personal.SealedJSONField) and is read back
as the point's text. Reversible: going back writes them in clear again.

The field's class changes nothing in the database (JSON either way); each interview whose
questionnaire asks a location is read and written back with its location answers marked, or,
going back, unmarked."""

import json

from django.db import migrations

import common.personal.fields
from fieldwork.interview.personal_answers import LOCATION_TYPES, opened_locations, seal_locations

BATCH = 500


def _locating_versions(apps) -> dict[int, dict]:
    """{version id: definition} of the versions with a location question (at any depth)."""
    versions = apps.get_model("questionnaires", "QuestionnaireVersion").objects
    found = {}
    for pk, definition in versions.values_list("pk", "definition"):
        text = json.dumps(definition)
        if any(f'"type": "{kind}"' in text for kind in LOCATION_TYPES):
            found[pk] = definition
    return found


def _rewrite(apps, change) -> None:
    model = apps.get_model("fieldwork", "Interview")
    for version_id, definition in _locating_versions(apps).items():
        rows = model.objects.filter(questionnaire_version_id=version_id).only("pk", "answers")
        batch = []
        for row in rows.iterator(chunk_size=BATCH):
            row.answers = change(row.answers or {}, definition)
            batch.append(row)
            if len(batch) == BATCH:
                model.objects.bulk_update(batch, ["answers"])
                batch = []
        model.objects.bulk_update(batch, ["answers"])


def seal(apps, schema_editor) -> None:
    _rewrite(apps, seal_locations)


def unseal(apps, schema_editor) -> None:
    _rewrite(apps, opened_locations)


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0018_visit_positions_encrypted"),
        ("questionnaires", "0004_version_attachments"),
    ]

    operations = [
        migrations.AlterField(
            model_name="interview",
            name="answers",
            field=common.personal.fields.SealedJSONField(
                blank=True, default=dict, verbose_name="answers"
            ),
        ),
        migrations.RunPython(seal, unseal, elidable=False),
    ]
