"""Report figures on a large study: a 90-street city, ~10,000 approved interviews this round
and an earlier round to compare with (trend, rank changes).

Times, each from a cold start unless said: scoring.results.wave_results (--repeat times:
median, p95 and fastest, wall and CPU seconds, and the machine's load average) in three
states: fully cold — an empty cache and no edition of the earlier round, so both rounds are
read, weighted and estimated; an empty cache with the earlier round frozen as an edition
(which keeps the round's tables in the state of its inputs: what a published earlier round
gives); and the earlier round's tables cached under that round's state, as they are while
this round is being reviewed. The fully cold state is timed first as this script's process is
after its set-up; then, after jobs.start_up.freeze_start_up_heap — the very function the job
worker (`manage.py db_worker`, which computes results in scoring.refresh.results_job) calls
once after its start-up, so the collector no longer traverses the start-up heap — the three
states are timed in turns, one run of each at a time, so that a drift in the machine's speed
falls on all three alike; every figure after it is in that state, as in the worker. Then
cached_results (warm: the second
call), the PDF (scoring.report.pdf.render_report), the XLSX workbook
(common.spreadsheets.workbook_bytes of scoring.report.tables.report_tables), the results
page GET (cold cache, then warm), the composite index at both levels (the index job's work:
scoring.editions.index_parts), and freezing an edition with every district's report (the
freeze job's work: scoring.editions.freeze_edition, 9 districts). Prints seconds and the
PDF's size and page count; asserts nothing.

Runs against a throw-away SQLite database (or DATABASE_URL if set to a scratch PostgreSQL
database). The city is built here (9 districts × 10 streets × 4–6 communities); the frame,
draws, waves, interviews and automatic QC checks go through the demo's services
(demo.rounds.simulate_round). Approval is written in one UPDATE: the review workflow is
not what is measured here.

    python bench/bench_report.py [--interviews 10000] [--earlier 5000] [--repeat 7]
"""

