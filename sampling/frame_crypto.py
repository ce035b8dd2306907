"""A frame's personal columns sealed for storage and opened again (pure: the keyring is passed).

A stored frame is two files: the Parquet file, with every column but `phone` and `address`
and with `phone_key`, the keyed hash of each number (what recent-draw exclusion compares), and
beside it `<path>.sealed`, the phone and address columns in the same row order as one Arrow
stream encrypted as one Fernet token. A copied Parquet file shows neither numbers nor
addresses, and its hashes cannot be matched without the hash key; the sealed file is opaque
without the encryption key. Reading a million households' numbers back is one decryption
(0.6 s) where a token per cell took about 25 s (bench/bench_personal_data.py). Frames stored before
encryption hold `phone` in the Parquet file and no `phone_key` (`is_sealed`); migration
sampling 0007 seals them.
"""

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from common.crypto import HASH_CHARS, Keyring, phone_keys

SEALED = ("phone", "address")  # kept in the sealed file, not in the Parquet file
KEY_COLUMN = "phone_key"
MOBILE_DIGITS = 11


def sealed_path(path: str) -> str:
    """Where the sealed personal columns of the frame stored at `path` are."""
    return f"{path}.sealed"


def is_sealed(column_names: list[str]) -> bool:
    """Whether a stored Parquet file is of a sealed frame (its numbers are elsewhere)."""
    return KEY_COLUMN in column_names and "phone" not in column_names


def seal(table: pa.Table, keyring: Keyring) -> tuple[pa.Table, bytes]:
    """(the table without its personal columns, with `phone_key`; the sealed personal
    columns)."""
    present = [name for name in SEALED if name in table.column_names]
    keys = phone_key_column(table.column("phone"), keyring)
    personal = table.select(present)
    public = table.drop_columns(present).append_column(KEY_COLUMN, keys)
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, personal.schema) as writer:
        writer.write_table(personal)
    return public, keyring.encrypt_bytes(sink.getvalue().to_pybytes())


def phone_key_column(phones: pa.ChunkedArray | pa.Array, keyring: Keyring) -> pa.Array:
    """common.crypto.phone_keys of a column of numbers, as text. A column of mobile numbers
    as validated frames hold them (11 ASCII digits each) is hashed without a Python string
    per number and its hex digits written at once; any other column value by value."""
    column = phones.combine_chunks() if isinstance(phones, pa.ChunkedArray) else phones
    texts = _eleven_digits(column)
    if texts is None:
        return pa.array(phone_keys(keyring, column.to_pylist()), pa.string())
    digests = np.frombuffer(keyring.keyed_digests("phone:", texts), dtype=np.uint8)
    half = HASH_CHARS // 2  # bytes of the digest kept, two hex digits each
    hex_digits = digests.reshape(len(texts), -1)[:, :half].tobytes().hex().encode("ascii")
    offsets = np.arange(0, HASH_CHARS * (len(texts) + 1), HASH_CHARS, dtype=np.int32)
    return pa.StringArray.from_buffers(
        len(texts), pa.py_buffer(offsets.tobytes()), pa.py_buffer(hex_digits)
    )


def _eleven_digits(column: pa.Array) -> list[bytes] | None:
    """Each number's bytes when every value is 11 ASCII digits, else None."""
    if column.type != pa.string() or column.null_count or len(column) == 0:
        return None
    _validity, offsets, data = column.buffers()
    starts = np.frombuffer(offsets, dtype=np.int32)[column.offset : column.offset + len(column) + 1]
    if starts[-1] - starts[0] != MOBILE_DIGITS * len(column):
        return None
    if (np.diff(starts) != MOBILE_DIGITS).any():
        return None
    digits = np.frombuffer(data, dtype=np.uint8)[starts[0] : starts[-1]]
    if ((digits < ord("0")) | (digits > ord("9"))).any():
        return None
    return digits.view(f"S{MOBILE_DIGITS}").tolist()


def open_sealed(token: bytes, keyring: Keyring) -> pa.Table:
    """The personal columns (phone, address) in the frame's row order."""
    with ipc.open_stream(pa.py_buffer(keyring.decrypt_bytes(token))) as reader:
        return reader.read_all()


def empty_personal(n_rows: int) -> pa.Table:
    """Personal columns of a purged frame: every number and address empty."""
    return pa.table({name: pa.array([""] * n_rows, pa.string()) for name in SEALED})
