"""A frame's stored files: the Parquet file and its sealed personal columns
(sampling.frame_crypto), written, re-encrypted under the newest key (rotation) or emptied of
numbers and addresses (a purge)."""

import io
import os
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile

from common.personal import keyring
from sampling import frame_crypto
from sampling.models import Frame

# Dictionaries pay only for repeating values; Snappy cannot shrink hex digits; no column's
# statistics are written (nothing reads a frame by row group: it is read whole). A third of
# the default's time to write, and faster to read.
UNIQUE_COLUMNS = ("unit_id", frame_crypto.KEY_COLUMN)


def _write_parquet(table: pa.Table, where) -> None:
    """The table as Parquet. Dictionary columns (the fast import's locality codes) are
    written from their dictionary, unhashed; the file holds no Arrow schema, so that every
    column reads back as the text it is, and the table's metadata (the phone keys' scheme)
    is written as the file's own."""
    repeating = [name for name in table.column_names if name not in UNIQUE_COLUMNS]
    with pq.ParquetWriter(
        where,
        table.schema,
        store_schema=False,
        use_dictionary=repeating,
        write_statistics=False,
        compression={
            name: "none" if name == frame_crypto.KEY_COLUMN else "snappy"
            for name in table.column_names
        },
    ) as writer:
        writer.write_table(table)
        if table.schema.metadata:
            writer.add_key_value_metadata(table.schema.metadata)


def _parquet_file(table: pa.Table) -> io.BytesIO:
    buffer = io.BytesIO()
    _write_parquet(table, buffer)
    buffer.seek(0)
    return buffer


def _parquet_on_disk(table: pa.Table) -> TemporaryUploadedFile:
    """The Parquet file written to a temporary file, as a large upload is: a file system
    storage moves it into place rather than copying it, and the import holds none of its
    40 MB in memory (Arrow writes it natively, without the GIL)."""
    upload = TemporaryUploadedFile("frame.parquet", "application/vnd.apache.parquet", 0, None)
    try:
        _write_parquet(table, upload.temporary_file_path())
        upload.size = os.path.getsize(upload.temporary_file_path())
    except BaseException:
        upload.close()
        raise
    return upload


def _parquet_bytes(table: pa.Table) -> bytes:
    return _parquet_file(table).getvalue()


def store_sealed(rows: pa.Table, path: str) -> str:
    """Store a frame's rows: the Parquet file without phone and address at `path` (or the
    name the storage gives), the sealed columns beside it. Returns the Parquet file's name.

    The sealed columns are compressed and encrypted on a second thread while this one keys
    the numbers and writes the Parquet file: Arrow's writers, Zstandard and AES let go of
    the GIL, so on two cores a million rows' import waits for the longer of the two rather
    than their sum. Both files are saved here, one after the other, only once both are made."""
    ring = keyring()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seal") as pool:
        sealing = pool.submit(frame_crypto.sealed_part, rows, ring)
        with _parquet_on_disk(frame_crypto.public_part(rows, ring)) as public:
            sealed = sealing.result()
            saved = default_storage.save(path, public)
    try:
        default_storage.save(frame_crypto.sealed_path(saved), ContentFile(sealed))
    except BaseException:
        default_storage.delete(saved)
        raise
    return saved


def _replace(path: str, content: bytes) -> None:
    """Write `content` under `path` exactly (the storage would otherwise pick a new name)."""
    default_storage.delete(path)
    saved = default_storage.save(path, ContentFile(content))
    if saved != path:  # the name was freed just before: another process took it
        raise OSError(f"the storage stored {saved} instead of {path}")


def _public(frame: Frame) -> pa.Table | None:
    if not frame.path or not default_storage.exists(frame.path):
        return None
    with default_storage.open(frame.path, "rb") as stored:
        return pq.read_table(stored)


def holds_personal_data(frame: Frame) -> bool:
    """Whether the frame's files still hold numbers or addresses."""
    if not frame.path or not default_storage.exists(frame.path):
        return False
    if default_storage.exists(frame_crypto.sealed_path(frame.path)):
        return True
    with default_storage.open(frame.path, "rb") as stored:
        names = pq.read_schema(stored).names
    return not frame_crypto.is_sealed(names)  # stored before encryption: numbers in clear


def purge_personal_columns(frame: Frame) -> int:
    """Delete the sealed columns (numbers, addresses, the frame's extra columns) and empty the
    keyed hashes (units and their localities stay). Returns how many units had a number."""
    table = _public(frame)
    if table is None:
        return 0
    numbers = next((c for c in (frame_crypto.KEY_COLUMN, "phone") if c in table.column_names), "")
    had = sum(1 for value in table.column(numbers).to_pylist() if value) if numbers else 0
    table = table.select([c for c in table.column_names if c in frame_crypto.PUBLIC])
    table = table.append_column(
        frame_crypto.KEY_COLUMN, pa.array([""] * table.num_rows, pa.string())
    )
    _replace(frame.path, _parquet_bytes(table))
    default_storage.delete(frame_crypto.sealed_path(frame.path))
    return had


def reencrypt(frame: Frame) -> int:
    """Seal the frame's personal columns again under the newest key and recompute the keyed
    hashes (a new hash key takes effect too). Returns the number of rows rewritten (0 for a
    purged frame or a missing file)."""
    table = _public(frame)
    if table is None or not holds_personal_data(frame):
        return 0
    ring = keyring()
    if frame_crypto.is_sealed(table.column_names):
        with default_storage.open(frame_crypto.sealed_path(frame.path), "rb") as stored:
            personal = frame_crypto.open_sealed(stored.read(), ring)
        table = table.drop_columns([frame_crypto.KEY_COLUMN])
        for name in personal.column_names:
            table = table.append_column(name, personal.column(name))
    public, sealed = frame_crypto.seal(table, ring)
    _replace(frame.path, _parquet_bytes(public))
    _replace(frame_crypto.sealed_path(frame.path), sealed)
    return table.num_rows
