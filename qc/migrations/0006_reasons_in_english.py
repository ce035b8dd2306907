"""Automatic reasons kept in English too (Flag, Review and ReviewEvent `reason_en`), so each
reader reads their own language. Rows written before keep their one language in `reason`."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("qc", "0005_snapshot_locations_sealed"),
    ]

    operations = [
        migrations.AddField(
            model_name=model,
            name="reason_en",
            field=models.TextField(blank=True, verbose_name="reason in English"),
        )
        for model in ("flag", "review", "reviewevent")
    ]
