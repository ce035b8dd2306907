"""A stored frame file's personal columns: re-encrypted under the newest key (rotation) or
emptied (a purge). The file is rewritten in place under the same name."""

import io

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from common.personal import keyring
from sampling import frame_crypto
from sampling.models import Frame

PURGED = b"personal_data_purged"  # in the file's schema metadata once its personal data went


def _read(frame: Frame) -> pa.Table | None:
    if not frame.path or not default_storage.exists(frame.path):
        return None
    with default_storage.open(frame.path, "rb") as stored:
        return pq.read_table(stored)


def _write(frame: Frame, table: pa.Table) -> None:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    default_storage.delete(frame.path)
    saved = default_storage.save(frame.path, ContentFile(buffer.getvalue()))
    if saved != frame.path:
        frame.path = saved
        frame.save(update_fields=["path"])


def holds_personal_data(frame: Frame) -> bool:
    """Whether the file still holds numbers or addresses (not yet purged; a missing file
    holds nothing)."""
    if not frame.path or not default_storage.exists(frame.path):
        return False
    with default_storage.open(frame.path, "rb") as stored:
        metadata = pq.read_schema(stored).metadata or {}
    return PURGED not in metadata


def purge_personal_columns(frame: Frame) -> int:
    """Empty the file's phone, address and keyed-hash columns (the other columns, and so the
    units, strata and counts, stay). Returns how many units had a number or an address."""
    table = _read(frame)
    if table is None:
        return 0
    present = [
        c for c in (*frame_crypto.SEALED, frame_crypto.KEY_COLUMN) if c in table.column_names
    ]
    had = pa.array([False] * table.num_rows)
    for name in present:
        column = table.column(name)
        had = pc.or_(had, pc.not_equal(pc.fill_null(column, ""), ""))
        position = table.column_names.index(name)
        table = table.set_column(position, name, pa.array([""] * table.num_rows, pa.string()))
    metadata = {**(table.schema.metadata or {}), PURGED: b"1"}
    _write(frame, table.replace_schema_metadata(metadata))
    return int(pc.sum(had).as_py() or 0)


def reencrypt(frame: Frame) -> int:
    """Re-encrypt the file's phone and address under the newest key and recompute the keyed
    hashes (a new hash key takes effect too). Returns the number of rows rewritten."""
    table = _read(frame)
    if table is None:
        return 0
    ring = keyring()
    metadata = table.schema.metadata
    if frame_crypto.is_sealed(table.column_names):
        rows = frame_crypto.open_rows(table.to_pandas(), ring)
        table = pa.Table.from_pandas(
            rows.drop(columns=[frame_crypto.KEY_COLUMN]), preserve_index=False
        )
    table = frame_crypto.seal(table, ring)
    _write(frame, table.replace_schema_metadata(metadata))
    return table.num_rows
