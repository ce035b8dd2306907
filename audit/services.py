"""Writing to the audit log: `record` is the one way in, called by every app where a thing
worth auditing happens (in the same transaction as the change it records, so a change that
rolls back leaves no event, and an event cannot be lost while its change commits);
`record_many` writes the events of one person's many like steps (a bulk decision) at once."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from audit.middleware import current_request
from audit.models import AuditEvent
from common.client_ip import client_ip
from common.logs import redact

__all__ = ["record", "record_many"]

_SUBJECT_MAX = 300


def record(
    kind: str,
    *,
    actor=None,
    request: HttpRequest | None = None,
    wave=None,
    subject: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event. `actor` defaults to the user of the `request` passed; the client address
    comes from that request (common.client_ip), or else from the request being served
    (audit.middleware: a service called from a page), which never names the actor: an event a
    service records without one (a job's automatic work) stays without. `wave` is a Wave or a
    wave's id. Phone numbers are masked in the subject and in every text of `detail` before
    anything is written: the log never holds one."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    event = _event(kind, actor, request, wave, subject, detail)
    event.save(force_insert=True)
    return event


def record_many(
    kind: str, *, actor, entries: list[tuple[Any, str, dict[str, Any]]]
) -> list[AuditEvent]:
    """`record` of each (wave, subject, detail) of `entries` by `actor`, in one insert: the
    events of one person's many steps of a kind at once (approving a page of interviews)."""
    events = [_event(kind, actor, None, *entry) for entry in entries]
    return AuditEvent.objects.bulk_create(events)


def _event(kind: str, actor, request, wave, subject: str, detail) -> AuditEvent:
    """The unsaved event `record` describes."""
    if isinstance(actor, AnonymousUser) or (actor is not None and not actor.pk):
        actor = None
    request = request if request is not None else current_request.get()
    organisation = getattr(actor, "organisation", None) if actor is not None else None
    return AuditEvent(
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        actor_role=getattr(actor, "role", "") or "" if actor is not None else "",
        actor_organisation=organisation.name if organisation is not None else "",
        kind=kind,
        wave_id=getattr(wave, "pk", wave),
        subject=redact(str(subject))[:_SUBJECT_MAX],
        detail=_masked(detail or {}),
        ip=client_ip(request) if request is not None else None,
    )


def _masked(value: Any) -> Any:
    """`value` with every phone number in its texts (keys too) masked."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        text = str(value)
        return value if redact(text) == text else redact(text)  # a number stored as an int
    return redact(str(value))
