"""'Next case' under load: latency (median, p95) and throughput with 50 interviewers at once.

Run: .venv/bin/python bench/bench_cati.py [--interviewers 50] [--cases 2000] [--only pg|sqlite]

Each simulated interviewer is a thread with its own database connection that presses "Next
case" (fieldwork.services.next_case.assign_next_case, the real service with the scheduler)
and records a final outcome for the case it got, until no case is left. Checked at the end:
every case handed out exactly once. Runs once on PostgreSQL (DATABASE_URL when it points at
PostgreSQL, else postgres://survey:survey@127.0.0.1:5432/survey_bench, created if missing; its
tables are flushed) and once on a fresh SQLite file (the embedded default: WAL, IMMEDIATE
transactions).
Each database runs in a child process because Django reads its settings once per process.
A single interviewer first takes a few cases alone: the uncontended latency. With 50 threads
in one Python process the scheduler's pandas work is serialised by the GIL, so latency under
load is mostly queueing for the interpreter; a call centre runs several worker processes.
Prints the figures; asserts nothing beyond correctness.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://survey:survey@127.0.0.1:5432/survey_bench"
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def ensure_pg_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def child(url: str, interviewers: int, cases: int) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    if url.startswith("postgres"):
        ensure_pg_database(url)
    import django

    django.setup()
    from django.db import connection

    wave, users = set_up(interviewers, cases)
    solo_handed = alone(wave, users[0], cases)
    connection.close()
    latencies, handed, errors, wall = all_at_once(wave, users)
    report(connection.vendor, interviewers, cases, solo_handed, latencies, handed, errors, wall)


def set_up(interviewers: int, cases: int):
    """A fresh database with a wave of `cases` cases over 20 streets, and the interviewers."""
    from django.core.management import call_command

    from accounts.models import Organisation, Role, User
    from fieldwork.services import waves
    from questionnaires.services import load_standard_questionnaire
    from sampling.models import Draw, Frame, Level, Locality, SampledUnit

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    city = Locality.objects.create(code="C", name="平安市", level=Level.CITY)
    district = Locality.objects.create(code="D", name="城东区", parent=city, level=Level.DISTRICT)
    streets = [
        Locality.objects.create(code=f"S{i}", name=f"街道{i}", parent=district, level=Level.STREET)
        for i in range(20)
    ]
    frame = Frame.objects.create(name="f", path="", source_name="f.csv", n_rows=cases)
    draw = Draw.objects.create(
        frame=frame, name="d", stratum_column="street", n_total=cases, seed=1
    )
    SampledUnit.objects.bulk_create(
        [
            SampledUnit(
                draw=draw,
                unit_id=f"U{i}",
                phone=f"139{i:08d}",
                stratum=streets[i % 20].code,
                locality=streets[i % 20],
                street=streets[i % 20],
                inclusion_probability=0.01,
                design_weight=100.0,
            )
            for i in range(cases)
        ],
        batch_size=2000,
    )
    wave = waves.create_wave(
        name="bench",
        client=Organisation.objects.get_or_create(name="c")[0],
        questionnaire_version=load_standard_questionnaire(),
        draw=draw,
    )
    users = [
        User.objects.create_user(username=f"iv{i}", password="x", role=Role.INTERVIEWER)
        for i in range(interviewers)
    ]
    return wave, users


def alone(wave, user, cases: int) -> int:
    """Baseline: one interviewer alone, so the cost of one "Next case" is seen without the
    50 threads competing for this process's GIL. Prints it; returns the cases handed out."""
    from django.db import connection

    from fieldwork.services import attempts, next_case

    solo = []
    for _ in range(min(100, cases // 10)):
        start = time.perf_counter()
        taken = next_case.assign_next_case(wave=wave, interviewer=user, now=MONDAY_10)
        solo.append((time.perf_counter() - start) * 1000)
        attempts.record_attempt(case=taken.case, interviewer=user, mode="phone", disposition="4.30")
    solo.sort()
    print(
        f"{connection.vendor:<10} 1 interviewer alone: next-case median="
        f"{statistics.median(solo):.1f} ms p95={solo[int(round(0.95 * (len(solo) - 1)))]:.1f} ms"
    )
    return len(solo)


def all_at_once(wave, users):
    """Every interviewer a thread pressing "Next case" until none is left:
    (latencies in s, case ids handed out, errors, wall time in s)."""
    from django.db import connection

    from fieldwork.services import attempts, next_case

    latencies: list[float] = []
    handed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(users))

    def work(user):
        mine, mine_handed = [], []
        try:
            barrier.wait()
            while True:
                start = time.perf_counter()
                taken = next_case.assign_next_case(wave=wave, interviewer=user, now=MONDAY_10)
                mine.append(time.perf_counter() - start)
                if taken is None:
                    break
                mine_handed.append(taken.case.pk)
                attempts.record_attempt(
                    case=taken.case, interviewer=user, mode="phone", disposition="4.30"
                )
        except BaseException as error:  # counted and reported below
            errors.append(error)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                handed.extend(mine_handed)

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, handed, errors, time.perf_counter() - wall


def report(vendor, interviewers, cases, solo_handed, latencies, handed, errors, wall) -> None:
    """Print latency and throughput, and whether every case left after the baseline was
    handed out exactly once."""
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    print(
        f"{vendor:<10} interviewers={interviewers} cases={cases} "
        f"next-case median={statistics.median(ms):.1f} ms p95={p95:.1f} ms "
        f"throughput={len(handed) / wall:.0f} cases/s (next case + outcome) wall={wall:.1f} s"
    )
    ok = len(handed) == len(set(handed)) == cases - solo_handed and not errors
    print(
        f"{vendor:<10} handed out {len(handed)} ({len(set(handed))} distinct) of the "
        f"{cases - solo_handed} left; "
        f"errors={len(errors)}{' ' + repr(errors[0]) if errors else ''}; "
        f"{'OK' if ok else 'FAILED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviewers", type=int, default=50)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--only", choices=["pg", "sqlite"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.interviewers, args.cases)
        return
    env_url = os.environ.get("DATABASE_URL", "")
    pg_url = env_url if env_url.startswith("postgres") else DEFAULT_PG
    with tempfile.TemporaryDirectory() as tmp:
        urls = {"pg": pg_url, "sqlite": f"sqlite:///{tmp}/bench.sqlite3"}
        for key, url in urls.items():
            if args.only and key != args.only:
                continue
            command = [
                sys.executable,
                __file__,
                "--child",
                url,
                "--interviewers",
                str(args.interviewers),
                "--cases",
                str(args.cases),
            ]
            result = subprocess.run(command, cwd=ROOT, check=False)
            if result.returncode:
                print(f"{key}: failed (exit {result.returncode})")


if __name__ == "__main__":
    main()
