"""Organisations and teams: the client's free-text organisation becomes a row of its own.

Every distinct organisation name on a user becomes a client organisation; staff who had none
are tied to the firm, created once under a placeholder name the analyst can rename.
"""

import django.db.models.deletion
from django.db import migrations, models

FIRM_NAME = "评估机构"
STAFF_ROLES = ("analyst", "supervisor", "interviewer")


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Organisation = apps.get_model("accounts", "Organisation")
    for name in User.objects.exclude(organisation_name="").values_list(
        "organisation_name", flat=True
    ).distinct():
        organisation, _ = Organisation.objects.get_or_create(
            name=name.strip()[:200] or name, defaults={"kind": "client"}
        )
        User.objects.filter(organisation_name=name).update(organisation=organisation)
    staff = User.objects.filter(role__in=STAFF_ROLES, organisation=None)
    if staff.exists():
        firm, _ = Organisation.objects.get_or_create(name=FIRM_NAME, defaults={"kind": "firm"})
        staff.update(organisation=firm)


def backwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(role="client").select_related("organisation"):
        if user.organisation is not None:
            user.organisation_name = user.organisation.name
            user.save(update_fields=["organisation_name"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_must_change_password")]

    operations = [
        migrations.CreateModel(
            name="Organisation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="name")),
                ("kind", models.CharField(choices=[("client", "Client body"), ("firm", "Evaluation firm")], default="client", max_length=8, verbose_name="kind")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={"verbose_name": "organisation", "verbose_name_plural": "organisations", "ordering": ["kind", "name"]},
        ),
        migrations.CreateModel(
            name="Team",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("supervisor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="supervised_teams", to="accounts.user", verbose_name="supervisor")),
            ],
            options={"verbose_name": "team", "verbose_name_plural": "teams", "ordering": ["name"]},
        ),
        migrations.RenameField(model_name="user", old_name="organisation", new_name="organisation_name"),
        migrations.AddField(
            model_name="user",
            name="organisation",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="users", to="accounts.organisation", verbose_name="organisation"),
        ),
        migrations.AddField(
            model_name="user",
            name="team",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="members", to="accounts.team", verbose_name="team"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="user", name="organisation_name"),
    ]
