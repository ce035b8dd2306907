"""django-tasks-db's `db_worker`, with a heartbeat.

Same command, same options. While it runs, a thread writes the worker's Worker row every
JOBS_HEARTBEAT_SECONDS and recovers jobs of workers that stopped (jobs.services.
reap_stale_jobs), so a worker killed mid-job on one machine has its job run again by a live one.
Before its first job it freezes its start-up heap (jobs.start_up), so the collector's full
collections during jobs no longer traverse Django, pandas and the job modules.
"""

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from jobs.services import forget_worker, reap_stale_jobs, record_heartbeat
from jobs.start_up import freeze_start_up_heap

logger = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, interval: float):
        super().__init__(name="jobs-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.beat()
                self.stopping.wait(self.interval)
            forget_worker(worker_id=self.worker_id)
        finally:
            connection.close()  # this thread's own connection

    def beat(self) -> None:
        """One heartbeat and one recovery round. A failure (the database restarting, a dropped
        connection) is logged and the next beat tries again on a fresh connection: a worker
        whose heartbeat stopped would have its jobs run twice."""
        try:
            close_old_connections()
            record_heartbeat(worker_id=self.worker_id, started_at=self.started_at)
            reap_stale_jobs()
        except Exception as exc:  # noqa: BLE001 - the thread must outlive any one failure
            logger.error("heartbeat of %s failed: %s", self.worker_id, type(exc).__name__)
            connection.close()


class Command(db_worker.Command):
    help = "Run background jobs (django-tasks' database worker), with heartbeats."

    def handle(self, *args, **options):
        # Under the autoreloader only the child process runs jobs.
        runs_jobs = not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        heartbeat = Heartbeat(options["worker_id"], settings.JOBS_HEARTBEAT_SECONDS)
        if runs_jobs:
            heartbeat.start()
            if not options["batch"]:  # a long-running worker, not a one-off drain
                frozen = freeze_start_up_heap()
                logger.info("worker %s: %d start-up objects frozen", options["worker_id"], frozen)
        try:
            super().handle(*args, **options)
        finally:
            if runs_jobs:
                heartbeat.stopping.set()
                heartbeat.join(timeout=5)
