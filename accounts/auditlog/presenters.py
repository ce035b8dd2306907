"""Audit events as rows for the page and the export."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from audit.models import AuditEvent
from common.personal.registry import holders

# The details' keys this product writes, in words; another's key is shown as it is.
DETAIL_LABELS = {
    "automatic": gettext_lazy("automatic"),
    "before": gettext_lazy("before"),
    "case": gettext_lazy("case"),
    "changes": gettext_lazy("changes"),
    "count": gettext_lazy("count"),
    "counts": gettext_lazy("removed"),
    "created": gettext_lazy("new"),
    "districts": gettext_lazy("districts"),
    "draw": gettext_lazy("sample"),
    "edition": gettext_lazy("edition"),
    "filters": gettext_lazy("filters"),
    "format": gettext_lazy("format"),
    "from": gettext_lazy("from"),
    "interview": gettext_lazy("interview"),
    "name": gettext_lazy("name"),
    "organisation": gettext_lazy("organisation"),
    "package": gettext_lazy("data package"),
    "phone_numbers": gettext_lazy("with phone numbers"),
    "previous": gettext_lazy("previous"),
    "reason": gettext_lazy("reason"),
    "removed": gettext_lazy("removed"),
    "retain_until": gettext_lazy("kept until"),
    "rows": gettext_lazy("rows"),
    "states": gettext_lazy("review states"),
    "to": gettext_lazy("to"),
    "token": gettext_lazy("token"),
}
# Details whose keys are themselves codes, named here: a purge's counts are by holder of
# personal data (common.personal.registry), shown by what each holds.
NAMED_KEYS = {"counts": lambda: {holder.key: str(holder.what) for holder in holders()}}


def _value(value, names: dict | None = None) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        names = names or {}
        return "; ".join(f"{names.get(k, k)}: {_value(v)}" for k, v in value.items())
    return "—" if value is None or value == "" else str(value)


def details(event: AuditEvent) -> list[dict]:
    """The event's details as [{label, value, known}]: `known` False for a key of another
    feature's, which the page shows as it is."""
    return [
        {
            "label": str(DETAIL_LABELS.get(key, key)),
            "value": _value(value, NAMED_KEYS[key]() if key in NAMED_KEYS else None),
            "known": key in DETAIL_LABELS,
        }
        for key, value in (event.detail or {}).items()
    ]


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else (role or "")


def row(event: AuditEvent) -> dict:
    return {
        "at": timezone.localtime(event.created_at),
        "kind": event.kind_label,
        "actor": event.actor_name,
        "role": role_label(event.actor_role),
        "organisation": event.actor_organisation,
        "wave": event.wave.name if event.wave_id and event.wave else "",
        "subject": event.subject,
        "details": details(event),
        "ip": event.ip or "",
    }


def export_table(events) -> dict:
    """The events as one table for common.spreadsheets (CSV with BOM, XLSX)."""
    columns = [
        _("When"), _("What"), _("Who"), _("Role"), _("Organisation"), _("Wave"),
        _("Subject"), _("Details"), _("Network address"),
    ]  # fmt: skip
    rows = []
    for event in events:
        shown = row(event)
        text = "; ".join(f"{d['label']}: {d['value']}" for d in shown["details"])
        rows.append([
            shown["at"].strftime("%Y-%m-%d %H:%M:%S"), shown["kind"], shown["actor"],
            shown["role"], shown["organisation"], shown["wave"], shown["subject"], text,
            shown["ip"],
        ])  # fmt: skip
    return {"title": _("Audit log"), "columns": columns, "rows": rows}
