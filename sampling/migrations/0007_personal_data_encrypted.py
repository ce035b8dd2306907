"""Sampled units' phone numbers and addresses, and every stored frame file's, encrypted under
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


def _write(path: str, content: bytes) -> None:
    default_storage.delete(path)
    default_storage.save(path, ContentFile(content))


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _frames(apps, sealing: bool) -> None:
    """Seal every frame stored in clear (or, going back, put its numbers back in clear)."""
    ring = keyring()
    for frame in apps.get_model("sampling", "Frame").objects.all():
        if not frame.path or not default_storage.exists(frame.path):
            continue  # a frame whose file is gone has nothing to seal
        with default_storage.open(frame.path, "rb") as stored:
            table = pq.read_table(stored)
        sealed_path = frame_crypto.sealed_path(frame.path)
        if sealing and not frame_crypto.is_sealed(table.column_names):
            public, sealed = frame_crypto.seal(table, ring)
            _write(sealed_path, sealed)
            _write(frame.path, _parquet(public))
        elif not sealing and frame_crypto.is_sealed(table.column_names):
            if default_storage.exists(sealed_path):
                with default_storage.open(sealed_path, "rb") as stored:
                    personal = frame_crypto.open_sealed(stored.read(), ring)
            else:  # purged: its numbers are gone for good
                personal = frame_crypto.empty_personal(table.num_rows)
            plain = table.drop_columns([frame_crypto.KEY_COLUMN])
            for name in personal.column_names:
                plain = plain.append_column(name, personal.column(name))
            _write(frame.path, _parquet(plain.select(_order(frame, plain.column_names))))
            default_storage.delete(sealed_path)


def _order(frame, names: list[str]) -> list[str]:
    """The frame's own column order (Frame.columns), then anything else."""
    own = [c for c in frame.columns if c in names]
    return own + [c for c in names if c not in own]


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
