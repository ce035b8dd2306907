"""Reading another system's export: a Kobo-shaped CSV of the standard questionnaire (group
paths, select_multiple as a column and 0/1 columns, Kobo's own columns) through the shared
table reader, the column mapping and the cell checks. No database: what the import does
before it writes. Prints the median and p95 wall time of --repeat runs and the peak resident
memory. Asserts nothing.

    python bench/bench_external_import.py [--interviews 20000] [--repeat 5]
"""

import argparse
import csv
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from common.tables import read_table  # noqa: E402
from common.tables.texts import limits  # noqa: E402
from fieldwork.external.columns import map_columns  # noqa: E402
from fieldwork.external.rows import read_rows  # noqa: E402
from questionnaires.services import STANDARD_XLSX  # noqa: E402
from questionnaires.xlsform import parse_xlsform  # noqa: E402
from tests.fieldwork.external.test_services import _kobo_rows  # noqa: E402


def export(n: int) -> bytes:
    header, rows = _kobo_rows(n)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    definition = parse_xlsform(STANDARD_XLSX.read_bytes(), STANDARD_XLSX.name).definition
    data = export(args.interviews)
    zone = ZoneInfo("Asia/Shanghai")
    times, reading = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        table = read_table(data, name="kobo.csv", limits=limits("interviews"))
        reading.append(time.perf_counter() - start)
        mapping, problems = map_columns(list(table.frame.columns), definition)
        rows, problems = read_rows(table.frame, mapping, zone=zone)
        times.append(time.perf_counter() - start)
        assert not problems and len(rows) == args.interviews
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    median = statistics.median(times)
    print(
        f"{args.interviews:,} interviews, {len(data) / 1e6:.1f} MB, {args.repeat} runs: "
        f"median {median:.2f} s (reading the file {statistics.median(reading):.2f} s), "
        f"p95 {p95:.2f} s, peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
