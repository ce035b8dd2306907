"""Recurring work: a registry of schedules and the step that enqueues what is due.

Apps register schedules in their AppConfig.ready (e.g. qc: the QC batch of every active
wave, hourly). `manage.py run_schedules`, run every minute by a systemd timer (or looped by
`make demo`), calls `run_due_schedules`; the row lock on each schedule's ScheduleRun keeps two
machines' timers from enqueuing the same work twice.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from jobs.models import ScheduleRun

logger = logging.getLogger(__name__)

__all__ = ["Schedule", "register", "registered", "run_due_schedules"]


@dataclass(frozen=True)
class Schedule:
    name: str
    every: timedelta
    enqueue: Callable[[datetime], int]  # starts the due work; returns how many jobs it started


_SCHEDULES: dict[str, Schedule] = {}


def register(schedule: Schedule) -> Schedule:
    _SCHEDULES[schedule.name] = schedule
    return schedule


def registered() -> list[Schedule]:
    return list(_SCHEDULES.values())


def run_due_schedules(*, now: datetime | None = None) -> dict[str, int]:
    """Enqueue the work of every schedule whose interval has passed; {name: jobs started}."""
    now = now or timezone.now()
    started = {}
    for schedule in registered():
        with transaction.atomic():
            ScheduleRun.objects.get_or_create(
                name=schedule.name, defaults={"last_run_at": now - schedule.every}
            )
            run = ScheduleRun.objects.select_for_update().get(name=schedule.name)
            if now - run.last_run_at < schedule.every:
                continue
            started[schedule.name] = schedule.enqueue(now)
            run.last_run_at = now
            run.save(update_fields=["last_run_at"])
        logger.info("schedule %s: %d job(s) started", schedule.name, started[schedule.name])
    return started
