"""Background jobs as people see them, the workers that run them, and when schedules last ran.

A Job is the product's record of one piece of long work (an import, a QC batch, a wave's
results): what it is, who started it, how far it got and how it ended. The task queue
(django-tasks with the database backend) only carries "run job N"; everything shown on a page
lives here, so the queue backend can change without the pages noticing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=64)  # a code registered in jobs.kinds
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)  # e.g. a file name
    # While a job with this key is queued or running, starting the same work again returns it.
    dedupe_key = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)
    # What the job is doing ("Checking rows"), in the language of the person who started it.
    progress_message = models.CharField(max_length=200, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    # {language code: text} so the reader gets the message in their own language.
    error = models.JSONField(_("error"), default=dict, blank=True)
    error_detail = models.TextField(blank=True)  # the traceback, for administrators only
    # Failed on something outside the input (an unexpected error, a lost worker): running it
    # again may succeed. A job that failed on its input (a bad file) fails the same way again.
    retryable = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)  # the queue's id of the current run
    worker_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]) & ~Q(dedupe_key=""),
                name="one_open_job_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


class Worker(models.Model):
    """A running `db_worker` process; it writes `seen_at` every few seconds while alive."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class ScheduleRun(models.Model):
    """When a registered schedule last enqueued its work (one row per schedule name)."""

    name = models.CharField(max_length=64, primary_key=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
