"""A frame's personal columns sealed for storage and opened again (pure: the keyring is passed).

A stored frame is two files: the Parquet file, with only the columns that place a unit
(`PUBLIC`: its id and locality codes) and `phone_key`, the keyed hash of each number (what
recent-draw exclusion compares), and beside it `<path>.sealed`, every other column (phone,
address and the frame's own extra columns, which from another system's frame may be a name or
an ID number) in the same row order as one Arrow stream encrypted as one Fernet token. A copied
Parquet file shows neither numbers, addresses nor anything the frame carried beside them, and
its hashes cannot be matched without the hash key (their scheme, common.crypto's
PHONE_KEY_SCHEME, is in the file's metadata: `keys_current`); the sealed file is opaque without the
encryption key. Reading a million households' numbers back is one decryption of an
Zstandard-compressed stream (0.2 s; 0.4 s with three extra columns) where a token per cell took
8–9 s (bench/bench_personal_data.py). Frames stored before
encryption hold `phone` in the Parquet file and no `phone_key` (`is_sealed`); migration
sampling 0007 seals them.
"""

import binascii

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from common.crypto import HASH_CHARS, PHONE_KEY_SCHEME, Keyring, phone_keys

SEALED = ("phone", "address")  # always in the sealed file, never in the Parquet file
PUBLIC = ("unit_id", "locality_code", "street_code", "district_code")  # where, not who
KEY_COLUMN = "phone_key"
SCHEME_FIELD = b"phone_key_scheme"  # the Parquet file's metadata naming its keys' scheme
MOBILE_DIGITS = 11
KEY_SLICE = 1 << 16  # numbers keyed at a time
# Compressed before encryption: fewer bytes to encrypt and store (a reader needs no option;
# streams written with LZ4 before read as they are). Zstandard's fast level makes a million
# numbers and addresses 10.6 MB against LZ4's 18.5 MB, in less time, and the token made from
# it half the cost.
_COMPRESSED = ipc.IpcWriteOptions(compression="zstd")


def sealed_path(path: str) -> str:
    """Where the sealed personal columns of the frame stored at `path` are."""
    return f"{path}.sealed"


def keys_current(schema: pa.Schema) -> bool:
    """Whether a stored frame's `phone_key` column holds keys of the current scheme (files
    written before it hold HMAC-SHA256 keys: recompute, never compare)."""
    return (schema.metadata or {}).get(SCHEME_FIELD) == PHONE_KEY_SCHEME.encode("ascii")


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
    public_table = table.drop_columns(_sealed_names(table, public)).append_column(KEY_COLUMN, keys)
    return with_scheme(public_table)


def with_scheme(table: pa.Table) -> pa.Table:
    """The table labelled as holding phone keys of the current scheme."""
    metadata = dict(table.schema.metadata or {})
    metadata[SCHEME_FIELD] = PHONE_KEY_SCHEME.encode("ascii")
    return table.replace_schema_metadata(metadata)


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
    as validated frames hold them (11 ASCII digits each) is keyed straight from its bytes, an
    AES call for many numbers (common.cmac), its hex digits written into one buffer; any
    other column value by value. A slice of numbers at a time: the blocks encrypted stay a
    megabyte, and memory once written is written again rather than asked of the system."""
    column = phones
    if isinstance(phones, pa.ChunkedArray):  # combining copies even a single chunk
        column = phones.chunk(0) if phones.num_chunks == 1 else phones.combine_chunks()
    digits = _eleven_digits(column)
    if digits is None:
        return pa.array(phone_keys(keyring, column.to_pylist()), pa.string())
    rows = len(digits)
    hex_digits = np.empty((rows, HASH_CHARS), dtype=np.uint8)
    for start in range(0, rows, KEY_SLICE):
        found = keyring.phone_digests_of_columns(digits[start : start + KEY_SLICE])
        hexed = binascii.hexlify(np.ascontiguousarray(found[:, : HASH_CHARS // 2]))
        hex_digits[start : start + len(found)] = np.frombuffer(hexed, np.uint8).reshape(
            -1, HASH_CHARS
        )
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
