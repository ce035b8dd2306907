"""Reads of the audit log for its page and its export."""

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEvent


def events(
    *,
    since: date | None = None,
    until: date | None = None,
    kind: str = "",
    actor: str = "",
    wave_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """Events newest first, within local days `since`..`until` (both included), of one kind,
    by one user name (as recorded) and of one wave, each filter only when given."""
    rows = AuditEvent.objects.all()
    if since is not None:
        rows = rows.filter(created_at__gte=_local_midnight(since))
    if until is not None:
        rows = rows.filter(created_at__lt=_local_midnight(until + timedelta(days=1)))
    if kind:
        rows = rows.filter(kind=kind)
    if actor:
        rows = rows.filter(actor_name=actor)
    if wave_id is not None:
        rows = rows.filter(wave_id=wave_id)
    return rows.order_by("-created_at", "-id")


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def actor_names() -> list[str]:
    """Every user name the log records, for the filter."""
    names = AuditEvent.objects.exclude(actor_name="").values_list("actor_name", flat=True)
    return sorted(set(names.distinct()))


def logged_waves() -> list[tuple[int, str]]:
    """(id, name) of every wave the log mentions that still exists, newest first."""
    rows = (
        AuditEvent.objects.filter(wave__isnull=False)
        .values_list("wave_id", "wave__name")
        .distinct()
    )
    return sorted({(pk, name) for pk, name in rows if name is not None}, reverse=True)
