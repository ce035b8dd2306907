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

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from common.crypto import HASH_CHARS, Keyring, phone_keys

SEALED = ("phone", "address")  # always in the sealed file, never in the Parquet file
PUBLIC = ("unit_id", "locality_code", "street_code", "district_code")  # where, not who
KEY_COLUMN = "phone_key"
MOBILE_DIGITS = 11
HASH_SLICE = 1 << 16  # numbers hashed at a time: their Python objects stay a few MB
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
    return public_part(table, keyring, public), sealed_part(table, keyring, public)


def _sealed_names(table: pa.Table, public: tuple[str, ...]) -> list[str]:
    return [name for name in table.column_names if name not in public or name in SEALED]


def public_part(table: pa.Table, keyring: Keyring, public: tuple[str, ...] = PUBLIC) -> pa.Table:
    """The table with only its `public` columns and `phone_key` (what the Parquet file
    holds)."""
    keys = phone_key_column(table.column("phone"), keyring)
    return table.drop_columns(_sealed_names(table, public)).append_column(KEY_COLUMN, keys)


def sealed_part(table: pa.Table, keyring: Keyring, public: tuple[str, ...] = PUBLIC) -> bytes:
    """Every column but the `public` ones (phone and address always) in the table's row
    order, sealed."""
    personal = table.select(_sealed_names(table, public))
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, personal.schema, options=_COMPRESSED) as writer:
        writer.write_table(personal)
    stream = sink.getvalue().to_pybytes()
    del sink  # Arrow's copy of the stream, let go (to the OS) before the token is made
    pa.default_memory_pool().release_unused()
    return keyring.encrypt_bytes(stream)


def phone_key_column(phones: pa.ChunkedArray | pa.Array, keyring: Keyring) -> pa.Array:
    """common.crypto.phone_keys of a column of numbers, as text. A column of mobile numbers
    as validated frames hold them (11 ASCII digits each) is hashed straight from its bytes,
    a slice at a time (a Python object per number for a slice only), and its hex digits
    written into one buffer; any other column value by value."""
    column = phones.combine_chunks() if isinstance(phones, pa.ChunkedArray) else phones
    digits = _eleven_digits(column)
    if digits is None:
        return pa.array(phone_keys(keyring, column.to_pylist()), pa.string())
    rows = len(digits)
    hex_digits = np.empty((rows, HASH_CHARS), dtype=np.uint8)
    for start in range(0, rows, HASH_SLICE):
        texts = digits[start : start + HASH_SLICE].ravel().view(f"S{MOBILE_DIGITS}").tolist()
        found = np.frombuffer(keyring.keyed_digests("phone:", texts), dtype=np.uint8)
        kept = found.reshape(len(texts), -1)[:, : HASH_CHARS // 2].tobytes()  # 2 hex digits a byte
        hex_digits[start : start + len(texts)] = np.frombuffer(
            kept.hex().encode("ascii"), dtype=np.uint8
        ).reshape(len(texts), HASH_CHARS)
    offsets = np.arange(0, HASH_CHARS * (rows + 1), HASH_CHARS, dtype=np.int32)
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(hex_digits))


def _eleven_digits(column: pa.Array) -> np.ndarray | None:
    """The numbers' bytes, a row of 11 per number, when every value is 11 ASCII digits;
    else None."""
    if column.type != pa.string() or column.null_count or len(column) == 0:
        return None
    _validity, offsets, data = column.buffers()
    starts = np.frombuffer(offsets, dtype=np.int32)[column.offset : column.offset + len(column) + 1]
    if data is None or (np.diff(starts) != MOBILE_DIGITS).any():
        return None
    digits = np.frombuffer(data, dtype=np.uint8)[starts[0] : starts[-1]]
    if ((digits < ord("0")) | (digits > ord("9"))).any():
        return None
    return digits.reshape(-1, MOBILE_DIGITS)


def open_sealed(token: bytes, keyring: Keyring) -> pa.Table:
    """The sealed columns (phone, address, the frame's extra columns) in the frame's row
    order."""
    with ipc.open_stream(pa.py_buffer(keyring.decrypt_bytes(token))) as reader:
        return reader.read_all()


def empty_personal(n_rows: int, names: tuple[str, ...] = SEALED) -> pa.Table:
    """Sealed columns of a purged frame: every number, address and extra value empty."""
    return pa.table({name: pa.array([""] * n_rows, pa.string()) for name in names})
