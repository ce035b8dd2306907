"""The QC pages a supervisor opens on a large wave: the dashboard, the review queue and the
QC export (flags CSV, decisions CSV, the XLSX workbook), timed as whole requests (view,
queries, template or file) through Django's test client by a logged-in supervisor.

The wave is bench_report's city (90 streets, ~10,000 interviews this round, built through
the demo's services, every interview through the automatic checks: ~2,500 flags and one
decision each). Prints median and p95 of --repeat requests per page, wall and CPU
milliseconds, with the machine's load average; asserts nothing.

    python bench/bench_qc_pages.py [--interviews 10000] [--repeat 7]
"""

import argparse
import os
import shutil
import time

import numpy as np
from bench_report import scratch, set_up
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qc.models import Flag, ReviewEvent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    translation.activate("zh-hans")
    start = time.perf_counter()
    users, _localities, _households, _earlier, wave = set_up(args.interviews, 1_000)
    n_flags = Flag.objects.filter(interview__case__wave=wave).count()
    n_events = ReviewEvent.objects.filter(review__interview__case__wave=wave).count()
    print(
        f"set-up {time.perf_counter() - start:.0f} s: {args.interviews:,} interviews, "
        f"{n_flags:,} flags, {n_events:,} review decisions"
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(users["supervisor"])
    export = reverse("qc:export", args=[wave.pk])
    pages = {
        "QC dashboard": (reverse("qc:dashboard", args=[wave.pk]), {}),
        "review queue, first page": (reverse("qc:review_list"), {"wave": wave.pk}),
        "QC export, flags CSV": (export, {"table": "flags"}),
        "QC export, decisions CSV": (export, {"table": "events"}),
        "QC export, XLSX workbook": (export, {"format": "xlsx"}),
    }
    print(f"{'page':<28} {'wall median':>11} {'p95':>7} {'CPU median':>11} {'p95':>7}  (ms)")
    for label, (url, query) in pages.items():
        assert client.get(url, query).status_code == 200  # untimed: the first request
        walls, cpus = [], []
        load = os.getloadavg()[0]
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(url, query)
            walls.append(1000 * (time.perf_counter() - wall))
            cpus.append(1000 * (time.process_time() - cpu))
        load = (load + os.getloadavg()[0]) / 2
        print(
            f"{label:<28} {np.median(walls):>11.0f} {np.percentile(walls, 95):>7.0f} "
            f"{np.median(cpus):>11.0f} {np.percentile(cpus, 95):>7.0f}  "
            f"({args.repeat} requests, load average {load:.1f} on {os.cpu_count()} cores)",
            flush=True,
        )
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
