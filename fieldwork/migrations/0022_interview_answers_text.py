"""Interviews keep their answers' stored JSON as text too, computed by the database on every
write (Interview.answers_text); adding the column fills it for every existing row."""

from django.db import migrations, models
from django.db.models.functions import Cast


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0021_quota_achieved"),
    ]

    operations = [
        migrations.AddField(
            model_name="interview",
            name="answers_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=Cast("answers", models.TextField()),
                output_field=models.TextField(),
            ),
        ),
    ]
