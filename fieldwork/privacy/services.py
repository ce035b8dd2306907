"""Saving what the firm writes in a wave's processing record."""

from datetime import date

from django.db import transaction

from accounts.models import User
from audit.kinds import Kind
from audit.services import record
from fieldwork.models import ProcessingRecord, Wave
from fieldwork.privacy.record import EDITABLE


@transaction.atomic
def save_processing_record(
    *, wave: Wave, user: User, fields: dict[str, str | date | None]
) -> ProcessingRecord:
    """Store the editable fields (fieldwork.privacy.record.EDITABLE); the audit log notes who
    changed which."""
    stored, _created = ProcessingRecord.objects.select_for_update().get_or_create(wave=wave)
    changed = [name for name in EDITABLE if getattr(stored, name) != fields.get(name)]
    for name in EDITABLE:
        value = fields.get(name)
        setattr(stored, name, value if value is not None or name == "assessed_on" else "")
    stored.updated_by = user
    stored.save()
    if changed:
        record(
            Kind.PROCESSING_RECORD_SAVED,
            actor=user,
            wave=wave,
            subject=wave.name,
            detail={"changes": ", ".join(changed)},
        )
    return stored
