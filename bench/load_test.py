"""Load test: gunicorn (4 sync workers) on PostgreSQL with 50 interviewers, a supervisor and
an analyst, over HTTP on 127.0.0.1 (bench/load_client.py is the client).

Run: .venv/bin/python bench/load_test.py [--minutes 5] [--pace 5-15] [--interviewers 50]
     [--kill-at 0.5] [--interview-share 0.3] [--cases 6000] [--db survey_load]

Each run builds a fresh database (PostgreSQL, created if missing with the survey role; its
tables flushed): the standard questionnaire, a wave of `--cases` phone cases over 40 streets
with calling windows round the clock, the interviewers, a supervisor and an analyst. It starts
gunicorn with the project's config (config/gunicorn.conf.py: DEBUG off, as deployed), runs the
people for `--minutes` with `--pace` seconds of think time between actions, and reports per
request kind p50/p95/p99 both inside the worker (gunicorn's request time in its access log) and
at the client (which adds the wait for a free worker), errors, throughput and each worker's
peak memory (RSS, sampled every second). `--kill-at F` SIGKILLs one worker F of the way through
(gunicorn starts another). Afterwards, from the database: no case went to two interviewers;
every page the server acknowledged is stored (its key, applied); every interview the client saw
finish is completed; no case is left claimed without an attempt beyond one per interviewer; and
the quality checks a job worker (`manage.py db_worker`, started beside gunicorn) runs on each
completed interview have all run: every completed interview has its review.
"""

import argparse
import asyncio
import base64
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import load_client  # noqa: E402

PASSWORD = "load-test-password-1"
ACCESS = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+)" (?P<status>\d+) \S+ (?P<ms>\d+)ms')


def environment(db: str, port: int, static: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://survey:survey@127.0.0.1:5432/{db}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "PERSONAL_DATA_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(32),
        "SECURE_SSL_REDIRECT": "0",
        "OTP_REQUIRED_FOR_ANALYSTS": "0",
        "RATE_LIMIT_LOGIN": "1000/m",
        "RATE_LIMIT_LOGIN_USER": "1000/h",
        "STATIC_ROOT": str(static),
        "GUNICORN_WORKERS": "4",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }


def ensure_database(db: str) -> None:
    import psycopg

    with psycopg.connect(
        "postgres://survey:survey@127.0.0.1:5432/postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
            conn.execute(f'CREATE DATABASE "{db}"')


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


SETUP = """
from accounts.models import Organisation, Role, User
from fieldwork.models import Wave
from fieldwork.services import waves
from questionnaires.services import load_standard_questionnaire
from sampling.models import Draw, Frame, Level, Locality, SampledUnit
city = Locality.objects.create(code="C", name="平安市", level=Level.CITY)
district = Locality.objects.create(code="D", name="城东区", parent=city, level=Level.DISTRICT)
streets = [Locality.objects.create(code=f"S{{i:02d}}", name=f"街道{{i}}", parent=district,
           level=Level.STREET) for i in range(40)]
places = [Locality.objects.create(code=f"{{s.code}}C1", name=f"{{s.name}}社区", parent=s,
          level=Level.COMMUNITY) for s in streets]
frame = Frame.objects.create(name="f", path="", source_name="f.csv", n_rows={cases})
draw = Draw.objects.create(frame=frame, name="d", stratum_column="street", n_total={cases}, seed=1)
SampledUnit.objects.bulk_create([SampledUnit(draw=draw, unit_id=f"U{{i}}", phone=f"139{{i:08d}}",
    stratum=streets[i % 40].code, locality=places[i % 40], street=streets[i % 40],
    inclusion_probability=0.01, design_weight=100.0) for i in range({cases})], batch_size=2000)
wave = waves.create_wave(name="load", client=Organisation.objects.get_or_create(name="c")[0],
    questionnaire_version=load_standard_questionnaire(), draw=draw)
Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.FIELDWORK,
    weekday_windows="00:00-23:59", weekend_windows="00:00-23:59")
for i in range({interviewers}):
    User.objects.create_user(username=f"iv{{i}}", password="{password}", role=Role.INTERVIEWER)
User.objects.create_user(username="sup", password="{password}", role=Role.SUPERVISOR)
User.objects.create_user(username="ana", password="{password}", role=Role.ANALYST)
print("WAVE", wave.pk)
"""


def set_up(env: dict, cases: int, interviewers: int) -> int:
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "flush", "--no-input", "--verbosity", "0")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    code = SETUP.format(cases=cases, interviewers=interviewers, password=PASSWORD)
    out = manage(env, "shell", "-c", code)
    return int(re.search(r"WAVE (\d+)", out).group(1))


def workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pss_mb(pid: int) -> float:
    """Proportional set size: pages shared with other processes count by their share."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def watch_memory(master: int, peaks: dict[int, float], stop: threading.Event) -> None:
    while not stop.wait(1.0):
        for pid in workers(master):
            peaks[pid] = max(peaks.get(pid, 0.0), rss_mb(pid))


def supervisor_paths(wave: int) -> list[str]:
    return [
        "/fieldwork/waves/",
        f"/fieldwork/waves/{wave}/",
        f"/fieldwork/waves/{wave}/live/",
        "/qc/",
        f"/qc/waves/{wave}/dashboard/",
    ]


def analyst_paths(wave: int) -> list[str]:
    return ["/results/", "/sampling/", "/questionnaires/", f"/fieldwork/waves/{wave}/"]


async def people(args, base: str, wave: int, record, on_half) -> None:
    pace = tuple(float(x) for x in args.pace.split("-"))
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        crew = [load_client.Person(http, base, record) for _ in range(args.interviewers + 2)]
        names = [f"iv{i}" for i in range(args.interviewers)] + ["sup", "ana"]
        for person, name in zip(crew, names, strict=True):  # one after another: the login
            await person.login(name, PASSWORD)  # rate limits apply per address
        record.stop_at = time.monotonic() + args.minutes * 60
        tasks = [
            load_client.interviewer(p, wave, pace, args.interview_share)
            for p in crew[: args.interviewers]
        ]
        tasks.append(load_client.browser(crew[-2], supervisor_paths(wave), pace, "supervisor"))
        tasks.append(load_client.browser(crew[-1], analyst_paths(wave), pace, "analyst"))
        tasks.append(on_half(record))
        await asyncio.gather(*tasks)


def server_kind(method: str, path: str, status: str) -> str:
    if path.startswith("/fieldwork/next-case/"):
        return "next_case"
    if re.fullmatch(r"/fieldwork/interviews/\d+/", path):
        if method == "GET":
            return "wizard_get"
        return "last_page" if status == "302" else "page_post"
    if re.fullmatch(r"/fieldwork/cases/\d+/", path):
        return "case_page"
    for pattern, kind in (
        (r"/fieldwork/cases/\d+/attempt/", "outcome"),
        (r"/fieldwork/cases/\d+/start/", "start"),
        (r"/fieldwork/my-cases/", "my_cases"),
        (r"/login/", "login"),
    ):
        if re.fullmatch(pattern, path):
            return kind
    return "browse"


def server_times(log: Path, since: float) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for line in log.read_text(errors="replace").splitlines():
        found = ACCESS.search(line)
        if found:
            kind = server_kind(found["method"], found["path"], found["status"])
            times.setdefault(kind, []).append(int(found["ms"]) / 1000)
    return times


def quantiles(values: list[float]) -> str:
    if not values:
        return f"{'-':>8} {'-':>8} {'-':>8}"
    ordered = sorted(values)

    def at(q: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return f"{1000 * statistics.median(ordered):8.1f} {at(0.95):8.1f} {at(0.99):8.1f}"


def checks(db: str, record) -> list[str]:
    """The run's promises, read back from the database."""
    import psycopg

    with psycopg.connect(f"postgres://survey:survey@127.0.0.1:5432/{db}") as conn:
        twice = conn.execute(
            "SELECT count(*) FROM (SELECT case_id FROM fieldwork_contactattempt "
            "GROUP BY case_id HAVING count(DISTINCT interviewer_id) > 1) t"
        ).fetchone()[0]
        keys = record.acknowledged
        stored = conn.execute(
            "SELECT count(*) FROM fieldwork_submissionkey WHERE applied AND key = ANY(%s)",
            [keys],
        ).fetchone()[0]
        completed = conn.execute(
            "SELECT count(*) FROM fieldwork_interview i WHERE i.status = 'completed' "
            "AND i.case_id = ANY(%s)",
            [record.completed],
        ).fetchone()[0]
        held = conn.execute(
            "SELECT interviewer_id, count(*) FROM fieldwork_case WHERE status = 'pending' "
            "AND interviewer_id IS NOT NULL AND attempts = 0 GROUP BY interviewer_id"
        ).fetchall()
        reviewed = _wait_for_checks(conn)
    shared = sum(1 for holders in record.handed.values() if len(holders) > 1)
    stuck = sum(count - 1 for _who, count in held if count > 1)
    return [
        f"cases handed to two interviewers: {shared} (client) / {twice} (attempts in database)",
        f"acknowledged pages stored: {stored} of {len(keys)} (lost: {len(keys) - stored})",
        f"interviews seen finishing that are completed: {completed} of {len(record.completed)}",
        f"cases claimed and never tried beyond one per interviewer: {stuck}",
        "completed interviews checked by the job worker (with a review): "
        f"{reviewed[0]} of {reviewed[1]}, {reviewed[2]:.0f} s after the run",
    ]


