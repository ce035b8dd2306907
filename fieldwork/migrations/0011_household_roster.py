"""Household rosters entered row by row, and the wave's eligible age range.

Selections made from the typed listing already hold it parsed (name, sex, age, birthday per
adult, every one of them 16 to 120, the only rule then): their roster is that listing, each
member eligible, so every selection reads the same way.
"""

from django.db import migrations, models


def roster_from_listing(apps, schema_editor):
    RespondentSelection = apps.get_model("fieldwork", "RespondentSelection")
    changed = []
    for selection in RespondentSelection.objects.iterator():
        if selection.roster:
            continue
        selection.roster = [{**adult, "eligible": True} for adult in selection.adults or []]
        changed.append(selection)
    RespondentSelection.objects.bulk_update(changed, ["roster"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0010_reopen_attempts_counted"),
    ]

    operations = [
        migrations.AddField(
            model_name="respondentselection",
            name="roster",
            field=models.JSONField(default=list, verbose_name="household roster"),
        ),
        migrations.AddField(
            model_name="wave",
            name="max_age",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="oldest eligible age"
            ),
        ),
        migrations.AddField(
            model_name="wave",
            name="min_age",
            field=models.PositiveSmallIntegerField(default=16, verbose_name="youngest eligible age"),
        ),
        migrations.RunPython(roster_from_listing, migrations.RunPython.noop),
    ]
