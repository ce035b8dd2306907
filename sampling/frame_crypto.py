"""A frame's personal columns sealed for storage and opened again (pure: the keyring is passed).

A stored frame is two files: the Parquet file, with only the columns that place a unit
(`PUBLIC`: its id and locality codes) and `phone_key`, the keyed hash of each number (what
recent-draw exclusion compares), and beside it `<path>.sealed`, every other column (phone,
address and the frame's own extra columns, which from another system's frame may be a name or
an ID number) in the same row order as one Arrow stream encrypted as one Fernet token. A copied
Parquet file shows neither numbers, addresses nor anything the frame carried beside them, and
its hashes cannot be matched without the hash key; the sealed file is opaque without the
encryption key. Reading a million households' numbers back is one decryption of an
LZ4-compressed stream (0.2 s; 0.4 s with three extra columns) where a token per cell took
8–9 s (bench/bench_personal_data.py). Frames stored before
encryption hold `phone` in the Parquet file and no `phone_key` (`is_sealed`); migration
sampling 0007 seals them.
"""

import pyarrow as pa
import pyarrow.ipc as ipc

from common.crypto import Keyring, phone_keys

SEALED = ("phone", "address")  # always in the sealed file, never in the Parquet file
PUBLIC = ("unit_id", "locality_code", "street_code", "district_code")  # where, not who
KEY_COLUMN = "phone_key"
# Compressed before encryption: fewer bytes to encrypt and store (a reader needs no option).
_COMPRESSED = ipc.IpcWriteOptions(compression="lz4")


def sealed_path(path: str) -> str:
    """Where the sealed personal columns of the frame stored at `path` are."""
    return f"{path}.sealed"


def is_sealed(column_names: list[str]) -> bool:
    """Whether a stored Parquet file is of a sealed frame (its numbers are elsewhere)."""
    return KEY_COLUMN in column_names and "phone" not in column_names


def seal(
    table: pa.Table, keyring: Keyring, public: tuple[str, ...] = PUBLIC
) -> tuple[pa.Table, bytes]:
    """(the table with only its `public` columns and `phone_key`; every other column sealed).
    `phone` and `address` are sealed whatever `public` says."""
    present = [name for name in table.column_names if name not in public or name in SEALED]
    keys = phone_keys(keyring, table.column("phone").to_pylist())
    personal = table.select(present)
    public = table.drop_columns(present).append_column(KEY_COLUMN, pa.array(keys, pa.string()))
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, personal.schema, options=_COMPRESSED) as writer:
        writer.write_table(personal)
    return public, keyring.encrypt_bytes(sink.getvalue().to_pybytes())


def open_sealed(token: bytes, keyring: Keyring) -> pa.Table:
    """The sealed columns (phone, address, the frame's extra columns) in the frame's row
    order."""
    with ipc.open_stream(pa.py_buffer(keyring.decrypt_bytes(token))) as reader:
        return reader.read_all()


def empty_personal(n_rows: int, names: tuple[str, ...] = SEALED) -> pa.Table:
    """Sealed columns of a purged frame: every number, address and extra value empty."""
    return pa.table({name: pa.array([""] * n_rows, pa.string()) for name in names})
