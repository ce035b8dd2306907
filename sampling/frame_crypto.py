"""A frame's personal columns sealed for storage and opened again (pure: the keyring is passed).

Stored Parquet holds `phone` and `address` as Fernet tokens and `phone_key`, the keyed hash of
the number, which recent-draw exclusion compares: a copied frame file shows neither numbers nor
addresses, and its hashes cannot be matched without the hash key. Frames stored before
encryption have no `phone_key` column (`is_sealed`) and are sealed by migration
sampling 0007.
"""

import pandas as pd
import pyarrow as pa

from common.crypto import Keyring, phone_keys

SEALED = ("phone", "address")  # encrypted in the stored file
KEY_COLUMN = "phone_key"


def is_sealed(column_names: list[str]) -> bool:
    return KEY_COLUMN in column_names


def seal(table: pa.Table, keyring: Keyring) -> pa.Table:
    """`table` with its phone and address encrypted and `phone_key` appended."""
    phones = table.column("phone").to_pylist()
    table = table.append_column(KEY_COLUMN, pa.array(phone_keys(keyring, phones), pa.string()))
    for name in SEALED:
        if name in table.column_names:
            position = table.column_names.index(name)
            tokens = keyring.encrypt_many(table.column(name).to_pylist())
            table = table.set_column(position, name, pa.array(tokens, pa.string()))
    return table


def open_rows(rows: pd.DataFrame, keyring: Keyring) -> pd.DataFrame:
    """`rows` with phone and address (those present) decrypted, in place and returned."""
    for name in SEALED:
        if name in rows.columns:
            rows[name] = keyring.decrypt_many(rows[name].tolist())
    return rows