import argparse
import cProfile
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
scratch = Path(tempfile.mkdtemp(prefix="bench-report-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
os.environ["MEDIA_ROOT"] = str(scratch / "media")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from common import spreadsheets  # noqa: E402
from demo.city import AGE_GROUPS, MOBILE_PREFIXES  # noqa: E402
from demo.rounds import Round, simulate_round, street_effects  # noqa: E402
from demo.services import (  # noqa: E402
    ANALYST_BACKUP_CODES,
    create_users,
    set_up_analyst_second_factor,
)
from jobs.start_up import freeze_start_up_heap  # noqa: E402
from qc.models import Review  # noqa: E402
from questionnaires.services import load_standard_questionnaire  # noqa: E402
from sampling.services.frames import import_frame as import_frame_file  # noqa: E402
from sampling.services.localities import import_localities  # noqa: E402
from scoring.editions import freeze_edition, index_parts  # noqa: E402
from scoring.models import Edition  # noqa: E402
from scoring.report import pdf, tables  # noqa: E402
from scoring.results import cached_results, round_tables, wave_results  # noqa: E402

DISTRICTS = 9
STREETS_PER_DISTRICT = 10
INTERVIEWERS = 20
LOCAL = ZoneInfo("Asia/Shanghai")


def city(seed: int, households: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(localities, frame) in demo.city's shapes: 90 streets, populations by sex × age rolled
    up from communities, one household per frame row."""
    rng = np.random.default_rng(seed)
    rows = [("990100", "平安市", "", "city", "")]
    for d in range(1, DISTRICTS + 1):
        district = f"9901{d:02d}"
        rows.append((district, f"第{d}区", "990100", "district", ""))
        for s in range(1, STREETS_PER_DISTRICT + 1):
            area = ("central", "peri_urban", "rural")[(d + s) % 3]
            street = f"{district}{s:03d}"
            rows.append((street, f"第{d}区{s}号街道", district, "street", area))
            for c in range(1, int(rng.integers(4, 7)) + 1):
                rows.append((f"{street}{c:03d}", f"第{d}区{s}街{c}社区", street, "community", area))
    localities = pd.DataFrame(rows, columns=["code", "name", "parent_code", "level", "area_type"])
    populations = {}
    for code, level in zip(localities["code"], localities["level"], strict=True):
        if level == "community":
            total = rng.integers(2_500, 9_000)
            shares = rng.dirichlet(np.full(len(AGE_GROUPS), 50.0))
            populations[code] = {
                f"{sex}|{age}": int(total * share / 2)
                for age, share in zip(AGE_GROUPS, shares, strict=True)
                for sex in ("M", "F")
            }
        else:
            populations[code] = {}
    parent = dict(zip(localities["code"], localities["parent_code"], strict=True))
    for level in ("community", "street", "district"):
        for code in localities.loc[localities["level"] == level, "code"]:
            totals = populations[parent[code]]
            for key, value in populations[code].items():
                totals[key] = totals.get(key, 0) + value
    localities["population"] = localities["code"].map(populations)

    communities = localities.loc[localities["level"] == "community", "code"].to_numpy()
    numbers = rng.choice(10**8, size=households, replace=False)
    prefixes = rng.choice(MOBILE_PREFIXES, size=households)
    frame = pd.DataFrame(
        {
            "household_id": [f"H{i:07d}" for i in range(1, households + 1)],
            "phone": [f"{p}{n:08d}" for p, n in zip(prefixes, numbers, strict=True)],
            "community_code": rng.choice(communities, size=households),
            "address": [f"{i}号" for i in range(1, households + 1)],
        }
    )
    return localities, frame


def timed(label: str, function):
    start = time.perf_counter()
    result = function()
    print(f"{label:<42} {time.perf_counter() - start:>8.2f}", flush=True)
    return result


def pdf_pages(content: bytes) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True)
        return int(re.search(rb"Pages:\s+(\d+)", out.stdout).group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", content))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=10_000, help="approved, this round")
    parser.add_argument("--earlier", type=int, default=5_000, help="approved, earlier round")
    parser.add_argument(
        "--profile", action="store_true", help="then profile wave_results: where the time goes"
    )
    parser.add_argument("--repeat", type=int, default=7, help="cold wave_results runs")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    translation.activate("zh-hans")

    setup_start = time.perf_counter()
    users, localities, households, earlier, wave = set_up(args.interviews, args.earlier)
    n_streets = int((localities["level"] == "street").sum())
    n_approved = Review.objects.filter(
        interview__case__wave=wave, state=Review.State.APPROVED
    ).count()
    n_earlier = Review.objects.filter(
        interview__case__wave=earlier, state=Review.State.APPROVED
    ).count()
    print(
        f"set-up {time.perf_counter() - setup_start:.0f} s: {n_streets} streets, "
        f"{len(households):,} households, {n_approved:,} approved interviews this round, "
        f"{n_earlier:,} in the earlier round"
    )

    time_cold_results(wave, earlier, args.repeat, analyst=users["analyst"])
    print(f"{'step':<42} {'seconds':>8}")
    content, workbook = time_the_report(wave, earlier, users["analyst"])
    time_the_index(wave, earlier)
    time_the_editions(wave, users["analyst"])
    print(f"{'PDF size':<42} {len(content) / 1024:>8.0f} KiB, {pdf_pages(content)} pages")
    print(f"{'XLSX size':<42} {len(workbook) / 1024:>8.0f} KiB")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(wave_results, wave)
        ours = re.escape(str(ROOT)) + r"/(?!\.venv)"  # our code only, not the libraries
        pstats.Stats(profile).sort_stats("cumulative").print_stats(ours, 30)
    shutil.rmtree(scratch, ignore_errors=True)


def set_up(interviews: int, earlier: int):
    """The people, the city and its frame, and two rounds whose every interview is approved:
    (users, localities, households, earlier wave, this round's wave)."""
    rng = np.random.default_rng(90)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        users = create_users(INTERVIEWERS)
    version = load_standard_questionnaire(user=users["analyst"])
    localities, households = city(90, households=max(60_000, 8 * interviews))
    import_localities(rows=localities.to_dict("records"))
    frame = import_frame(households, users["analyst"])
    effects = street_effects(rng, localities)
    end = datetime.now(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    waves = []
    for name, n, effect, fieldwork_end, seed in (
        ("earlier round", earlier, effects.earlier, end - timedelta(days=91), 1),
        ("this round", interviews, effects.current, end, 2),
    ):
        # Sample exactly as many as complete: every case becomes an approved interview.
        sample = n - n % INTERVIEWERS
        wave = simulate_round(
            rng=rng,
            spec=Round(
                wave_name=f"bench {name}",
                draw_name=f"bench {name}",
                seed=seed,
                sample=sample,
                completed=sample,
                closed=0,
                street_effect=effect,
                fieldwork_end=fieldwork_end,
                finished=True,
            ),
            frame=frame,
            version=version,
            users=users,
        )
        Review.objects.filter(interview__case__wave=wave).update(state=Review.State.APPROVED)
        waves.append(wave)
    return users, localities, households, *waves


def import_frame(households: pd.DataFrame, user):
    path = scratch / "frame.csv"
    households.to_csv(path, index=False)
    with path.open("rb") as file:
        return import_frame_file(
            file=file,
            source_name="frame.csv",
            name="bench frame",
            mapping={
                "unit_id": "household_id",
                "phone": "phone",
                "locality_code": "community_code",
                "address": "address",
            },
            user=user,
        )


def time_cold_results(wave, earlier, repeat: int, *, analyst) -> None:
    """wave_results from an empty cache with no edition of the earlier round (fully cold),
    first before freezing the start-up heap as the job worker does; then, after it, in three
    states timed in turns — fully cold, the earlier round frozen (its edition keeps its
    tables), only the earlier round's tables cached — so that a drift in the machine's speed
    (a virtual machine's neighbours) falls on the three alike. For the fully cold turns the
    edition's state key is blanked, so that no edition holds the round's current state.
    Median, p95 and fastest of `repeat` runs each, wall and CPU, with the load average."""
    cache.clear()
    wave_results(wave)  # untimed: every block below then runs in a process past its first call
    report_runs("fully cold, start-up heap not frozen", *timed_runs(wave, repeat))
    frozen = freeze_start_up_heap()  # what the job worker does after its start-up
    print(f"start-up heap frozen as the job worker does: {frozen:,} objects")
    edition = freeze_edition(wave=earlier, user=analyst)
    states = {
        "fully cold, start-up heap frozen as in the worker": ("", None),
        "empty cache, earlier round frozen": (edition.inputs_state, None),
        "earlier round cached": (edition.inputs_state, earlier),
    }
    runs = {label: ([], []) for label in states}
    load_before = os.getloadavg()[0]
    for _ in range(repeat):
        for label, (inputs_state, warm) in states.items():
            Edition.objects.filter(pk=edition.pk).update(inputs_state=inputs_state)
            walls, cpus, _load = timed_runs(wave, 1, warm=warm)
            runs[label][0].extend(walls)
            runs[label][1].extend(cpus)
    load = (load_before + os.getloadavg()[0]) / 2
    for label, (walls, cpus) in runs.items():
        report_runs(f"{label} (in turns)", walls, cpus, load)


def timed_runs(wave, repeat: int, warm=None) -> tuple[list, list, float]:
    """(wall seconds, CPU seconds, load average) of `repeat` runs of wave_results from an empty
    cache (holding only the tables of the round `warm`, when given)."""
    walls, cpus = [], []
    load_before = os.getloadavg()[0]
    for _ in range(repeat):
        cache.clear()
        if warm is not None:
            round_tables(warm)
        start, cpu = time.perf_counter(), time.process_time()
        wave_results(wave)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, (load_before + os.getloadavg()[0]) / 2


def report_runs(label: str, walls: list, cpus: list, load: float) -> None:
    print(
        f"wave_results, {label}: wall median {np.median(walls):.2f} s, "
        f"p95 {np.percentile(walls, 95):.2f} s, fastest {min(walls):.2f} s; CPU median "
        f"{np.median(cpus):.2f} s, p95 {np.percentile(cpus, 95):.2f} s, fastest "
        f"{min(cpus):.2f} s ({len(walls)} runs, load average {load:.1f} on {os.cpu_count()} "
        "cores)",
        flush=True,
    )


def time_the_index(wave, earlier) -> None:
    """The index job's work from an empty cache: the composite index and its short boards at
    both levels, against the earlier round (scoring.editions.index_parts)."""
    cache.clear()
    found = timed("composite index, both levels (cold)", lambda: index_parts(wave))
    assert found["district"]["previous_wave"] == earlier.name


def time_the_editions(wave, analyst) -> None:
    """Freezing an edition: the wave's report and every district's (PDF and workbook into
    the file storage), as the freeze job does it."""
    cache.clear()
    steps = []
    start = time.perf_counter()
    edition = freeze_edition(
        wave=wave, user=analyst, progress=lambda done, total, message, **kw: steps.append(done)
    )
    seconds = time.perf_counter() - start
    parts = list(edition.districts.all())
    size = sum(part.pdf.size + part.xlsx.size for part in parts)
    print(
        f"{'edition with ' + str(len(parts)) + ' district reports':<42} {seconds:>8.2f}"
        f"  ({size / 1024:.0f} KiB of district files, {max(steps)} progress steps)"
    )


def time_the_report(wave, earlier, analyst) -> tuple[bytes, bytes]:
    """Time each way of getting the report, printing a line per step: (PDF, XLSX)."""
    cache.clear()
    report = timed("wave_results (cold)", lambda: wave_results(wave))
    assert report["previous_wave"] == earlier.name
    cache.clear()
    timed("cached_results (first call, computes)", lambda: cached_results(wave))
    timed("cached_results (warm)", lambda: cached_results(wave))
    font = finders.find("fonts/wqy-microhei.ttc")
    content = timed("PDF render_report", lambda: pdf.render_report(report, font_path=font))
    workbook = timed(
        "XLSX workbook_bytes(report_tables)",
        lambda: spreadsheets.workbook_bytes(tables.report_tables(report)),
    )
    client = Client()
    client.force_login(analyst)
    set_up_analyst_second_factor()  # the demo's published authenticator and backup codes
    client.post(reverse("accounts:second_factor_verify"), {"code": ANALYST_BACKUP_CODES[0]})
    url = reverse("scoring:results") + f"?wave={wave.pk}"
    cache.clear()
    page = timed("results page GET (cold cache)", lambda: client.get(url))
    assert page.status_code == 200, page.status_code
    timed("results page GET (warm cache)", lambda: client.get(url))
    timed("results page GET, streets (warm)", lambda: client.get(url + "&level=street"))
    return content, workbook


if __name__ == "__main__":
    main()
