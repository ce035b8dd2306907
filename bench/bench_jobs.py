"""How long background jobs wait in the queue on the demo, with the worker `make demo` runs.

A throw-away SQLite database (or DATABASE_URL, a scratch PostgreSQL database) gets the full
demo; one `db_worker` process runs (as in `make demo`; WORKERS=2 for two). Jobs arrive one every
ARRIVAL seconds in the mix a working day produces: a wave's results (each language), its
interviewer-risk ranking, its QC batch, and a locality import. Prints, per kind and overall,
the wait (queued → started) and the run time (started → finished): median and p95, with the
machine's load average. Asserts nothing.

    python bench/bench_jobs.py
"""

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
scratch = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
os.environ["MEDIA_ROOT"] = str(scratch / "media")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402

from accounts.models import User  # noqa: E402
from demo.services import load_demo  # noqa: E402
from jobs.models import Job  # noqa: E402
from qc.risk.services import risk_or_job  # noqa: E402
from qc.tasks import start_qc_batch  # noqa: E402
from sampling.models import Locality  # noqa: E402
from sampling.services.import_jobs import start_locality_import  # noqa: E402
from scoring.results import results_or_job  # noqa: E402

JOBS = int(os.environ.get("JOBS", 40))
ARRIVAL = float(os.environ.get("ARRIVAL", 1.0))
WORKERS = int(os.environ.get("WORKERS", 1))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def locality_file() -> io.BytesIO:
    rows = ["code,name,parent_code,level"] + [
        f"{loc.code},{loc.name},{loc.parent.code if loc.parent else ''},{loc.level}"
        for loc in Locality.objects.select_related("parent").order_by("level", "code")[:400]
    ]
    return io.BytesIO("\n".join(rows).encode())


def arrivals(wave, analyst):
    """The i-th job of the mix; results and rankings start from a cold cache each time."""
    mix = ["results:zh-hans", "results:en", "risk", "qc_batch", "localities"]
    for i in range(JOBS):
        kind = mix[i % len(mix)]
        if kind.startswith("results") or kind == "risk":
            cache.clear()  # a review decision between two readers: the state changed
        if kind.startswith("results"):
            with translation.override(kind.split(":")[1]):
                yield results_or_job(wave=wave, user=analyst)[1]
        elif kind == "risk":
            yield risk_or_job(wave=wave, user=analyst)[1]
        elif kind == "qc_batch":
            yield start_qc_batch(wave=wave, user=analyst)
        else:
            yield start_locality_import(file=locality_file(), source_name="t.csv", user=analyst)


def main() -> None:
    call_command("migrate", verbosity=0)
    wave = load_demo(say=lambda line: None)
    analyst = User.objects.get(username="analyst")
    Job.objects.all().delete()
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    workers = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload", "-v0"],
            cwd=ROOT,
            env=env,
        )
        for _ in range(WORKERS)
    ]
    try:
        time.sleep(3)  # the workers start
        started = []
        for job in arrivals(wave, analyst):
            if job is not None:
                started.append(job.pk)
            time.sleep(ARRIVAL)
        deadline = time.monotonic() + 600
        while Job.objects.filter(pk__in=started, finished_at=None).exists():
            if time.monotonic() > deadline:
                raise SystemExit("jobs did not finish within 10 minutes")
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait()
    report(Job.objects.filter(pk__in=started))


def report(jobs) -> None:
    rows: dict[str, list[tuple[float, float]]] = {}
    for job in jobs:
        wait = (job.started_at - job.created_at).total_seconds()
        run = (job.finished_at - job.started_at).total_seconds()
        rows.setdefault(job.kind, []).append((wait, run))
        rows.setdefault("all", []).append((wait, run))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{len(jobs)} jobs, one every {ARRIVAL:g} s, {WORKERS} worker(s); load average {load}")
    print(f"{'kind':<18} {'n':>3} {'wait p50':>9} {'wait p95':>9} {'run p50':>9} {'run p95':>9}")
    for kind, figures in sorted(rows.items(), key=lambda item: (item[0] == "all", item[0])):
        waits, runs = [w for w, _ in figures], [r for _, r in figures]
        print(
            f"{kind:<18} {len(figures):>3} {statistics.median(waits):>8.2f}s "
            f"{percentile(waits, 0.95):>8.2f}s {statistics.median(runs):>8.2f}s "
            f"{percentile(runs, 0.95):>8.2f}s"
        )


if __name__ == "__main__":
    main()
