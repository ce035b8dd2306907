"""The supervisor's wave workspace on a 20,000-case wave: the case grid with filters and the
overview (with its live part), timed as whole requests (view, queries, template).

Run: .venv/bin/python bench/bench_workspace.py [--cases 20000] [--repeat 40]

Uses PostgreSQL: DATABASE_URL when it points at PostgreSQL, else
postgres://survey:survey@127.0.0.1:5432/survey_bench_workspace (created if missing; its tables
are flushed). The wave has 40 streets, 400 communities with coordinates, 30 interviewers, a
realistic mix of states (fresh, called back, appointments, in progress, completed with their
interviews, closed) and about 30,000 contact attempts. Each page is requested `repeat` times
through Django's test client by a logged-in supervisor; prints median and p95 in ms per page.
Targets (issue 17): grid with filters p95 ≤ 200 ms, overview p95 ≤ 300 ms.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from accounts.models import Organisation

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://survey:survey@127.0.0.1:5432/survey_bench_workspace"


def set_up(n_cases: int):
    """A fresh database with the wave, its people and its fieldwork so far."""
    import numpy as np
    from django.core.management import call_command

    from accounts.models import Role, User
    from fieldwork.services import waves
    from questionnaires.services import load_standard_questionnaire

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    rng = np.random.default_rng(17)
    streets, communities = _places(rng)
    draw = _sample(n_cases, streets, communities)
    version = load_standard_questionnaire()
    wave = waves.create_wave(
        name="bench",
        client=Organisation.objects.get_or_create(name="c")[0],
        questionnaire_version=version,
        draw=draw,
    )
    interviewers = [
        User.objects.create_user(username=f"iv{i}", password="x", role=Role.INTERVIEWER)
        for i in range(30)
    ]
    supervisor = User.objects.create_user(username="sup", password="x", role=Role.SUPERVISOR)
    _fieldwork(rng, wave, version, interviewers)
    return wave, supervisor, interviewers, streets


def _places(rng):
    """40 streets of 10 communities each, with coordinates."""
    from sampling.models import Level, Locality

    city = Locality.objects.create(code="C", name="平安市", level=Level.CITY)
    district = Locality.objects.create(code="D", name="城东区", parent=city, level=Level.DISTRICT)
    streets, communities = [], []
    for s in range(40):
        street = Locality.objects.create(
            code=f"S{s}", name=f"街道{s}", parent=district, level=Level.STREET
        )
        streets.append(street)
        for c in range(10):
            communities.append(
                Locality(
                    code=f"S{s}C{c}",
                    name=f"社区{s}-{c}",
                    parent=street,
                    level=Level.COMMUNITY,
                    latitude=28.0 + rng.random() * 0.4,
                    longitude=112.8 + rng.random() * 0.4,
                )
            )
    return streets, Locality.objects.bulk_create(communities)


def _sample(n_cases, streets, communities):
    from sampling.models import Draw, Frame, SampledUnit

    frame = Frame.objects.create(name="f", path="", source_name="f.csv", n_rows=n_cases)
    draw = Draw.objects.create(
        frame=frame, name="d", stratum_column="street", n_total=n_cases, seed=1
    )
    SampledUnit.objects.bulk_create(
        [
            SampledUnit(
                draw=draw,
                unit_id=f"U{i}",
                phone=f"139{i:08d}",
                stratum=streets[i % 40].code,
                locality=communities[(i % 40) * 10 + (i // 40) % 10],
                street=streets[i % 40],
                inclusion_probability=0.01,
                design_weight=100.0,
            )
            for i in range(n_cases)
        ],
        batch_size=5000,
    )
    return draw


def _fieldwork(rng, wave, version, interviewers):
    """Attempts, completed interviews, closed cases and open appointments, by chance."""
    from django.utils import timezone

    from fieldwork.models import Appointment, Case, ContactAttempt, Interview

    n_cases = wave.cases.count()
    now = timezone.now()
    cases = list(Case.objects.filter(wave=wave).order_by("id"))
    attempts, interviews, appointments, changed = [], [], [], []
    codes = ["3.13", "3.12", "3.14", "2.21", "2.111", "2.112", "4.30"]
    for i, case in enumerate(cases):
        who = interviewers[i % 30] if i < int(0.9 * n_cases) else None
        case.interviewer = who
        draw_state = rng.random()
        if who is None or draw_state < 0.35:
            changed.append(case)
            continue  # fresh
        n_attempts = int(rng.integers(1, 5))
        last = now - timedelta(hours=float(rng.integers(1, 400)))
        for k in range(n_attempts):
            at = last - timedelta(hours=4 * (n_attempts - 1 - k))
            code = codes[int(rng.integers(0, len(codes)))]
            attempts.append(
                ContactAttempt(
                    case=case,
                    interviewer=who,
                    mode="phone",
                    started_at=at,
                    ended_at=at,
                    disposition=code,
                )
            )
        case.attempts, case.last_attempt_at = n_attempts, last
        if draw_state < 0.55:
            case.status, case.disposition = Case.Status.COMPLETED, "1.1"
            attempts[-1].disposition = "1.1"
            interviews.append(
                Interview(
                    case=case,
                    questionnaire_version=version,
                    interviewer=who,
                    mode="phone",
                    status=Interview.Status.COMPLETED,
                    started_at=last - timedelta(minutes=8),
                    completed_at=last,
                    duration_seconds=int(rng.integers(300, 900)),
                )
            )
        elif draw_state < 0.65:
            case.status, case.disposition = Case.Status.CLOSED, attempts[-1].disposition
        else:
            case.disposition = attempts[-1].disposition
            if draw_state < 0.72:
                appointments.append(
                    Appointment(
                        case=case,
                        at=now + timedelta(hours=float(rng.integers(-5, 72))),
                        kind="hard" if rng.random() < 0.7 else "soft",
                        created_by=who,
                    )
                )
        changed.append(case)
    Case.objects.bulk_update(
        changed,
        ["interviewer", "status", "disposition", "attempts", "last_attempt_at"],
        batch_size=5000,
    )
    ContactAttempt.objects.bulk_create(attempts, batch_size=5000)
    Interview.objects.bulk_create(interviews, batch_size=2000)
    Appointment.objects.bulk_create(appointments, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"wave of {len(cases)} cases, {len(attempts)} attempts, {len(interviews)} interviews, "
        f"{len(appointments)} appointments"
    )


def timed(client, url: str, repeat: int) -> tuple[float, float]:
    client.get(url, secure=True)  # warm (production redirects to HTTPS)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = DEFAULT_PG
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")  # as in production: no query log
    os.environ.setdefault("SECRET_KEY", os.urandom(40).hex())
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_cati import ensure_pg_database

    ensure_pg_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.test import Client
    from django.utils.functional import empty

    # No collectstatic here: plain static URLs instead of the manifest's hashed names.
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": plain}}
    staticfiles_storage._wrapped = empty

    wave, supervisor, interviewers, streets = set_up(args.cases)
    client = Client()
    client.force_login(supervisor)
    base = f"/fieldwork/waves/{wave.pk}"
    pages = {
        "grid: default (still to do)": f"{base}/cases/",
        "grid: one interviewer's": f"{base}/cases/?interviewer={interviewers[3].pk}",
        "grid: callbacks, most attempts first": f"{base}/cases/?status=callback&sort=-attempts",
        "grid: street + open appointment, by time": (
            f"{base}/cases/?street={streets[7].pk}&appointment=open&sort=appointment"
        ),
        "grid: outcome 3.13, page 5": f"{base}/cases/?status=all&outcome=3.13&page=5",
        "grid: missed appointments, 200 a page": f"{base}/cases/?appointment=missed&per_page=200",
        "overview": f"{base}/",
        "overview live part": f"{base}/live/",
    }
    print(f"{'page':44} {'median ms':>10} {'p95 ms':>8}")
    for name, page in pages.items():
        median, p95 = timed(client, page, args.repeat)
        print(f"{name:44} {median:10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
