"""The audit log's retention may not be set below six months."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def retention_not_too_short(app_configs, **kwargs) -> list[Error]:
    from audit.pruning import MINIMUM_DAYS

    if settings.AUDIT_RETENTION_DAYS < MINIMUM_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS is {settings.AUDIT_RETENTION_DAYS}; the audit log must "
                f"be kept at least {MINIMUM_DAYS} days (six months).",
                id="audit.E001",
            )
        ]
    return []
