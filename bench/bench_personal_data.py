"""Benchmark encryption at rest of a frame: what sealing (Fernet tokens for phone and address,
the keyed hash of every number) adds to a frame import, and what opening costs a read.

A frame of N households (default 1,000,000) with 11-digit mobiles and Chinese addresses,
`--repeat` runs of each step on the same Arrow table: sampling.frame_crypto.seal (the import's
extra step: the keyed hash of every number, and phone and address as one encrypted Arrow
stream) and frame_crypto.open_sealed (what load_frame adds when it reads phone or address).
For comparison, a token per cell (Keyring.encrypt_many on both columns), the design the sealed
stream replaced. Pure: no database.

Run: .venv/bin/python bench/bench_personal_data.py [--rows N] [--repeat R] [--extra E]
(`--extra E`: E more columns of 18-character text, sealed with phone and address.)
Prints median and slowest (p95 with few runs is the slowest) seconds per step.
"""

import argparse
import base64
import os
import statistics
import sys
import time
from pathlib import Path

import pyarrow as pa
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common.crypto import Keyring  # noqa: E402
from sampling import frame_crypto  # noqa: E402


def _frame(rows: int, extra: int) -> pa.Table:
    """`extra` more columns like another system's frame carries (a name, an ID number, a
    building type …), which are sealed with the numbers."""
    columns = {
        "unit_id": [f"H{i:07d}" for i in range(rows)],
        "phone": [f"139{i:08d}" for i in range(rows)],
        "address": [f"幸福路{i % 9999}号{i % 37}栋{i % 601}室" for i in range(rows)],
        "locality_code": ["320102001001"] * rows,
    }
    for k in range(extra):
        columns[f"extra_{k}"] = [f"3201021980{(i * 7 + k) % 10**8:08d}" for i in range(rows)]
    return pa.table(columns)


def _time(step, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--extra", type=int, default=0, help="extra frame columns, sealed too")
    args = parser.parse_args()
    ring = Keyring(
        fernet_keys=(Fernet.generate_key().decode(),),
        hash_key=base64.urlsafe_b64decode(base64.urlsafe_b64encode(os.urandom(32))),
    )
    table = _frame(args.rows, args.extra)
    _public, sealed = frame_crypto.seal(table, ring)
    phones, addresses = table.column("phone").to_pylist(), table.column("address").to_pylist()
    steps = {
        "seal (hash every number, encrypt the sealed columns as one stream)": lambda: (
            frame_crypto.seal(table, ring)
        ),
        "open (decrypt the sealed columns)": lambda: frame_crypto.open_sealed(sealed, ring),
        "for comparison: a token per cell": lambda: (
            ring.encrypt_many(phones),
            ring.encrypt_many(addresses),
        ),
    }
    print(f"{args.rows:,} households, {args.extra} extra columns, {args.repeat} runs each")
    for name, step in steps.items():
        times = _time(step, args.repeat)
        print(f"  {name}: median {statistics.median(times):.2f} s, slowest {max(times):.2f} s")


if __name__ == "__main__":
    main()
