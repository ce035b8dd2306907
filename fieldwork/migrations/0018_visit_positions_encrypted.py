"""Door visits' exact positions (latitude and longitude) encrypted under PERSONAL_DATA_KEYS
(common.personal). Reversible: going back decrypts them into numbers again.

The columns first become plain text (the number written out), each row is encrypted as it is
read in plain, then the fields become the encrypted ones (no change in the database). Going
back, the text is decrypted and the columns become numbers again."""

from django.db import migrations, models

import common.personal.fields
from common.personal import keyring

BATCH = 1000
FIELDS = ("latitude", "longitude")


def _rewrite(apps, change) -> None:
    model = apps.get_model("fieldwork", "ContactAttempt")
    ring = keyring()
    batch = []
    rows = model.objects.filter(
        models.Q(latitude__isnull=False) | models.Q(longitude__isnull=False)
    )
    for row in rows.only("pk", *FIELDS).iterator(chunk_size=BATCH):
        for name in FIELDS:
            setattr(row, name, change(ring, getattr(row, name)))
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_update(batch, FIELDS)
            batch = []
    model.objects.bulk_update(batch, FIELDS)


def _number_text(value) -> str:
    """A stored number as text: the shortest form that reads back as the same float."""
    return repr(float(value))


def encrypt(apps, schema_editor) -> None:
    _rewrite(apps, lambda ring, v: ring.encrypt(_number_text(v)) if v not in (None, "") else None)


def decrypt(apps, schema_editor) -> None:
    _rewrite(apps, lambda ring, v: ring.decrypt(v) if v else None)


def _field(name: str, kind) -> migrations.AlterField:
    return migrations.AlterField(
        model_name="contactattempt",
        name=name,
        field=kind(blank=True, null=True, verbose_name=name),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0017_household_names_encrypted"),
    ]

    operations = [
        _field("latitude", models.TextField),
        _field("longitude", models.TextField),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        _field("latitude", common.personal.fields.EncryptedFloatField),
        _field("longitude", common.personal.fields.EncryptedFloatField),
    ]
