"""Household listings (members' names) and the selected adult's label encrypted under
PERSONAL_DATA_KEYS (common.personal). Reversible: going back decrypts them.

The columns first become plain text, each row is encrypted as it is read in plain, then the
fields become the encrypted ones (no change in the database)."""


from django.db import migrations, models

import common.personal.fields
from common.personal import keyring

BATCH = 1000
FIELDS = ("roster", "adults", "selected_label")


def _rewrite(apps, change) -> None:
    model = apps.get_model("fieldwork", "RespondentSelection")
    ring = keyring()
    batch = []
    for row in model.objects.only("pk", *FIELDS).iterator(chunk_size=BATCH):
        for name in FIELDS:
            setattr(row, name, change(ring, getattr(row, name)))
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_update(batch, FIELDS)
            batch = []
    model.objects.bulk_update(batch, FIELDS)


def encrypt(apps, schema_editor) -> None:
    _rewrite(apps, lambda ring, text: ring.encrypt(text) if text else text)


def decrypt(apps, schema_editor) -> None:
    _rewrite(apps, lambda ring, text: ring.decrypt(text) if text else text)


def _plain(name: str, verbose: str) -> migrations.AlterField:
    return migrations.AlterField(
        model_name="respondentselection",
        name=name,
        field=models.TextField(default="[]" if name != "selected_label" else "",
                               verbose_name=verbose),
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0016_audio_audits"),
    ]

    operations = [
        _plain("roster", "household roster"),
        _plain("adults", "household adults"),
        _plain("selected_label", "selected adult"),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.AlterField(
            model_name="respondentselection",
            name="roster",
            field=common.personal.fields.EncryptedJSONField(
                default=list, verbose_name="household roster"
            ),
        ),
        migrations.AlterField(
            model_name="respondentselection",
            name="adults",
            field=common.personal.fields.EncryptedJSONField(
                default=list, verbose_name="household adults"
            ),
        ),
        migrations.AlterField(
            model_name="respondentselection",
            name="selected_label",
            field=common.personal.fields.EncryptedTextField(
                max_length=100, verbose_name="selected adult"
            ),
        ),
    ]


