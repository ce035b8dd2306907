"""Quota cells keep their achieved count (fieldwork.services.quota_counts maintains it), filled
here for the existing waves the way loaders.quota_progress counts: completed interviews not
finally rejected in qc, read by the wave's current version. Rolling back drops the column."""

from django.db import migrations, models

from fieldwork import quotas
from questionnaires import answers as stored


def count_achieved(apps, schema_editor):
    QuotaTarget = apps.get_model("fieldwork", "QuotaTarget")
    Interview = apps.get_model("fieldwork", "Interview")
    QuestionnaireVersion = apps.get_model("questionnaires", "QuestionnaireVersion")
    Wave = apps.get_model("fieldwork", "Wave")
    for wave in Wave.objects.filter(quota_targets__isnull=False).distinct().iterator():
        targets = list(QuotaTarget.objects.filter(wave=wave).order_by("id"))
        cells = [(t.pk, t.stratum, t.variable, t.value) for t in targets]
        completed = (
            Interview.objects.filter(case__wave=wave, status="completed")
            .exclude(review__state="rejected")
            .values_list(
                "answers", "questionnaire_version_id", "case__street__code",
                "case__unit__attributes",
            )
        )  # fmt: skip
        rows = list(completed)
        versions = {version for _a, version, _s, _u in rows} | {wave.questionnaire_version_id}
        definitions = dict(
            QuestionnaireVersion.objects.filter(pk__in=versions).values_list("pk", "definition")
        )
        own = wave.questionnaire_version_id
        carried = stored.in_version([(a, v) for a, v, _s, _u in rows], definitions, own)
        counts = dict.fromkeys((t.pk for t in targets), 0)
        for answers, (_a, _v, street, attributes) in zip(carried, rows, strict=True):
            readable = stored.by_reference(answers, definitions[own])
            for pk in quotas.cells_of(cells, street or "", readable, attributes):
                counts[pk] += 1
        for target in targets:
            target.achieved = counts[target.pk]
        QuotaTarget.objects.bulk_update(targets, ["achieved"])


class Migration(migrations.Migration):

    dependencies = [
        ("fieldwork", "0020_interview_revision"),
        ("qc", "0005_snapshot_locations_sealed"),
        ("questionnaires", "0004_version_attachments"),
    ]

    operations = [
        migrations.AddField(
            model_name="quotatarget",
            name="achieved",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="achieved"),
        ),
        migrations.RunPython(count_achieved, migrations.RunPython.noop),
    ]
