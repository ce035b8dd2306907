"""A wave's retention date: the day by which its respondents' personal data must be purged
(PIPL art. 19 and 21), and the reminder analysts get before it.

Every wave has a date (Wave.retain_until): the wave form asks for it with a default of
PERSONAL_DATA_RETENTION_DAYS from today; waves made before the date existed got their planned
end of fieldwork (else their creation) plus the same (migration fieldwork 0014). A daily
schedule (fieldwork.privacy.tasks) marks every wave whose date is RETENTION_REMINDER_DAYS away
or nearer as reminded, and writes a reminder event to the audit log; the wave's pages and the
waves list show the reminder from then on. The project sends no e-mail, so there is none.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.kinds import Kind
from audit.services import record
from fieldwork.models import Wave

__all__ = ["check_date", "due", "remind_due", "set_retention", "status"]


def due(retain_until: date, *, today: date | None = None) -> bool:
    """Whether a wave with this date is within the reminder's lead days (or past it)."""
    today = today or timezone.localdate()
    return retain_until - today <= timedelta(days=settings.RETENTION_REMINDER_DAYS)


def check_date(retain_until: date | None, *, today: date | None = None) -> date:
    """The date, if a retention date may be set to it: given, and after today."""
    today = today or timezone.localdate()
    if retain_until is None:
        raise ValidationError(_("Give the date until which personal data is kept."))
    if retain_until <= today:
        raise ValidationError(_("The retention date must be after today."))
    return retain_until


@transaction.atomic
def set_retention(*, wave: Wave, user: User, retain_until: date | None) -> Wave:
    """Move the wave's retention date; the change is logged, and the reminder restarts from
    the new date (shown at once if the new date is already near)."""
    retain_until = check_date(retain_until)
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    previous = wave.retain_until
    if previous == retain_until:
        return wave
    wave.retain_until = retain_until
    wave.retention_reminded_at = timezone.now() if due(retain_until) else None
    wave.save(update_fields=["retain_until", "retention_reminded_at"])
    record(
        Kind.RETENTION_CHANGED,
        actor=user,
        wave=wave,
        subject=wave.name,
        detail={"previous": previous.isoformat(), "retain_until": retain_until.isoformat()},
    )
    return wave


def remind_due(*, now: datetime | None = None) -> int:
    """Mark every wave whose date is near and not yet reminded; one audit event each.
    Returns how many were reminded."""
    now = now or timezone.now()
    horizon = timezone.localdate(now) + timedelta(days=settings.RETENTION_REMINDER_DAYS)
    reminded = 0
    near = Wave.objects.filter(retention_reminded_at=None, retain_until__lte=horizon)
    for wave in near.filter(purges__isnull=True):  # purged (privacy.Purge): nothing left
        with transaction.atomic():
            changed = Wave.objects.filter(pk=wave.pk, retention_reminded_at=None).update(
                retention_reminded_at=now
            )
            if changed:
                detail = {"retain_until": wave.retain_until.isoformat()}
                record(Kind.RETENTION_REMINDER, wave=wave, subject=wave.name, detail=detail)
                reminded += 1
    return reminded


def status(wave: Wave, *, today: date | None = None) -> dict:
    """What the pages say about the date: days left, reminded, passed."""
    today = today or timezone.localdate()
    days_left = (wave.retain_until - today).days
    return {
        "retain_until": wave.retain_until,
        "days_left": days_left,
        "reminded": wave.retention_reminded_at is not None,
        "passed": days_left < 0,
    }


def reminded_waves() -> list[dict]:
    """Waves under reminder, nearest date first, for the analysts' waves list."""
    waves = Wave.objects.exclude(retention_reminded_at=None).order_by("retain_until")
    return [{"wave": wave, **status(wave)} for wave in waves]
