"""Benchmark what sealing location answers costs the interviews' answers column
(common.personal.SealedJSONField) against a plain JSONField, on reading and on saving.

N interviews (default 20,000) of 60 answers each, read as the database hands them over (the
JSON text): a plain JSONField's from_db_value; SealedJSONField's on rows without a location
answer (the raw text searched for the mark, then read as JSONField reads it); and on rows with
one sealed location answer (a JSON object hook, one Fernet decryption per row). Saving: one
page's answers (get_prep_value) with and without a location answer. No database: the field's
conversions alone, with the development keys of the settings.

Run: .venv/bin/python bench/bench_sealed_answers.py [--rows N] [--repeat R]
Prints median and p95 seconds per step (over R runs).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import models  # noqa: E402

from common.crypto import Sealed  # noqa: E402
from common.personal import SealedJSONField  # noqa: E402


def _answers(k: int, located: bool) -> dict:
    answers = {f"/p{q // 10}/q{q}": str((k + q) % 5 + 1) for q in range(60)}
    if located:
        answers["/home/where"] = Sealed(f"30.{k:06d} 120.{k:06d} 0 5")
    return answers


def _timed(step, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    plain_field, sealed_field = models.JSONField(), SealedJSONField()
    plain_rows = [json.dumps(_answers(k, False)) for k in range(args.rows)]
    sealed_rows = [json.dumps(sealed_field.get_prep_value(_answers(k, True)))
                   for k in range(args.rows)]  # fmt: skip
    page, located_page = _answers(1, False), _answers(1, True)
    steps = {
        f"read {args.rows} rows, JSONField": lambda: [
            plain_field.from_db_value(r, None, None) for r in plain_rows
        ],
        f"read {args.rows} rows, SealedJSONField, no location": lambda: [
            sealed_field.from_db_value(r, None, None) for r in plain_rows
        ],
        f"read {args.rows} rows, SealedJSONField, one location each": lambda: [
            sealed_field.from_db_value(r, None, None) for r in sealed_rows
        ],
        "save one page x1000, JSONField": lambda: [
            plain_field.get_prep_value(page) for _ in range(1000)
        ],
        "save one page x1000, SealedJSONField, no location": lambda: [
            sealed_field.get_prep_value(page) for _ in range(1000)
        ],
        "save one page x1000, SealedJSONField, a location": lambda: [
            sealed_field.get_prep_value(located_page) for _ in range(1000)
        ],
    }
    for name, step in steps.items():
        median, p95 = _timed(step, args.repeat)
        print(f"{name:58s} median {median:.4f} s  p95 {p95:.4f} s")


if __name__ == "__main__":
    main()
