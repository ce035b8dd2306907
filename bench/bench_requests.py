"""One interviewer alone: what "Next case", the case page, a wizard page, the last page and
"My cases" cost per request.

Run: .venv/bin/python bench/bench_requests.py [--interviews 30] [--cases 3000]
     [--db survey_bench_requests]

Through Django's test client in one process on PostgreSQL (the database is created if
missing with the survey role, its tables flushed): a wave of `--cases` phone cases, one
interviewer who presses "Next case" and runs the whole standard interview `--interviews`
times (pages filled as bench/load_client.py fills them, each with a submission key). Prints
per request kind the median and p95 wall time, the median CPU time of this process (what the
request costs the app server, less sensitive to a busy machine than the wall time; the
database's own work is not in it) and the median number of database queries, with the
machine's load average (the wall times are only comparable at similar load). A first
interview warms the process up and is not counted.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interviews", type=int, default=30)
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--db", default="survey_bench_requests")
    args = parser.parse_args()
    url = f"postgres://survey:survey@127.0.0.1:5432/{args.db}"
    from load_test import PASSWORD, SETUP, ensure_database

    ensure_database(args.db)
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    exec(SETUP.format(cases=args.cases, interviewers=1, password=PASSWORD), {})
    times, cpu, queries = measure(args.interviews, PASSWORD)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"one interviewer, {args.interviews} interviews, PostgreSQL; load average {load}")
    print(f"{'request':<12} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'queries':>8}")
    for kind in times:
        values = sorted(times[kind])
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        print(
            f"{kind:<12} {len(values):>5} {1000 * statistics.median(values):10.1f} "
            f"{1000 * p95:8.1f} {1000 * statistics.median(cpu[kind]):7.1f} "
            f"{statistics.median(queries[kind]):8.0f}"
        )


def measure(interviews: int, password: str):
    import re

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from load_client import page_answers

    from fieldwork.models import Wave

    client = Client()
    client.login(username="iv0", password=password)
    wave = Wave.objects.get()
    kinds = ("next_case", "case_page", "page_post", "last_page", "my_cases")
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    queries: dict[str, list[int]] = {kind: [] for kind in times}
    cpu: dict[str, list[float]] = {kind: [] for kind in times}

    def timed(kind, *request, method="post"):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = getattr(client, method)(*request)
            elapsed, used = time.perf_counter() - start, time.process_time() - start_cpu
        if kind == "page_post" and response.status_code == 302:
            kind = "last_page" if "my-cases" in response["Location"] else kind
        times[kind].append(elapsed)
        cpu[kind].append(used)
        queries[kind].append(len(captured))
        if os.environ.get("SHOW_QUERIES") == kind:
            print("\n".join(q["sql"][:160] for q in captured.captured_queries), "\n")
        return response

    for number in range(interviews + 1):
        if number == 1:  # the first interview warmed the process up: not counted
            for kind in times:
                times[kind].clear()
                cpu[kind].clear()
                queries[kind].clear()
        response = timed("next_case", "/fieldwork/next-case/", {"wave": wave.pk})
        case_id = re.search(r"/cases/(\d+)/", response["Location"]).group(1)
        timed("case_page", response["Location"], method="get")
        response = client.post(f"/fieldwork/cases/{case_id}/start/", {"mode": "phone"})
        path = response["Location"]
        html = client.get(path).content.decode()
        for _page in range(40):
            response = timed("page_post", path, page_answers(html))
            if response.status_code == 302:
                break
            html = response.content.decode()
        timed("my_cases", "/fieldwork/my-cases/", method="get")
    return times, cpu, queries


if __name__ == "__main__":
    main()
