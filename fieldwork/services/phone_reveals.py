"""Manual-dial mode: showing an interviewer the full number of the case they are about to dial.

Without telephony (no Twilio credentials) the interviewer dials by hand and so must see the
number. Only for an open case they hold now, each time recorded; the view limits how often
(settings.RATE_LIMITS["reveal_phone"]). With telephony the server dials and the number never
reaches the browser.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.kinds import Kind
from audit.services import record
from fieldwork.models import Case, Mode, PhoneReveal
from fieldwork.services.attempts import check_mode
from fieldwork.telephony import gateway

OPEN_STATUSES = (Case.Status.PENDING, Case.Status.IN_PROGRESS)


@transaction.atomic
def reveal_phone(*, case: Case, interviewer: User) -> str:
    """The case's full number, recorded as shown to `interviewer`.

    PermissionDenied when telephony is configured or the case is not the interviewer's now;
    ValidationError when the case is finished, has no number or its wave is not called.
    """
    if gateway.is_configured():
        raise PermissionDenied
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("unit", "wave").get(pk=case.pk)
    )
    if case.interviewer_id != interviewer.pk:
        raise PermissionDenied
    check_mode(case.wave, Mode.PHONE)  # a door-to-door wave's numbers are not for calling
    if case.status not in OPEN_STATUSES:
        raise ValidationError(_("This case is finished: its number is no longer shown."))
    if not case.unit.phone:
        raise ValidationError(_("This case has no phone number."))
    PhoneReveal.objects.create(case=case, interviewer=interviewer)
    # the household, never the number
    detail = {"case": case.pk}
    record(Kind.PHONE_REVEALED, actor=interviewer, wave=case.wave, subject=case.unit.unit_id,
           detail=detail)  # fmt: skip
    return case.unit.phone
