"""Reading jobs and workers for pages and the health check."""

from datetime import datetime

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from jobs.models import Job, Worker
from jobs.services import stale_after


def jobs_list(*, status: str = "") -> QuerySet[Job]:
    jobs = Job.objects.select_related("created_by")
    return jobs.filter(status=status) if status else jobs


def queue_state(now: datetime | None = None) -> dict:
    """Counts by status of open jobs, the oldest queued job's wait, and the live workers."""
    now = now or timezone.now()
    counts = dict(
        Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    oldest = Job.objects.filter(status=Job.Status.QUEUED).aggregate(t=Min("created_at"))["t"]
    last_seen = Worker.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return {
        "queued": counts.get(Job.Status.QUEUED, 0),
        "running": counts.get(Job.Status.RUNNING, 0),
        "oldest_queued_seconds": round((now - oldest).total_seconds(), 1) if oldest else None,
        "workers_alive": Worker.objects.filter(seen_at__gte=now - stale_after()).count(),
        "worker_last_seen_seconds": (
            round((now - last_seen).total_seconds(), 1) if last_seen else None
        ),
    }
