from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs import schedules
from jobs.models import Job, ScheduleRun
from jobs.tasks import CLEANUP

STARTED: list = []


@pytest.fixture
def hourly():
    def enqueue(now):
        STARTED.append(now)
        return 2

    STARTED.clear()
    schedule = schedules.register(schedules.Schedule("test_hourly", timedelta(hours=1), enqueue))
    yield schedule
    schedules._SCHEDULES.pop(schedule.name)


def test_a_schedule_runs_when_due_and_not_again_within_its_interval(db, hourly):
    now = timezone.now()

    first = schedules.run_due_schedules(now=now)
    again = schedules.run_due_schedules(now=now + timedelta(minutes=59))
    later = schedules.run_due_schedules(now=now + timedelta(minutes=61))

    assert first["test_hourly"] == 2 and "test_hourly" not in again
    assert later["test_hourly"] == 2
    assert STARTED == [now, now + timedelta(minutes=61)]
    assert ScheduleRun.objects.get(name="test_hourly").last_run_at == now + timedelta(minutes=61)


def test_run_schedules_starts_the_daily_cleanup_once_a_day(db):
    call_command("run_schedules", verbosity=0)
    call_command("run_schedules", verbosity=0)

    jobs = Job.objects.filter(kind=CLEANUP)
    assert jobs.count() == 1 and jobs.get().status == Job.Status.SUCCEEDED
