"""An interview's revision: moved on by the writers that change its answers without a
paradata event (the purge, key rotation), so a page save never writes back what they changed."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('fieldwork', '0019_location_answers_sealed'),
        # After qc's data migrations, which read interviews through their historical model:
        # rolled back past them, the column must already be gone from that model too.
        ('qc', '0005_snapshot_locations_sealed'),
    ]

    operations = [
        migrations.AddField(
            model_name='interview',
            name='revision',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
