"""Waves belong to a client organisation (the free-text client name becomes a row of
accounts.Organisation); cross-region calling; the language a 2.33 case needs; interviewers'
home county and languages."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def tie_waves(apps, schema_editor):
    Wave = apps.get_model("fieldwork", "Wave")
    Organisation = apps.get_model("accounts", "Organisation")
    for name in Wave.objects.values_list("client_name", flat=True).distinct():
        organisation, _ = Organisation.objects.get_or_create(
            name=name.strip() or name, defaults={"kind": "client"}
        )
        Wave.objects.filter(client_name=name).update(client=organisation)


def untie_waves(apps, schema_editor):
    Wave = apps.get_model("fieldwork", "Wave")
    for wave in Wave.objects.select_related("client"):
        wave.client_name = wave.client.name
        wave.save(update_fields=["client_name"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_organisations_and_teams'),
        ('fieldwork', '0012_tried_cases_queue_indexes'),
        ('sampling', '0006_locality_updated_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='language',
            field=models.CharField(blank=True, max_length=16, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='contactattempt',
            name='language',
            field=models.CharField(blank=True, max_length=16, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='wave',
            name='cross_region',
            field=models.BooleanField(default=False, verbose_name='cross-region calling'),
        ),
        migrations.RenameField(model_name="wave", old_name="client", new_name="client_name"),
        migrations.AddField(
            model_name="wave",
            name="client",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="waves", to="accounts.organisation", verbose_name="client"),
        ),
        migrations.RunPython(tie_waves, untie_waves),
        # Blank with a default, so that rolling back can add the column to existing rows
        # before untie_waves fills it.
        migrations.AlterField(
            model_name="wave",
            name="client_name",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="client"),
        ),
        migrations.RemoveField(model_name="wave", name="client_name"),
        migrations.AlterField(
            model_name="wave",
            name="client",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="waves", to="accounts.organisation", verbose_name="client"),
        ),
        migrations.CreateModel(
            name='InterviewerProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('dialects', models.JSONField(blank=True, default=list, verbose_name='languages and dialects')),
                ('home_county', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sampling.locality', verbose_name='home county')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='interviewer_profile', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'interviewer profile',
                'verbose_name_plural': 'interviewer profiles',
            },
        ),
    ]
