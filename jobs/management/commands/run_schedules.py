"""Enqueue the scheduled work that is due and recover jobs whose worker died.

Production runs it once a minute from a systemd timer; `--loop 60` keeps it running (make demo).
"""

import time

from django.core.management.base import BaseCommand

from jobs.schedules import run_due_schedules
from jobs.services import reap_stale_jobs


class Command(BaseCommand):
    help = "Enqueue due scheduled jobs and re-queue jobs whose worker stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Run again every SECONDS until stopped (default: once).",
        )

    def handle(self, *, loop: float, verbosity: int, **options):
        while True:
            started = run_due_schedules()
            reaped = reap_stale_jobs()
            if verbosity > 1 or (verbosity and (started or reaped)):
                self.stdout.write(f"scheduled: {started or 'nothing due'}; recovered: {reaped}")
            if not loop:
                return
            try:
                time.sleep(loop)
            except KeyboardInterrupt:
                return
