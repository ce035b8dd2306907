"""Every stored frame's extra columns (beyond the unit's id and locality codes) moved from the
Parquet file into its sealed file (sampling.frame_crypto): a frame from another system may
carry names or ID numbers there. Reversible: going back puts them in the Parquet file again,
sealing only numbers and addresses as before.

A frame purged before this migration kept its extra columns in clear; they are sealed too (with
empty numbers and addresses) so that the next purge of its wave removes them."""

import io

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations

from common.personal import keyring
from sampling import frame_crypto


def _write(path: str, content: bytes) -> None:
    default_storage.delete(path)
    default_storage.save(path, ContentFile(content))


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _whole(frame, public: pa.Table, ring) -> pa.Table:
    """The frame's rows, its sealed columns opened and put back beside the public ones."""
    sealed_path = frame_crypto.sealed_path(frame.path)
    if default_storage.exists(sealed_path):
        with default_storage.open(sealed_path, "rb") as stored:
            personal = frame_crypto.open_sealed(stored.read(), ring)
    else:  # purged: no numbers or addresses any more
        personal = frame_crypto.empty_personal(public.num_rows)
    table = public.drop_columns([frame_crypto.KEY_COLUMN])
    for name in personal.column_names:
        if name not in table.column_names:
            table = table.append_column(name, personal.column(name))
    return table


def _reseal(apps, public_columns) -> None:
    ring = keyring()
    for frame in apps.get_model("sampling", "Frame").objects.all():
        if not frame.path or not default_storage.exists(frame.path):
            continue
        with default_storage.open(frame.path, "rb") as stored:
            public = pq.read_table(stored)
        if not frame_crypto.is_sealed(public.column_names):
            continue  # in clear: not a file this migration's predecessor left
        table = _whole(frame, public, ring)
        keep = tuple(public_columns(table.column_names))
        if sorted(keep + (frame_crypto.KEY_COLUMN,)) == sorted(public.column_names):
            continue  # already sealed this way
        had_numbers = any(public.column(frame_crypto.KEY_COLUMN).to_pylist())
        new_public, sealed = frame_crypto.seal(table, ring, public=keep)
        if not had_numbers:  # a purged frame stays without keyed hashes
            new_public = new_public.set_column(
                new_public.column_names.index(frame_crypto.KEY_COLUMN),
                frame_crypto.KEY_COLUMN,
                pa.array([""] * new_public.num_rows, pa.string()),
            )
        _write(frame_crypto.sealed_path(frame.path), sealed)
        _write(frame.path, _parquet(new_public))


def seal_extra_columns(apps, schema_editor) -> None:
    _reseal(apps, lambda names: [n for n in names if n in frame_crypto.PUBLIC])


def unseal_extra_columns(apps, schema_editor) -> None:
    _reseal(apps, lambda names: [n for n in names if n not in frame_crypto.SEALED])


class Migration(migrations.Migration):
    dependencies = [
        ("sampling", "0007_personal_data_encrypted"),
    ]

    operations = [
        migrations.RunPython(seal_extra_columns, unseal_extra_columns, elidable=False),
    ]
