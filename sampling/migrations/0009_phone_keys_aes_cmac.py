"""Every stored frame's phone keys (the Parquet file's `phone_key` column) recomputed under
the current scheme, AES-CMAC (common.crypto.PHONE_KEY_SCHEME), from its sealed numbers, and
the file labelled with the scheme. Nothing else stores a phone key: the keys of sampled units,
contacts and interviews are computed from their encrypted numbers when compared. Reversible:
going back writes HMAC-SHA256 keys ("phone:" and the number, the first 128 bits) again,
unlabelled. A purged frame (no sealed file) has no keys to recompute."""

import io

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations

from common.crypto import normal_phone
from common.personal import keyring
from sampling import frame_crypto


def _write(path: str, content: bytes) -> None:
    default_storage.delete(path)
    default_storage.save(path, ContentFile(content))


def _rekey(apps, current: bool) -> None:
    ring = keyring()
    for frame in apps.get_model("sampling", "Frame").objects.all():
        sealed_path = frame_crypto.sealed_path(frame.path) if frame.path else ""
        if not sealed_path or not default_storage.exists(sealed_path):
            continue  # no file, stored in clear (sampling 0007 seals it) or purged
        with default_storage.open(frame.path, "rb") as stored:
            table = pq.read_table(stored)
        if frame_crypto.keys_current(table.schema) == current:
            continue
        with default_storage.open(sealed_path, "rb") as stored:
            phones = frame_crypto.open_sealed(stored.read(), ring).column("phone")
        if current:
            keys = frame_crypto.phone_key_column(phones, ring)
        else:
            numbers = [normal_phone(phone) for phone in phones.to_pylist()]
            keys = pa.array(ring.keyed_hashes("phone:", numbers), pa.string())
        position = table.column_names.index(frame_crypto.KEY_COLUMN)
        table = table.set_column(position, frame_crypto.KEY_COLUMN, keys)
        if current:
            table = frame_crypto.with_scheme(table)
        else:
            metadata = dict(table.schema.metadata or {})
            metadata.pop(frame_crypto.SCHEME_FIELD, None)
            table = table.replace_schema_metadata(metadata)
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        _write(frame.path, buffer.getvalue())


def forwards(apps, schema_editor) -> None:
    _rekey(apps, current=True)


def backwards(apps, schema_editor) -> None:
    _rekey(apps, current=False)


class Migration(migrations.Migration):
    dependencies = [
        ("sampling", "0008_frame_extra_columns_sealed"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
