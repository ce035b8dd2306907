"""Sampled units' phone numbers and addresses, and every stored frame file, encrypted under
PERSONAL_DATA_KEYS (common.personal). Reversible: going back decrypts them again.

The columns first become plain text (a token is longer than a number), the rows are encrypted
as they are read in plain, then the field becomes the encrypted one (no change in the database).
"""

import io

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

import common.personal.fields
from common.personal import keyring
from sampling import frame_crypto

BATCH = 2000


def _units(apps, change) -> None:
    unit_model = apps.get_model("sampling", "SampledUnit")
    ring = keyring()
    batch = []
    for unit in unit_model.objects.only("pk", "phone", "address").iterator(chunk_size=BATCH):
        unit.phone, unit.address = change(ring, unit.phone), change(ring, unit.address)
        batch.append(unit)
        if len(batch) == BATCH:
            unit_model.objects.bulk_update(batch, ["phone", "address"])
            batch = []
    unit_model.objects.bulk_update(batch, ["phone", "address"])


def _frames(apps, sealing: bool) -> None:
    ring = keyring()
    for frame in apps.get_model("sampling", "Frame").objects.all():
        if not frame.path or not default_storage.exists(frame.path):
            continue  # a frame whose file is gone has nothing to seal
        with default_storage.open(frame.path, "rb") as stored:
            table = pq.read_table(stored)
        if frame_crypto.is_sealed(table.column_names) == sealing:
            continue
        if sealing:
            table = frame_crypto.seal(table, ring)
        else:
            rows = frame_crypto.open_rows(table.to_pandas(), ring)
            table = pa.Table.from_pandas(
                rows.drop(columns=[frame_crypto.KEY_COLUMN]), preserve_index=False
            )
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        default_storage.delete(frame.path)
        frame.path = default_storage.save(frame.path, ContentFile(buffer.getvalue()))
        frame.save(update_fields=["path"])


def encrypt(apps, schema_editor) -> None:
    _units(apps, lambda ring, text: ring.encrypt(text) if text else text)
    _frames(apps, sealing=True)


def decrypt(apps, schema_editor) -> None:
    _units(apps, lambda ring, text: ring.decrypt(text) if text else text)
    _frames(apps, sealing=False)


class Migration(migrations.Migration):
    dependencies = [
        ("sampling", "0006_locality_updated_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sampledunit",
            name="address",
            field=models.TextField(blank=True, max_length=300, verbose_name="address"),
        ),
        migrations.AlterField(
            model_name="sampledunit",
            name="phone",
            field=models.TextField(blank=True, max_length=20, verbose_name="phone"),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.AlterField(
            model_name="sampledunit",
            name="address",
            field=common.personal.fields.EncryptedTextField(
                blank=True, max_length=300, verbose_name="address"
            ),
        ),
        migrations.AlterField(
            model_name="sampledunit",
            name="phone",
            field=common.personal.fields.EncryptedTextField(
                blank=True, max_length=20, verbose_name="phone"
            ),
        ),
    ]
