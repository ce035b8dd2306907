"""Pipeline figures on the full demo: load, QC batch check, scoring, PDF, page latencies.

Runs against a throw-away SQLite database (or DATABASE_URL if set to a scratch PostgreSQL
database). Prints figures; asserts nothing.

    python bench/bench_pipeline.py
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
scratch = Path(tempfile.mkdtemp(prefix="bench-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
os.environ["MEDIA_ROOT"] = str(scratch / "media")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from demo.services import ANALYST_BACKUP_CODES, PASSWORD, load_demo  # noqa: E402
from fieldwork.models import Case, Interview  # noqa: E402
from fieldwork.services import interviews as fieldwork  # noqa: E402
from qc.services.checks import check_interviews  # noqa: E402
from scoring.report import pdf  # noqa: E402
from scoring.results import wave_results  # noqa: E402


def timed(label: str, function, repeat: int = 1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    figure = min(times) if repeat > 1 else times[0]
    print(
        f"{label:<58} {figure * 1000:>10.1f} ms" + (f"  (best of {repeat})" if repeat > 1 else "")
    )
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    wave = timed(
        "load_demo (200k frame, 4.8k sample, 3.3k interviews)",
        lambda: load_demo(say=lambda line: None),
    )
    completed = Interview.objects.filter(case__wave=wave, status="completed")
    n = timed(
        "QC batch re-check of every completed interview",
        lambda: check_interviews(interviews=completed),
        repeat=3,
    )
    print(f"{'  interviews checked':<58} {n:>10}")
    results = timed("scoring: wave results (all tables)", lambda: wave_results(wave), repeat=3)
    font = finders.find("fonts/wqy-microhei.ttc")
    content = timed(
        "PDF report rendered", lambda: pdf.render_report(results, font_path=font), repeat=3
    )
    print(f"{'  PDF size':<58} {len(content) / 1024:>10.0f} KiB")

    client = Client()
    client.login(username="interviewer01", password=PASSWORD)
    timed(
        "GET my cases (interviewer)", lambda: client.get(reverse("fieldwork:my_cases")), repeat=20
    )

    case = Case.objects.filter(interviewer__username="interviewer01", status="pending").first()
    interview = fieldwork.start_interview(case=case, interviewer=case.interviewer, mode="phone")
    url = reverse("fieldwork:interview", args=[interview.pk])
    client.get(url)
    prefix = f"interview_{interview.pk}"  # the wizard's per-interview storage prefix
    latencies = []
    for _ in range(60):  # answer the opening page again and again: one save per POST
        data = {f"{prefix}-current_step": "opening", "opening-consent": "yes"}
        client.post(url, {"wizard_goto_step": "opening", f"{prefix}-current_step": "opening"})
        start = time.perf_counter()
        client.post(url, data)
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    median, p95 = statistics.median(latencies), latencies[int(len(latencies) * 0.95)]
    print(f"{'wizard page POST (save + next page), median':<58} {median * 1000:>10.1f} ms")
    print(f"{'wizard page POST, 95th percentile':<58} {p95 * 1000:>10.1f} ms")
    supervisor = Client()
    supervisor.login(username="supervisor", password=PASSWORD)
    timed(
        "GET review queue (supervisor)",
        lambda: supervisor.get(reverse("qc:review_list")),
        repeat=10,
    )
    analyst = Client()
    analyst.login(username="analyst", password=PASSWORD)
    # the second factor: a backup code the demo prints
    analyst.post(reverse("accounts:second_factor_verify"), {"code": ANALYST_BACKUP_CODES[0]})
    timed("GET results page (analyst)", lambda: analyst.get(reverse("scoring:results")), repeat=5)


if __name__ == "__main__":
    main()
