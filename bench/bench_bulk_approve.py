"""Approving a wave's clean interviews in bulk (qc.services.reviews.bulk_approve, the review
list's "approve all clean interviews in this filter"), in the request that asks for it: a
supervisor proposes every clean interview of the wave, then a QC lead confirms them all.

The wave is bench_report's (the same city, frame and simulated round, built through the demo's
services) with every review set back to clean. Prints each step's wall time and queries for
--interviews interviews and the machine's load; asserts nothing. Runs against a throw-away
SQLite database (or DATABASE_URL if set to a scratch PostgreSQL database).

    python bench/bench_bulk_approve.py [--interviews 5000]
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_report  # noqa: E402  (sets up Django on a scratch database)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from qc.models import Review  # noqa: E402
from qc.services.reviews import bulk_approve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=5_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    translation.activate("zh-hans")
    users, _localities, _households, _earlier, wave = bench_report.set_up(args.interviews, 100)
    reviews = Review.objects.filter(interview__case__wave=wave)
    reviews.update(state=Review.State.CLEAN)
    lead = User.objects.create(username="bench-lead", role=Role.ANALYST)
    load = os.getloadavg()[0]
    for label, user in (("supervisor proposes", users["supervisor"]), ("QC lead confirms", lead)):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            moved = bulk_approve(reviews=reviews, user=user)
            seconds = time.perf_counter() - start
        print(
            f"bulk approval, {label}: {moved:,} interviews in {seconds:.2f} s, "
            f"{len(queries.captured_queries)} queries (load average {load:.1f} on "
            f"{os.cpu_count()} cores)"
        )


if __name__ == "__main__":
    main()
