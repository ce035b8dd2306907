"""The location answers in reopened interviews' snapshots (ReviewEvent.snapshot["answers"])
sealed like the interviews' own (fieldwork 0019). Reversible: going back writes them in clear."""

from django.db import migrations

import common.personal.fields
from fieldwork.interview.personal_answers import opened_locations, seal_locations

BATCH = 500


def _rewrite(apps, change) -> None:
    model = apps.get_model("qc", "ReviewEvent")
    rows = (
        model.objects.exclude(snapshot__isnull=True)
        .select_related("review__interview__questionnaire_version")
        .only("pk", "snapshot", "review__interview__questionnaire_version__definition")
    )
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        definition = row.review.interview.questionnaire_version.definition
        answers = (row.snapshot or {}).get("answers")
        if isinstance(answers, dict):
            row.snapshot = {**row.snapshot, "answers": change(answers, definition)}
            batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_update(batch, ["snapshot"])
            batch = []
    model.objects.bulk_update(batch, ["snapshot"])


def seal(apps, schema_editor) -> None:
    _rewrite(apps, seal_locations)


def unseal(apps, schema_editor) -> None:
    _rewrite(apps, opened_locations)


class Migration(migrations.Migration):
    dependencies = [
        ("qc", "0004_backcheck_rounds"),
        ("fieldwork", "0019_location_answers_sealed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reviewevent",
            name="snapshot",
            field=common.personal.fields.SealedJSONField(
                blank=True, null=True, verbose_name="interview snapshot"
            ),
        ),
        migrations.RunPython(seal, unseal, elidable=False),
    ]