def _wait_for_checks(conn, timeout: float = 120) -> tuple[int, int, float]:
    """(reviewed, completed, seconds waited): the checks queued by the last pages run."""
    started = time.monotonic()
    while True:
        reviewed, completed = conn.execute(
            "SELECT count(r.id), count(i.id) FROM fieldwork_interview i "
            "LEFT JOIN qc_review r ON r.interview_id = i.id WHERE i.status = 'completed'"
        ).fetchone()
        waited = time.monotonic() - started
        if reviewed >= completed or waited > timeout:
            return reviewed, completed, waited
        time.sleep(1)


def report(args, record, server: dict, peaks: dict, seconds: float, load: str) -> None:
    print(
        f"\n{args.interviewers} interviewers, pace {args.pace} s, {args.minutes} min, "
        f"gunicorn 4 workers, PostgreSQL; load before/after: {load}"
    )
    header = (
        f"{'request':<12} {'n':>6}  {'worker p50/p95/p99 ms':>26}  {'client p50/p95/p99 ms':>26}"
    )
    print(header)
    kinds = sorted(set(record.times) | set(server))
    for kind in kinds:
        client = record.times.get(kind, [])
        print(
            f"{kind:<12} {len(client):>6}  {quantiles(server.get(kind, []))}  {quantiles(client)}"
        )
    total = sum(len(v) for v in record.times.values())
    print(
        f"throughput: {total / seconds:.1f} requests/s; {len(record.completed)} interviews "
        f"completed ({60 * len(record.completed) / seconds:.1f}/min)"
    )
    print(f"errors: {dict(record.errors) or 'none'}")
    print("worker peak RSS MB: " + ", ".join(f"{mb:.0f}" for mb in sorted(peaks.values())))
    print(
        "worker RSS / PSS MB at the end: "
        + ", ".join(f"{rss_mb(pid):.0f}/{pss_mb(pid):.0f}" for pid in workers(record.master))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--pace", default="5-15", help="think time between actions, seconds")
    parser.add_argument("--interviewers", type=int, default=50)
    parser.add_argument("--interview-share", type=float, default=0.3)
    parser.add_argument("--cases", type=int, default=6000)
    parser.add_argument("--kill-at", type=float, default=None, help="share of the run, 0–1")
    parser.add_argument("--db", default="survey_load")
    parser.add_argument("--port", type=int, default=8721)
    args = parser.parse_args()
    ensure_database(args.db)
    workdir = Path(tempfile.mkdtemp(prefix="load-"))
    env = environment(args.db, args.port, workdir / "static")
    wave = set_up(env, args.cases, args.interviewers)
    log = workdir / "access.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    with (workdir / "worker.log").open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        run(args, env, server, wave, log)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    import urllib.error
    import urllib.request

    for _ in range(120):
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not start")


def uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def run(args, env, server: subprocess.Popen, wave: int, log: Path) -> None:
    wait_until_up(args.port, server)
    time.sleep(2)  # every worker booted
    peaks: dict[int, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch_memory, args=(server.pid, peaks, stop), daemon=True)
    watcher.start()
    record = load_client.Record()
    record.master = server.pid
    killed: list[int] = []

    async def on_half(record) -> None:
        if args.kill_at is None:
            return
        await asyncio.sleep(max(0.0, record.stop_at - time.monotonic()) * args.kill_at)
        victim = workers(server.pid)[0]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
        print(f"SIGKILL worker {victim} at {args.kill_at:.0%} of the run", flush=True)

    load_before = uptime()
    started = time.monotonic()
    asyncio.run(people(args, f"http://127.0.0.1:{args.port}", wave, record, on_half))
    seconds = time.monotonic() - started
    stop.set()
    time.sleep(1)
    report(args, record, server_times(log, started), peaks, seconds, f"{load_before} / {uptime()}")
    if killed:
        print(f"worker {killed[0]} was killed; gunicorn now runs {len(workers(server.pid))}")
    for line in checks(args.db, record):
        print(line)


if __name__ == "__main__":
    main()
